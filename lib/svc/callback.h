/*
 * callback: requests to the operator's own backend (SPEC §12), signed so
 * that the operator can trust them: the events of the service (session,
 * message and call events) and the questions the service asks (the
 * intercept callback of §11, the out-of-session TwiML of §13).
 *
 * Every request is a JSON POST with the header
 *	X-Masked-Signature: t={unix seconds},v1={hex HMAC-SHA256}
 * the HMAC keyed with CALLBACK_SECRET over "{t}.{body}". callback_verify()
 * is the operator's side of it, in C; deploy/operator/verify.{py,js} are
 * the same in the operator's languages.
 *
 * One client per worker thread, on net/httpc (and so on the process's
 * connection cache), without Twilio's credentials: its headers are
 * Content-Type: application/json and User-Agent: masked/VERSION only.
 *
 *	struct callback *cb;
 *	if (callback_new(&cb, &cfg->callback) != ERR_OK) ...
 *	e = callback_deliver(cb, "message.added", message_sid, conv_sid,
 *	    data, deadline);	// ERR_OK: the operator has it (or no URL)
 *	callback_free(cb);
 */
#ifndef CALLBACK_H
#define CALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"

struct callback;

#define CALLBACK_SIG_HEADER	"X-Masked-Signature"
/* A signature header's value: "t=" 19 digits ",v1=" 64 hex, and the NUL. */
#define CALLBACK_SIG_MAX	96
/* The longest header callback_verify() reads (rotation: several v1). */
#define CALLBACK_SIG_HEADER_MAX	1024
/* The most of an answer callback_ask() keeps. */
#define CALLBACK_ANSWER_MAX	(64 * 1024)
/* The largest request body (an event, a question). */
#define CALLBACK_BODY_MAX	(64 * 1024)

/* What the client needs; the strings are the owner's (config). */
struct callback_opts {
	char		*events_url;	/* CALLBACK_URL; NULL: no events */
	char		*secret;	/* CALLBACK_SECRET */
	long		 budget_ms;	/* CALLBACK_TIMEOUT_MS: one delivery, retries included */
	const char	*ca_file;	/* CAs for the operator's TLS; NULL: the system's */
	long		 max_connections;	/* httpc_opts' */
};

/*
 * Makes a client for the options o, which it borrows (they must outlive
 * the client). Returns an allocated client in *out, free with
 * callback_free(); ERR_NOMEM. Made whether or not events_url is set: the
 * questions of callback_ask() go to URLs of their own.
 */
enum err	 callback_new(struct callback **out,
		    const struct callback_opts *o);
/* Frees cb; cb may be NULL. */
void		 callback_free(struct callback *cb);
/*
 * The HTTP engine under cb: borrowed, valid until callback_free(cb). For
 * unit tests, which replace the wire (httpc_set_transport()).
 */
struct httpc	*callback_http(struct callback *cb);
/* Whether cb sends events (a client with an events_url); cb may be NULL. */
bool		 callback_enabled(const struct callback *cb);
/* CALLBACK_TIMEOUT_MS of cb's options (cb not NULL). */
long		 callback_budget_ms(const struct callback *cb);

/*
 * Writes the X-Masked-Signature value of body (len bytes) at unix time t,
 * keyed with secret (NULL counts as ""), into out (outlen bytes, at least
 * CALLBACK_SIG_MAX): "t={t},v1={64 lowercase hex}". out is "" if outlen
 * is too small.
 */
void		 callback_sign(const char *secret, long long t, const char *body,
		    size_t len, char *out, size_t outlen);
/*
 * The operator's side: whether header (an X-Masked-Signature value, NULL
 * allowed) signs body (len bytes) with secret, at unix time now. The
 * header must be comma-separated key=value items, exactly one t (decimal
 * digits) and one or more v1 (64 hex digits each: several during a secret
 * rotation, any one matching will do); items with other keys are ignored
 * (schemes to come), anything else malformed is refused. t more than
 * tolerance_s seconds before or after now is refused (a replay). The
 * comparison is in constant time. Everything is borrowed.
 */
bool		 callback_verify(const char *secret, const char *header,
		    const char *body, size_t len, long long now,
		    long tolerance_s);

/*
 * The JSON text of an event: {"id", "type", "createdAt", "sessionSid",
 * "data"}. id is "EV" and 32 hex digits made from (type, id_key) by
 * SHA-256, so that an event made again for the same thing (Twilio
 * delivering its webhook again) has the same id and the operator can drop
 * the duplicate; id_key NULL: a random id. createdAt is now, ISO 8601 in
 * UTC with milliseconds. session_sid NULL: null. data (borrowed, NULL:
 * {}) is copied in. Returns an allocated string, free with free(); NULL
 * when memory runs out.
 */
char		*callback_event(const char *type, const char *id_key,
		    const char *session_sid, json_object *data);

/*
 * Sends event (len bytes, as callback_event() made it) to the events URL,
 * signed; retried with backoff on 429, 5xx and transport errors until
 * min(now + budget_ms, deadline) (monotonic ms). Returns ERR_OK on a 2xx,
 * or when cb is NULL or has no events URL (nothing sent); else
 * ERR_TRANSPORT or ERR_TIMEOUT (logged on one line, with neither the
 * secret nor a phone number), ERR_TOOBIG (over CALLBACK_BODY_MAX),
 * ERR_NOMEM. Everything is borrowed.
 */
enum err	 callback_send(struct callback *cb, const char *event,
		    size_t len, long long deadline);
/*
 * callback_event() then callback_send(): the event of that type about
 * session_sid, with data (borrowed), to the operator. Returns as
 * callback_send() does.
 */
enum err	 callback_deliver(struct callback *cb, const char *type,
		    const char *id_key, const char *session_sid,
		    json_object *data, long long deadline);

/*
 * Asks the operator: one signed POST of json (len bytes) to url, retried
 * only when it never left (no connection made) and while deadline
 * (monotonic ms) allows. *status is the answer's HTTP status (0 when
 * none), answer (the caller's, initialised) gets its body, at most
 * CALLBACK_ANSWER_MAX bytes. Returns ERR_OK when an answer came, whatever
 * its status; ERR_TRANSPORT (no answer, or one over the limit),
 * ERR_TIMEOUT, ERR_TOOBIG (json over CALLBACK_BODY_MAX, url too long),
 * ERR_INVAL (cb or url NULL), ERR_NOMEM, with why (whylen bytes, "" on
 * success) saying what happened, without the secret. Everything is
 * borrowed.
 */
enum err	 callback_ask(struct callback *cb, const char *url,
		    const char *json, size_t len, long long deadline,
		    long *status, struct buf *answer, char *why,
		    size_t whylen);

#endif
