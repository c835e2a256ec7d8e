/*
 * log: one line per event on standard error, which every FastCGI web server
 * collects into its error log (lighttpd, Apache) or the journal (systemd),
 * or to syslog or a file of its own (log_open()).
 *
 * Lines read "masked[PID] LEVEL program: message". Callers never pass a
 * secret. Phone numbers are masked in every line, whatever the level: those
 * the caller names through log_mask(), and any that a message carries
 * verbatim ("+" or "%2B" and 7 or more digits) by log_msg() itself.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/*
 * Names the program in every line (program is borrowed: a string literal)
 * and sets the most verbose level written. Call before any thread starts.
 */
void	log_setup(const char *program, enum log_level level);
/*
 * Where lines go from now on (LOG_TARGET): "stderr" (the default: the web
 * server's error log, or the journal), "syslog" (the daemon facility, as
 * "masked[PID]: LEVEL program: message"), or "file:/absolute/path",
 * appended to, created 0640 if need be. Returns ERR_OK, ERR_INVAL for a
 * target of another form, or ERR_SYS when the file cannot be opened (lines
 * then still go to standard error). Closes what an earlier call opened.
 * Call before any thread starts.
 */
enum err log_open(const char *target);
/* Whether target is a form log_open() takes (for the configuration). */
bool	log_target_valid(const char *target);
/*
 * The descriptor lines are written to (standard error under syslog), for a
 * signal handler's last words, which may only write().
 */
int	log_fileno(void);
/*
 * Parses "error", "warn", "info", "debug" (s not NULL) into an enum
 * log_level; -1 when it is none of them.
 */
int	log_level_parse(const char *s);
/*
 * Writes one line at level when level is within log_setup()'s: the message
 * is formatted, cut to fit a line of 1 KiB, control characters, backslashes
 * and bytes that are not UTF-8 written as \xNN, phone numbers masked; one
 * write() per line, so lines of concurrent workers never interleave. Cannot
 * fail: a line that cannot be written is lost.
 */
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
