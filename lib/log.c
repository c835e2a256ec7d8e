#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_program = "masked";
static enum log_level	 log_max = LOG_INFO;
static long		 log_pid;

static const char *const log_names[] = { "error", "warn", "info", "debug" };

void
log_setup(const char *program, enum log_level level)
{
	log_program = program;
	log_max = level;
	log_pid = (long)getpid();
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

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char	 line[1024];
	int	 n, m;
	va_list	 ap;

	if (level > log_max)
		return;
	n = snprintf(line, sizeof(line), "masked[%ld] %s %s: ",
	    log_pid, log_names[level], log_program);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	mask_numbers(line, (size_t)n);
	/* One write() per line, so lines of concurrent workers never interleave. */
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
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
