/*
 * answer: the answers the programs share, statuses in one place.
 *
 * The library reports what happened (an enum err, route_find()'s
 * ERR_NOTFOUND or ERR_METHOD, server_webhook()'s refusals); which HTTP
 * status and body that makes is chosen here, once for the three programs.
 * Each function answers the request a->conn holds; a request already
 * answered is left as it was (http_reply()'s rule). Everything passed is
 * borrowed.
 */
#ifndef ANSWER_H
#define ANSWER_H

#include "app/server.h"

/*
 * The answers every struct server_prog takes from here:
 *	static const struct server_prog prog = { ..., ANSWER_FRAME };
 */
#define ANSWER_FRAME \
	.no_route = answer_no_route, .unanswered = answer_unanswered

/* The realm of the basic-auth challenge on 401. */
#define ANSWER_REALM	"sessions"

/*
 * A request no route is for (struct server_prog's no_route): 404
 * not_found for ERR_NOTFOUND, 405 method_not_allowed with "Allow: " and
 * m->allow for ERR_METHOD, both JSON errors.
 */
void	answer_no_route(struct app *a, struct http_req *req, enum err e,
	    const struct route_match *m);

/*
 * A request the handler did not answer (struct server_prog's unanswered):
 * 500 internal_error. It allocates nothing, so that it also answers when
 * what failed was an allocation.
 */
void	answer_unanswered(struct app *a, struct http_req *req);

/*
 * Reads a webhook with server_webhook() into f, and answers it when it is
 * refused, in plain text, since it is no Twilio event to answer: 403 for
 * ERR_DENIED (not Twilio's), 413 for ERR_TOOBIG, 500 for ERR_NOMEM and
 * ERR_SYS (ours to fix), 400 for the rest (a body that cannot be read as
 * a form); Twilio does not retry 4xx. Returns server_webhook()'s result;
 * f is for the caller to free with form_free() on ERR_OK, and already
 * freed otherwise.
 */
enum err	answer_webhook(struct app *a, struct http_req *req, struct form *f);

/* status with s (borrowed) as a plain-text body, UTF-8. */
void	answer_text(struct app *a, int status, const char *s);

/*
 * 401 unauthorized with message and the challenge
 * "WWW-Authenticate: Basic realm=" ANSWER_REALM.
 */
void	answer_unauthorized(struct app *a, const char *message);

#endif
