/*
 * session: creating a masked session (SPEC §4 steps 1 to 4).
 *
 * Two sequential Twilio round trips whatever the number of parties: the
 * per-address look-ups run together with the conversation's creation, and
 * each participant is added as soon as both its look-up and the creation
 * are done, all participants at once. A participant whose proxy number turns
 * out to be taken (Twilio code 50416) moves to its next candidate.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdbool.h>
#include <json-c/json.h>

#include "core/err.h"
#include "svc/pool.h"

struct pool;
struct sessreq;
struct twilio;

/*
 * What sessions need of the configuration. Conversations get the caller's
 * uniqueName, or one made up (svc/mark): a create whose answer is lost can
 * then be found again.
 */
struct session_opts {
	const struct pool *pool;	/* the proxy numbers; borrowed */
	bool		 strict_geo;	/* only numbers of the address's region */
	/*
	 * GEO_MATCH and NUMBER_SELECTION (svc/pool): ranks every party's
	 * candidates; geo not POOL_GEO_ANY overrides strict_geo.
	 */
	struct pool_policy numbers;
	/* signs the page tokens of lists (svc/pagetok), the same at every copy */
	unsigned char	 page_key[32];
};

struct session_result {
	/* Success: the conversation, camelCase keys, plus "participants". */
	json_object	*conversation;

	/* Failure: what went wrong first. */
	long		 twilio_status;	/* Twilio's HTTP status, 0 if none */
	long		 twilio_code;	/* Twilio's error code, 0 if none */
	char		 message[512];
	char		 address[20];	/* ERR_POOL: the number left without */
	int		 cleanup_failed; /* the half-made conversation may remain:
					    conversation_sid, when known */
	char		 conversation_sid[40];	/* of a failed session, if created */
	/*
	 * A refusal of the service's own (not Twilio's): its status and
	 * error code (static), else 0 and NULL.
	 */
	int		 status;
	const char	*error;
};

#define SESSION_MAX_PARTIES	50

/*
 * Creates the session r asks for (r and o are borrowed for the call).
 * Returns ERR_OK and res->conversation (an allocated object, free with
 * session_result_free()), or the first failure:
 * ERR_POOL (no free number for res->address), ERR_TWILIO (Twilio refused;
 * see twilio_status/code), ERR_TRANSPORT, ERR_TIMEOUT (deadline, monotonic
 * ms), ERR_NOMEM. On failure after the conversation was created, the
 * conversation has been deleted before this returns; so has one whose
 * create failed without a clear answer (looked up by its unique name).
 * res is filled either way (free it with session_result_free()).
 */
enum err	session_create(struct twilio *t, const struct session_opts *o,
		    const struct sessreq *r, long long deadline,
		    struct session_result *res);
/*
 * Adds the participants r (an SESSREQ_ADD request) names to session id (a
 * SID or unique name), as session_create() adds them: each address looked
 * up, its proxy ranked, 50416 moving it to its next candidate; all at once,
 * with the session's fetch and participant list. All or nothing: if one
 * cannot be added, those added are removed again before this returns.
 * Returns ERR_OK and res->conversation = {"participants": [the new ones]};
 * the failures of session_create(), and ERR_NOTFOUND (no such session:
 * res->status 404) or ERR_INVAL (res->status 409: the session would have
 * more than SESSION_MAX_PARTIES, or an address is in it already).
 */
enum err	session_add(struct twilio *t, const struct session_opts *o,
		    const char *id, const struct sessreq *r, long long deadline,
		    struct session_result *res);
/*
 * Twilio's conversation conv as /sessions shows it: its keys camelCased,
 * "attributes" the caller's own, and §10's ttl, dateExpiry and mode when
 * the service keeps them. An allocated object (json_object_put()), or NULL
 * when memory runs out; conv is borrowed.
 */
json_object	*session_view(json_object *conv);
/* Frees what res holds (not res itself); res may be NULL. */
void		session_result_free(struct session_result *res);

#endif
