/*
 * sessreq: the JSON bodies of /sessions and the paths below it (SPEC §4,
 * §9, §10), parsed and validated.
 *
 * A session's properties are the camelCase names of Twilio's SDKs; each
 * maps to one form parameter of Twilio's Create- or UpdateConversation,
 * which the request carries already encoded, ready to send. What the
 * service keeps for itself (§10's ttl, dateExpiry, mode) and the caller's
 * attributes are kept apart: they are joined into the one Attributes
 * parameter when the request is made (svc/sessattr).
 */
#ifndef SESSREQ_H
#define SESSREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "svc/sessattr.h"

struct pool;

#define SESSREQ_MAX_ADDRESSES	50
#define SESSREQ_MAX_DEPTH	8	/* JSON nesting allowed in a body */

#define SESSREQ_TTL_MIN		600	/* seconds: Twilio's closed timer's least */
#define SESSREQ_TTL_MAX		(10L * 366 * 86400)
#define SESSREQ_BODY_MAX	1600	/* characters of a message */

/* Which body: they share their parsing, and differ in the keys they take. */
enum sessreq_kind {
	SESSREQ_CREATE,		/* POST /sessions */
	SESSREQ_UPDATE,		/* POST /sessions/{id} */
	SESSREQ_ADD,		/* POST /sessions/{id}/participants */
	SESSREQ_SAY,		/* POST /sessions/{id}/messages */
	SESSREQ_TELL,		/* POST .../participants/{p}/messages */
};

struct sessreq {
	enum sessreq_kind kind;
	char		*addresses[SESSREQ_MAX_ADDRESSES];
	size_t		 naddresses;
	bool		 one_address;	/* ADD: given as "address", not "addresses" */
	/*
	 * CREATE and UPDATE: the conversation's parameters but UniqueName and
	 * Attributes; SAY: the message's parameters but Attributes.
	 */
	struct buf	 create_form;
	char		*unique_name;	/* UniqueName, kept apart: NULL if not given */
	char		*attributes;	/* the caller's Attributes text, or NULL */
	/* §10, on CREATE and UPDATE: what was given (on UPDATE, null clears) */
	bool		 set_ttl, set_expiry, set_mode;
	struct sessattr	 keep;		/* their values */
	bool		 timers;	/* Timers.* are in the form */
	bool		 state;		/* State is in the form */
	/* SAY and TELL */
	char		*body;		/* the message's text */
	/*
	 * §13's "call", on CREATE and UPDATE: which of its keys were given
	 * (SESSREQ_CALL_*; on UPDATE a null clears, "call": null all three),
	 * their values in keep.call_*.
	 */
	unsigned	 set_call;
};

#define SESSREQ_CALL_RECORD		0x1u
#define SESSREQ_CALL_TIME_LIMIT		0x2u
#define SESSREQ_CALL_RING_TIMEOUT	0x4u
#define SESSREQ_CALL_ALL		0x7u

/* Why a body was refused: the offending field (or NULL) and a sentence. */
struct sessreq_error {
	const char	*field;		/* NULL, or points at field_name */
	char		 message[256];
	char		 field_name[72];	/* the field, as sent (cut) */
};

/*
 * Parses len bytes of JSON at body (borrowed for the call) into r, which
 * need not be initialised, in steps: the strict check (jsoncheck), json-c's
 * parse of an object, its properties, then the addresses, then any escaped
 * NUL. On success r holds allocated copies of what it needs: free r with
 * sessreq_free(). On failure r needs no freeing, why->message says why and
 * why->field names the field (or is NULL), and the result is ERR_PARSE (the
 * body is not JSON), ERR_INVAL (JSON, but not what /sessions takes; a value
 * too long for the form is one), or ERR_NOMEM (memory ran out: no fault of
 * the body, and why->message may be empty; not a 400).
 */
enum err	sessreq_parse(struct sessreq *r, const char *body, size_t len,
		    struct sessreq_error *why);
/*
 * The same for a body of the given kind: each takes its own keys (see the
 * README's table) and refuses every other one. now (epoch seconds) is the
 * time expiresIn counts from, and before which a dateExpiry is refused.
 */
enum err	sessreq_parse_as(struct sessreq *r, enum sessreq_kind kind,
		    const char *body, size_t len, long long now,
		    struct sessreq_error *why);
/* Frees what sessreq_parse() filled r with; r may be NULL; twice is harmless. */
void		sessreq_free(struct sessreq *r);

/*
 * Refuses, with ERR_INVAL and why naming it, an address that is one of the
 * pool's own numbers: a proxy number cannot also be a participant, and
 * would be handed itself as its proxy. ERR_OK otherwise (p may be NULL: no
 * pool, nothing refused). r and p are borrowed for the call.
 */
enum err	sessreq_check_pool(const struct sessreq *r, const struct pool *p,
		    struct sessreq_error *why);

/*
 * Returns a copy of Twilio's snake_case object j with its top-level keys in
 * camelCase ("chat_service_sid" -> "chatServiceSid"), as Twilio's Node SDK
 * does; the values are shared with j (reference counted). Returns an
 * allocated object, free with json_object_put(); NULL when j is not an
 * object or memory runs out. A key is cut at 127 bytes, on a character's
 * edge; j is borrowed for the call.
 */
json_object	*sessreq_camelize(json_object *j);

#endif
