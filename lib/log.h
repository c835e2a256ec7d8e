/*
 * log: one line per event on standard error, which every FastCGI web server
 * collects into its error log (lighttpd, Apache) or the journal (systemd).
 *
 * Lines read "masked[PID] LEVEL program: message". Callers never pass a
 * secret. Phone numbers are masked in every line, whatever the level: those
 * the caller names through log_mask(), and any that a message carries
 * verbatim ("+" or "%2B" and 7 or more digits) by log_msg() itself.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Names the program in every line and sets the most verbose level written. */
void	log_setup(const char *program, enum log_level level);
/* Parses "error", "warn", "info", "debug"; -1 when it is none of them. */
int	log_level_parse(const char *s);
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#define LOG_MASK_LEN	24
/*
 * Writes a masked form of phone number s into out ("+1415*****00": the
 * first four characters and the last two kept, the rest starred) and
 * returns out. Anything that is not a short printable string is "(?)".
 */
const char *log_mask(char out[LOG_MASK_LEN], const char *s);

#endif
