#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "core/log.h"
#include "t.h"

/* log_mask of s, into a buffer filled with garbage first. */
static const char *
mask(const char *s)
{
	static char	 out[LOG_MASK_LEN];
	const char	*r;

	memset(out, 'Z', sizeof(out));
	r = log_mask(out, s);
	return r == out ? out : "(not out)";
}

static void
test_mask(void)
{
	T_STREQ(mask("+14155551234"), "+141******34");
	T_STREQ(mask("+447700900123"), "+447*******23");
	T_STREQ(mask("+123456789012345"), "+123**********45");
	/* Short ones: the first four and the last two overlap. */
	T_STREQ(mask("+12"), "+12");
	T_STREQ(mask("+1234"), "+1234");
	T_STREQ(mask("+12345"), "+12345");
	T_STREQ(mask("+123456"), "+123*56");
	T_STREQ(mask("x"), "x");
	/* Anything printable is masked alike (SIDs, malformed numbers). */
	T_STREQ(mask("CH0123456789"), "CH01******89");
	/* The longest accepted: LOG_MASK_LEN - 1 characters. */
	T_STREQ(mask("+1234567890123456789012"), "+123*****************12");
	T_CHECK(strlen(mask("+1234567890123456789012")) == LOG_MASK_LEN - 1);
}

static void
test_mask_refused(void)
{
	T_STREQ(mask(NULL), "(?)");
	T_STREQ(mask(""), "(?)");
	/* Over-long: LOG_MASK_LEN characters and more. */
	T_STREQ(mask("+12345678901234567890123"), "(?)");
	T_STREQ(mask("+1415555123412345678901234567890123456789"), "(?)");
	/* Non-printable or blank, anywhere. */
	T_STREQ(mask("+1415 5551234"), "(?)");
	T_STREQ(mask(" +14155551234"), "(?)");
	T_STREQ(mask("+14155551234\n"), "(?)");
	T_STREQ(mask("+1415\t5551234"), "(?)");
	T_STREQ(mask("+1415\x1b[2J"), "(?)");
	T_STREQ(mask("+1415\x7f"), "(?)");
	T_STREQ(mask("+1415\xc3\xa9"), "(?)");
	T_STREQ(mask("\xff"), "(?)");
}

static void
test_level_parse(void)
{
	T_CHECK(log_level_parse("error") == LOG_ERROR);
	T_CHECK(log_level_parse("warn") == LOG_WARN);
	T_CHECK(log_level_parse("info") == LOG_INFO);
	T_CHECK(log_level_parse("debug") == LOG_DEBUG);
	T_CHECK(LOG_ERROR == 0 && LOG_WARN == 1 && LOG_INFO == 2 &&
	    LOG_DEBUG == 3);
	T_CHECK(log_level_parse("") == -1);
	T_CHECK(log_level_parse("INFO") == -1);
	T_CHECK(log_level_parse("Info") == -1);
	T_CHECK(log_level_parse("warning") == -1);
	T_CHECK(log_level_parse("err") == -1);
	T_CHECK(log_level_parse("info ") == -1);
	T_CHECK(log_level_parse(" debug") == -1);
	T_CHECK(log_level_parse("trace") == -1);
	T_CHECK(log_level_parse("2") == -1);
}

static size_t	 cap_len;	/* bytes captured, prefix included */

/*
 * What log_msg writes, captured from standard error: the lines of one call
 * of fn, without the "masked[PID] " prefix of the first, in a static buffer.
 */
static const char *
captured(void (*fn)(void))
{
	static char	 out[4096];
	char		 path[] = "/tmp/test_log.XXXXXX";
	const char	*p;
	ssize_t		 n;
	int		 fd, saved;

	out[0] = '\0';
	if ((fd = mkstemp(path)) == -1 || (saved = dup(STDERR_FILENO)) == -1)
		return "(no capture)";
	unlink(path);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	cap_len = n > 0 ? (size_t)n : 0;
	if (n > 0 && strncmp(out, "masked[", 7) == 0 &&
	    (p = strstr(out, "] ")) != NULL)
		return p + 2;
	return out;
}

static void
say_numbers(void)
{
	log_info("from +14155551234 to %s, %%2B447700900123 and %%2b12125550100",
	    "+14155550100");
}

static void
say_doubled(void)
{
	log_info("a ++14155551234 b %%2B%%2B14155551234 c +%%2B14155551234");
}

static void
say_short(void)
{
	log_info("+123456 +1234567 x+99 1+2=3 %%2B %%2 +");
}

static void
say_levels(void)
{
	log_debug("debug");
	log_info("info");
	log_warn("warn");
	log_error("error %d", 1);
}

