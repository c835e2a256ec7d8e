/*
 * inbound: routing a call to a pool number (SPEC §5).
 */
#ifndef INBOUND_H
#define INBOUND_H

#include "core/err.h"

struct config;
struct twilio;

enum inbound_outcome {
	INBOUND_NO_SESSION,	/* out-of-session message */
	INBOUND_DIAL,		/* one to one */
	INBOUND_CONFERENCE,	/* several callees, called out to a conference */
	INBOUND_APOLOGY,	/* Twilio failed: the caller hears an apology */
};

/*
 * The TwiML answer for a call from `from` to pool number `called` (either
 * may be NULL when the webhook lacked it). Always produces a document the
 * caller can hear: *twiml is an allocated string, free with free(); NULL
 * only when memory ran out. deadline is monotonic ms (clock_now_ms()).
 */
enum inbound_outcome inbound_route(struct twilio *t, const struct config *c,
		    const char *from, const char *called, long long deadline,
		    char **twiml);

/* The TwiML of a lone <Say> of text with the configured voice and language. */
char		*inbound_say(const struct config *c, const char *text);

#endif
