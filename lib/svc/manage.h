/*
 * manage: what /sessions does with a session once it is made (SPEC §9,
 * §10): fetch, list, update, delete, its participants, its messages.
 * Creating and adding participants are svc/session's.
 *
 * Each call runs its Twilio requests (the fewest sequential round trips it
 * can, independent ones together) until deadline (monotonic ms) and fills
 * a session_result (svc/session.h): on ERR_OK, res->conversation is the
 * answer's body (NULL when there is none, as for a delete); on failure,
 * res says what went wrong: Twilio's status and code, or a refusal of the
 * service's own (res->status and res->error: 404 session_not_found or
 * participant_not_found, 400 invalid_page_token or invalid_request). Free
 * res with session_result_free() either way. Every argument is borrowed
 * for the call.
 */
#ifndef MANAGE_H
#define MANAGE_H

#include <stdbool.h>

#include "core/err.h"
#include "svc/session.h"

struct sessreq;
struct twilio;

#define MANAGE_PAGE_SIZE	50	/* a list's page when not asked */

/* What a list asks for (query parameters, checked by the caller). */
struct manage_query {
	const char	*address;	/* a person's sessions (E.164), or NULL */
	const char	*state;		/* active, inactive, closed, or NULL */
	int		 size;		/* 1 to 100 */
	const char	*token;		/* pageToken, or NULL: the first page */
	bool		 newest_first;	/* messages: order=desc */
};

/* GET /sessions/{id}: the conversation and its participants, together. */
enum err	manage_fetch(struct twilio *t, const struct session_opts *o,
		    const char *id, long long deadline,
		    struct session_result *res);
/* GET /sessions: one page of the account's or a person's sessions. */
enum err	manage_list(struct twilio *t, const struct session_opts *o,
		    const struct manage_query *q, long long deadline,
		    struct session_result *res);
/* POST /sessions/{id}: r is an SESSREQ_UPDATE request. */
enum err	manage_update(struct twilio *t, const struct session_opts *o,
		    const char *id, const struct sessreq *r, long long deadline,
		    struct session_result *res);
/* DELETE /sessions/{id}. */
enum err	manage_delete(struct twilio *t, const struct session_opts *o,
		    const char *id, long long deadline,
		    struct session_result *res);
/* GET /sessions/{id}/participants. */
enum err	manage_participants(struct twilio *t,
		    const struct session_opts *o, const char *id,
		    long long deadline, struct session_result *res);
/* DELETE /sessions/{id}/participants/{who}: who is an MB SID or E.164. */
enum err	manage_remove(struct twilio *t, const struct session_opts *o,
		    const char *id, const char *who, long long deadline,
		    struct session_result *res);
/* POST /sessions/{id}/messages: r is an SESSREQ_SAY request. */
enum err	manage_say(struct twilio *t, const struct session_opts *o,
		    const char *id, const struct sessreq *r, long long deadline,
		    struct session_result *res);
/* POST /sessions/{id}/participants/{who}/messages: SESSREQ_TELL. */
enum err	manage_tell(struct twilio *t, const struct session_opts *o,
		    const char *id, const char *who, const struct sessreq *r,
		    long long deadline, struct session_result *res);
/* GET /sessions/{id}/messages: one page of its messages. */
enum err	manage_log(struct twilio *t, const struct session_opts *o,
		    const char *id, const struct manage_query *q,
		    long long deadline, struct session_result *res);

#endif