static void
say_long(void)
{
	char big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_error("%s", big);
}

static void
say_forged(void)
{
	/* A request path as a client may send it, newline and all. */
	log_warn("refused %s", "/inbound-call\nmasked[1] error x: forged\r"
	    "\x1b[2J\\x41 caf\xc3\xa9 \xff\xc0\xaf\x7f");
}

/* Every message is one line: nothing in it can start another. */
static void
test_msg_escaped(void)
{
	log_setup("prog", LOG_INFO);
	T_STREQ(captured(say_forged), "warn prog: refused /inbound-call\\x0a"
	    "masked[1] error x: forged\\x0d\\x1b[2J\\x5cx41 caf\xc3\xa9 "
	    "\\xff\\xc0\\xaf\\x7f\n");
	log_setup("masked", LOG_INFO);
}

static void
test_msg(void)
{
	const char *s;

	log_setup("test", LOG_INFO);
	T_STREQ(captured(say_numbers), "info test: from +14*******34 to "
	    "+14*******00, %2B44********23 and %2b12*******00\n");
	T_STREQ(captured(say_doubled), "info test: a ++14*******34 b "
	    "%2B%2B14*******34 c +%2B14*******34\n");
	/* Fewer than seven digits, or no digits: as they are. */
	T_STREQ(captured(say_short), "info test: +123456 +12***67 x+99 1+2=3 "
	    "%2B %2 +\n");

	/* Levels up to the one set. */
	log_setup("prog", LOG_WARN);
	s = captured(say_levels);
	T_CHECK(strncmp(s, "warn prog: warn\nmasked[", 23) == 0);
	T_CHECK(strstr(s, "] error prog: error 1\n") != NULL);
	T_CHECK(strstr(s, "info") == NULL && strstr(s, "debug") == NULL);
	log_setup("prog", LOG_ERROR);
	T_CHECK(strstr(captured(say_levels), "warn") == NULL);
	log_setup("prog", LOG_DEBUG);
	T_CHECK(strncmp(captured(say_levels), "debug prog: debug\n", 18) == 0);

	/* A long message is cut to one line of 1024 bytes, newline included. */
	s = captured(say_long);
	T_CHECK(strncmp(s, "error prog: xxx", 15) == 0);
	T_CHECK(strchr(s, '\n') != NULL && strchr(s, '\n')[1] == '\0');
	T_CHECK(cap_len == 1023);
	log_setup("masked", LOG_INFO);
}

/* log_open(): a file target gets the lines; bad targets are refused. */
static void
test_open(void)
{
	char	 path[] = "/tmp/test_log_file.XXXXXX", got[512];
	char	 target[64];
	ssize_t	 n;
	int	 fd;

	T_CHECK(log_target_valid("stderr") && log_target_valid("syslog") &&
	    log_target_valid("file:/var/log/masked.log"));
	T_CHECK(!log_target_valid("file:") && !log_target_valid("file:x.log") &&
	    !log_target_valid("") && !log_target_valid(NULL) &&
	    !log_target_valid("Syslog"));
	T_CHECK(log_open("journal") == ERR_INVAL);
	T_CHECK(log_open("file:/nonexistent/dir/x.log") == ERR_SYS);
	T_CHECK(log_fileno() == STDERR_FILENO);
	T_CHECK(log_open("stderr") == ERR_OK && log_fileno() == STDERR_FILENO);
	if ((fd = mkstemp(path)) == -1)
		return;
	close(fd);
	snprintf(target, sizeof(target), "file:%s", path);
	T_CHECK(log_open(target) == ERR_OK);
	T_CHECK(log_fileno() != STDERR_FILENO);
	log_setup("prog", LOG_INFO);
	log_warn("to the file, +14155551234 masked");
	fd = open(path, O_RDONLY);
	n = read(fd, got, sizeof(got) - 1);
	close(fd);
	got[n > 0 ? n : 0] = '\0';
	T_CHECK(strncmp(got, "masked[", 7) == 0);
	T_CHECK(strstr(got, "] warn prog: to the file, +14*******34 masked\n") !=
	    NULL);
	unlink(path);
	/* Back to standard error, the file closed. */
	T_CHECK(log_open("stderr") == ERR_OK && log_fileno() == STDERR_FILENO);
	log_setup("masked", LOG_INFO);
}

int
main(void)
{
	T_RUN(test_mask);
	T_RUN(test_mask_refused);
	T_RUN(test_level_parse);
	T_RUN(test_msg);
	T_RUN(test_msg_escaped);
	T_RUN(test_open);
	T_END();
}
