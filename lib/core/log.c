#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * syslog.h names two priorities as log.h names two levels: its values are
 * taken here, then its names put away.
 */
#include <syslog.h>
static const int syslog_priority[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
    LOG_DEBUG };
#undef LOG_INFO
#undef LOG_DEBUG

#include "core/log.h"
#include "core/utf8.h"

static const char	*log_program = "masked";
static enum log_level	 log_max = LOG_INFO;
static long		 log_pid;
static int		 log_fd = STDERR_FILENO;	/* stderr, or a file */
static bool		 log_syslog;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_setup(const char *program, enum log_level level)
{
	log_program = program;
	log_max = level;
	log_pid = (long)getpid();
}

bool
log_target_valid(const char *target)
{
	return target != NULL && (strcmp(target, "stderr") == 0 ||
	    strcmp(target, "syslog") == 0 || (strncmp(target, "file:/", 6) == 0 &&
	    target[6] != '\0'));
}

enum err
log_open(const char *target)
{
	int fd;

	/* Whatever was open before is closed: standard error again. */
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	if (log_syslog)
		closelog();
	log_syslog = false;
	if (target == NULL || strcmp(target, "stderr") == 0)
		return ERR_OK;
	if (!log_target_valid(target))
		return ERR_INVAL;
	if (strcmp(target, "syslog") == 0) {
		/* The descriptor opened now, before any chroot or thread. */
		openlog("masked", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_syslog = true;
		return ERR_OK;
	}
	if ((fd = open(target + 5, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return ERR_SYS;
	log_fd = fd;
	return ERR_OK;
}

int
log_fileno(void)
{
	return log_fd;
}

int
log_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * Masks, in place, every phone number that a message carries verbatim (from
 * Twilio's error messages, say): '+' or "%2B" then 7 or more digits keep
 * their first two digits and last two, the rest starred.
 */
static void
mask_numbers(char *s, size_t len)
{
	size_t i, j, start, digits;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			start = i + 1;
		else if (s[i] == '%' && i + 2 < len && s[i + 1] == '2' &&
		    (s[i + 2] == 'B' || s[i + 2] == 'b'))
			start = i + 3;
		else
			continue;
		for (digits = 0, j = start; j < len && isdigit((unsigned char)s[j]);
		    j++)
			digits++;
		if (digits >= 7)
			for (j = start + 2; j < start + digits - 2; j++)
				s[j] = '*';
		/* On past the digits; with none, at the marker's end, so that
		 * "++1..." and "%2B%2B1..." are still seen. */
		i = start + digits - 1;
	}
}

/*
 * Appends the n bytes of s to line (which holds *len of size bytes, one
 * kept for the newline) so that one message is one line whatever it holds:
 * control characters, backslashes and bytes that are not UTF-8 as \xNN.
 */
static void
escape_into(char *line, size_t *len, size_t size, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 i = 0, k, at = *len;

	while (i < n) {
		k = utf8_decode(p + i, n - i, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7f || cp == '\\') {
			if (at + 4 >= size - 1)
				break;
			line[at++] = '\\';
			line[at++] = 'x';
			line[at++] = hex[p[i] >> 4];
			line[at++] = hex[p[i] & 0x0f];
			i++;
			continue;
		}
		if (at + k >= size - 1)
			break;
		memcpy(line + at, p + i, k);
		at += k;
		i += k;
	}
	*len = at;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char	 line[1024], msg[1024];
	size_t	 n;
	int	 h, m;
	va_list	 ap;

	if (level > log_max)
		return;
	h = snprintf(line, sizeof(line), "masked[%ld] %s %s: ",
	    log_pid, log_names[level], log_program);
	if (h < 0 || (size_t)h >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n = (size_t)h;
	escape_into(line, &n, sizeof(line), msg, strnlen(msg, sizeof(msg)));
	mask_numbers(line, n);
	line[n] = '\0';
	if (log_syslog) {
		/* syslog says masked[PID] itself. */
		syslog(syslog_priority[level], "%s", strchr(line, ' ') + 1);
		return;
	}
	/* One write() per line, so lines of concurrent workers never interleave. */
	line[n++] = '\n';
	(void)!write(log_fd, line, n);
}

const char *
log_mask(char out[LOG_MASK_LEN], const char *s)
{
	size_t i, len;

	if (s == NULL || (len = strlen(s)) == 0 || len >= LOG_MASK_LEN) {
		strcpy(out, "(?)");
		return out;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e) {
			strcpy(out, "(?)");
			return out;
		}
		out[i] = (i < 4 || i + 2 >= len) ? s[i] : '*';
	}
	out[len] = '\0';
	return out;
}
