/*
 * inbound: routing a call to a pool number (SPEC §5).
 */
#ifndef INBOUND_H
#define INBOUND_H

#include <stdbool.h>

#include "core/err.h"

struct callback;
struct twilio;

/*
 * How calls are connected (SPEC §13): CALL_RECORD, CALL_TIME_LIMIT_S,
 * CALL_RING_TIMEOUT_S, each overridden by the session's own "call".
 * 0 is "not set": Twilio's default (no record, 4 hours, 30 s).
 */
struct inbound_policy {
	int		 record;	/* 0 not set, 1 off, 2 on */
	long		 time_limit;	/* seconds, INBOUND_TIME_LIMIT_MIN..MAX */
	long		 ring_timeout;	/* seconds, INBOUND_RING_TIMEOUT_MIN..MAX */
};

/* Twilio's ranges: <Dial timeLimit> (4 hours), <Dial timeout> and Calls.json's Timeout. */
#define INBOUND_TIME_LIMIT_MIN		1
#define INBOUND_TIME_LIMIT_MAX		14400
#define INBOUND_RING_TIMEOUT_MIN	5
#define INBOUND_RING_TIMEOUT_MAX	600

/* What calls need of the configuration: the strings are the owner's (config). */
struct inbound_opts {
	char		*voice;			/* <Say voice>; NULL: Twilio's default */
	char		*language;		/* <Say language>; NULL: Twilio's default */
	char		*out_of_session_message;
	char		*connecting_message;
	char		*apology_message;
	/* §13: out of session, put through to this number (NULL: hang up) */
	char		*forward_number;
	/* §13: out of session, the operator's TwiML from here (NULL: not asked) */
	char		*oos_callback_url;
	/* §13: the call policy, before the session's own */
	struct inbound_policy call;
};

enum inbound_outcome {
	INBOUND_NO_SESSION,	/* out-of-session message */
	INBOUND_DIAL,		/* one to one */
	INBOUND_CONFERENCE,	/* several callees, called out to a conference */
	INBOUND_APOLOGY,	/* Twilio failed: the caller hears an apology */
};

/*
 * The TwiML answer for a call from `from` to pool number `called` (either
 * may be NULL when the webhook lacked it), o borrowed for the call. Always
 * produces a document the caller can hear: *twiml is an allocated string,
 * free with free(); NULL only when memory ran out. deadline is monotonic
 * ms (clock_now_ms()). Several callees are called out (through t's account)
 * into a conference. The call policy is o->call, overridden by the
 * session's own "call" (svc/sessattr); out of session, with
 * o->forward_number, the caller is put through to it after the message.
 */
enum inbound_outcome inbound_route(struct twilio *t, const struct inbound_opts *o,
		    const char *from, const char *called, long long deadline,
		    char **twiml);

/*
 * What inbound_route_call() did with a call, for the operator's call
 * events (SPEC §12): the numbers are copies.
 */
#define INBOUND_MAX_CALLEES	49
struct inbound_call {
	char		 session_sid[40];	/* "" when no session was found */
	char		 conference[64];	/* INBOUND_CONFERENCE: its name */
	size_t		 ncallees;		/* those dialled or called out */
	bool		 operator_twiml;	/* out of session: the operator's document */
	struct {
		char	 address[20];
		char	 proxy[20];
	}		 callees[INBOUND_MAX_CALLEES];
};

/* The most of the operator's out-of-session TwiML that is taken. */
#define INBOUND_TWIML_MAX	(64 * 1024)

/*
 * inbound_route(), and what it did into *info (the caller's; always
 * filled, zeroed first). Out of session, with o->oos_callback_url and cb
 * (NULL: not asked), the operator is asked for the TwiML (SPEC §13): a
 * signed JSON POST {"type": "call.out_of_session", "callSid", "caller",
 * "called"} (call_sid may be NULL), within cb's CALLBACK_TIMEOUT_MS and the
 * deadline; a 2xx whose body is a whole TwiML document (UTF-8, at most
 * INBOUND_TWIML_MAX bytes, <Response> ... </Response>, after an optional
 * XML declaration) is the answer; anything else is logged and the
 * out-of-session message (and forward number) answers instead.
 */
enum inbound_outcome inbound_route_call(struct twilio *t, struct callback *cb,
		    const struct inbound_opts *o, const char *from,
		    const char *called, const char *call_sid, long long deadline,
		    char **twiml, struct inbound_call *info);

/*
 * The TwiML of a lone <Say> of text with o's voice and language: an
 * allocated string, free with free(); NULL when memory ran out.
 */
char		*inbound_say(const struct inbound_opts *o, const char *text);

#endif
