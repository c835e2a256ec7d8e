/*
 * sessattr: the service's own data, kept in a conversation's attributes
 * without touching the caller's.
 *
 * A conversation's attributes are a JSON text that belongs to the caller.
 * The session's ttl, dateExpiry, mode and whether its participants changed
 * ride in the same text under the top-level key SESSATTR_KEY, appended
 * after the caller's keys:
 *
 *	caller's:  {"ride": 42}
 *	stored:    {"ride": 42,"maskedSession":{"ttl":3600,"mode":"voice-only"}}
 *
 * sessattr_join() builds the stored text, sessattr_split() takes it apart
 * again, giving the caller back their text byte for byte when no one else
 * has edited it. The caller may not send SESSATTR_KEY themselves.
 */
#ifndef SESSATTR_H
#define SESSATTR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define SESSATTR_KEY		"maskedSession"
/* JSON nesting allowed in the caller's text. */
#define SESSATTR_MAX_DEPTH	32
/* The last second sessattr_time_format() writes: 9999-12-31T23:59:59Z. */
#define SESSATTR_TIME_MAX	253402300799LL

enum sessattr_mode {
	SESSATTR_MODE_NONE,
	SESSATTR_MODE_BOTH,	/* "voice-and-message" */
	SESSATTR_MODE_VOICE,	/* "voice-only" */
	SESSATTR_MODE_MESSAGE,	/* "message-only" */
};

struct sessattr {
	long			ttl;		/* seconds, 0: not set */
	long long		expiry;		/* dateExpiry, epoch seconds, 0: not set */
	enum sessattr_mode	mode;		/* NONE: not set */
	bool			changed;	/* one of the participants it was created with was removed on purpose (svc/reap trusts it) */
	/*
	 * §13's "call": how the session's calls are connected, over the
	 * CALL_* settings. record: 0 not set, 1 false, 2 true; the others
	 * seconds, 0 not set.
	 */
	int			call_record;
	long			call_time_limit;	/* 1..SESSATTR_TIME_LIMIT_MAX */
	long			call_ring_timeout;	/* SESSATTR_RING_MIN..MAX */
};

/* The ranges of "call" (Twilio's, as svc/inbound's INBOUND_*). */
#define SESSATTR_TIME_LIMIT_MAX	14400
#define SESSATTR_RING_MIN	5
#define SESSATTR_RING_MAX	600

/* Whether s holds any of "call"'s keys. */
bool		sessattr_call_any(const struct sessattr *s);
/* Whether s holds anything to keep (any field set). */
bool		sessattr_any(const struct sessattr *s);

/*
 * Joins the caller's attributes text (caller, len bytes, borrowed; NULL or
 * len 0: none) with s, appending the result to out:
 * - s holds nothing: the caller's text unchanged (none: nothing appended,
 *   the caller sends no Attributes);
 * - else the caller's text must be a JSON object (blanks around it
 *   allowed): the result is the caller's text with ,"maskedSession":{...}
 *   ("maskedSession":{...} when the object is empty) inserted just before
 *   its final '}', byte for byte otherwise; no caller text:
 *   {"maskedSession":{...}}.
 * Our object is written compactly with a fixed key order: "ttl",
 * "dateExpiry" (ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ"), "mode", "call"
 * ({"record":bool,"timeLimit":n,"ringTimeout":n}, the keys set),
 * "changed" (true, only when set); unset fields are left out.
 *
 * The caller's text, when given, is always checked: strict JSON
 * (jsoncheck, nested at most SESSATTR_MAX_DEPTH deep), and an object
 * without SESSATTR_KEY at its top level (its name escaped or not).
 *
 * Returns ERR_OK; ERR_INVAL with *why (a static sentence) when the
 * caller's text is not valid JSON, has SESSATTR_KEY at top level, or is
 * not an object while s holds something, or when a field of s is out of
 * range (ttl or expiry negative, expiry past SESSATTR_TIME_MAX, mode not
 * one of the enum); ERR_TOOBIG past out's limit; ERR_NOMEM. On failure
 * out is as it was. *why is set only on ERR_INVAL.
 */
enum err	sessattr_join(const char *caller, size_t len,
		    const struct sessattr *s, struct buf *out, const char **why);

/*
 * Splits attributes as stored in Twilio (stored, NUL-terminated, borrowed;
 * NULL allowed) into the caller's own text (*caller: returns an allocated
 * string, free with free()) and s (zeroed first, then filled from
 * SESSATTR_KEY when present; a malformed or unknown-valued member of ours
 * is ignored, never an error).
 *
 * The caller's text comes back exactly when the stored text ends as
 * sessattr_join() left it (our member the last one, written as we write
 * it, and the rest, parsed, the same object less our key): the member and
 * its separating comma are cut out. Otherwise, when the key is at the top
 * level (someone else edited the text): the text parsed with json-c, the
 * key deleted, serialised plain. Key absent, or not a JSON object: the
 * text unchanged. The text is read as json-c reads it: what follows the
 * first JSON value is not looked at (the key goes even then; Twilio
 * stores only JSON, so nothing should follow). Our member alone ({"maskedSession":{...}}) gives "{}",
 * what Twilio shows for no attributes; so does NULL.
 *
 * Returns ERR_OK; ERR_NOMEM only (then *caller is NULL).
 */
enum err	sessattr_split(const char *stored, char **caller,
		    struct sessattr *s);

/*
 * Reads a mode's name ("voice-and-message", "voice-only", "message-only";
 * name may be NULL) into *out; false, *out untouched, for any other.
 */
bool		sessattr_mode_parse(const char *name, enum sessattr_mode *out);
/* The name of m: static; NULL for SESSATTR_MODE_NONE or an unknown m. */
const char	*sessattr_mode_name(enum sessattr_mode m);

/*
 * Writes epoch seconds t as ISO 8601 UTC, "YYYY-MM-DDTHH:MM:SSZ", into out
 * (21 bytes, NUL included). t is clamped to 0..SESSATTR_TIME_MAX.
 */
void		sessattr_time_format(long long t, char out[21]);
/*
 * Reads an ISO 8601 date-time (s may be NULL): "YYYY-MM-DDTHH:MM:SS", then
 * optionally a fraction of a second (".123", dropped), then the offset,
 * which is required: "Z", or "+HH:MM"/"-HH:MM" (converted to UTC). 'T' and
 * 'Z' may be lowercase (RFC 3339). Returns epoch seconds; -1 when s is
 * not such a date-time, names a day that does not exist, or falls outside
 * 0..SESSATTR_TIME_MAX once in UTC.
 */
long long	sessattr_time_parse(const char *s);

#endif
