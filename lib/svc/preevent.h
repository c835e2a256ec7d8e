/*
 * preevent: the Conversations pre-event webhook (SPEC §11): a message on its
 * way into a session is allowed, changed or blocked before anyone gets it.
 *
 * For an onMessageAdd from a participant (any Source but API: what the
 * operator posts through /sessions/{id}/messages is theirs and passes
 * untouched), in this order, within PREEVENT_BUDGET_MS of the webhook's
 * arrival (Twilio waits 5 seconds at most):
 * 1. the session (GET /v1/Conversations/{sid}, one Twilio round trip,
 *    PREEVENT_SESSION_MS at most): a voice-only session, or one past its
 *    dateExpiry, blocks the message; a session that cannot be read in time
 *    is not a reason to stop a message (the filter and the operator still
 *    apply), and is logged;
 * 2. the contact-detail filter (svc/filter): MESSAGE_FILTER=redact
 *    replaces each phone number and e-mail address with the mark, block
 *    blocks the message, off lets it through;
 * 3. the operator (INTERCEPT_CALLBACK_URL, svc/callback), asked with the
 *    message as JSON and answering allow, block or replace within its
 *    share of the budget; no usable answer in time: INTERCEPT_FAIL says
 *    (open: the message as it stands after 2; closed: blocked).
 */
#ifndef PREEVENT_H
#define PREEVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct callback;
struct form;
struct twilio;

/* Twilio waits 5 s: the whole answer, ours to spend, with room to send it. */
#define PREEVENT_BUDGET_MS	4500
/*
 * The session's read (step 1) at most: Twilio answers one in a few hundred
 * ms, and one that takes longer must not eat the operator's share. Past it
 * the read counts as failed (the message is not stopped for it).
 */
#define PREEVENT_SESSION_MS	1500
/* What a changed message's body may hold (Twilio's limit, in characters). */
#define PREEVENT_BODY_MAX	1600
/* What the operator's answer may hold. */
#define PREEVENT_ANSWER_MAX	(64 * 1024)

enum preevent_filter {
	PREEVENT_FILTER_REDACT,		/* default */
	PREEVENT_FILTER_BLOCK,
	PREEVENT_FILTER_OFF,
};

/* The configuration's; the strings are config's. */
struct preevent_opts {
	enum preevent_filter filter;	/* MESSAGE_FILTER */
	char		*mark;		/* MESSAGE_FILTER_MARK: what replaces a match */
	char		*intercept_url;	/* INTERCEPT_CALLBACK_URL; NULL: not asked */
	bool		 fail_closed;	/* INTERCEPT_FAIL=closed */
	long		 intercept_ms;	/* INTERCEPT_TIMEOUT_MS: the operator's share */
};

enum preevent_verdict {
	PREEVENT_IGNORED,	/* not an onMessageAdd: allowed, nothing looked at */
	PREEVENT_ALLOW,		/* as it is */
	PREEVENT_CHANGE,	/* with body in place of its own */
	PREEVENT_BLOCK,
	PREEVENT_BAD_SID,	/* no valid ConversationSid: refused */
};

struct preevent_result {
	enum preevent_verdict verdict;
	/*
	 * Why it was changed or blocked, a static word: "voice_only",
	 * "expired", "contact_details", "operator", "operator_unavailable";
	 * NULL when allowed as it was.
	 */
	const char	*reason;
	struct buf	 body;		/* PREEVENT_CHANGE: the new body */
	size_t		 redactions;	/* contact details the filter replaced */
	bool		 asked;		/* the operator was asked */
	/* The operator gave no usable answer in time: why, one line. */
	char		 operator_failure[256];
	/* From the webhook, borrowed from its form: NULL when absent. */
	const char	*sid;		/* ConversationSid */
	const char	*author;
	const char	*participant;	/* ParticipantSid */
	const char	*original;	/* Body as sent */
};

/*
 * Decides the fate of the message in webhook form f: talks to Twilio
 * through t and to the operator through cb (NULL: no operator, whatever o
 * says), by deadline (monotonic ms; the caller's is cut to
 * PREEVENT_BUDGET_MS from now). r is initialised here: free it with
 * preevent_result_free() whatever the result. Returns ERR_OK with the
 * verdict in r; ERR_NOMEM (then the caller knows nothing; allowing is
 * what Twilio does on a 5xx).
 */
enum err	preevent_decide(struct twilio *t, struct callback *cb,
		    const struct preevent_opts *o, const struct form *f,
		    long long deadline, struct preevent_result *r);
/* Frees what r holds (not r); r may be NULL. */
void		preevent_result_free(struct preevent_result *r);

/* MESSAGE_FILTER's values: "redact", "block", "off"; false for any other. */
bool		preevent_filter_parse(const char *name, enum preevent_filter *out);

/*
 * Reads the operator's answer (text, len bytes, borrowed) to an intercept
 * request: a JSON object {"action": "allow"} | {"action": "block"} |
 * {"action": "replace", "body": "..."} (an empty text: allow). On ERR_OK
 * *v is ALLOW, BLOCK or CHANGE, and a replacement body is appended to body
 * (valid UTF-8, 1 to PREEVENT_BODY_MAX characters); ERR_PARSE with *why
 * (static) for anything else; ERR_NOMEM. Exported for the unit tests and
 * the fuzz target.
 */
enum err	preevent_answer_parse(const char *text, size_t len,
		    enum preevent_verdict *v, struct buf *body, const char **why);

#endif
