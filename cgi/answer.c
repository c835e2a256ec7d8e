/*
 * answer: the answers the programs share, statuses in one place (answer.h).
 */
#include <stdio.h>
#include <string.h>

#include "answer.h"

void
answer_no_route(struct app *a, struct http_req *req, enum err e,
    const struct route_match *m)
{
	char	headers[sizeof(m->allow) + 16];
	char	message[sizeof(m->allow) + 32];

	(void)req;
	if (e != ERR_METHOD) {
		http_reply_error(a->conn, 404, "not_found", "this program "
		    "serves nothing at this path", NULL, NULL);
		return;
	}
	snprintf(headers, sizeof(headers), "Allow: %s\r\n", m->allow);
	/* "only POST is served here", "only GET, POST are served here" */
	snprintf(message, sizeof(message), "only %s %s served here", m->allow,
	    strchr(m->allow, ',') != NULL ? "are" : "is");
	http_reply_error(a->conn, 405, "method_not_allowed", message, NULL,
	    headers);
}

void
answer_unanswered(struct app *a, struct http_req *req)
{
	/* Written out: making it with json-c could fail as the handler did. */
	static const char body[] = "{\"error\":\"internal_error\","
	    "\"message\":\"the request was not answered\"}";

	(void)req;
	http_reply(a->conn, 500, "application/json", NULL, body,
	    sizeof(body) - 1);
}

enum err
answer_webhook(struct app *a, struct http_req *req, struct form *f)
{
	char		body[128];
	int		status;
	enum err	e;

	if ((e = server_webhook(a, req, f)) == ERR_OK)
		return ERR_OK;
	form_free(f);
	switch (e) {
	case ERR_DENIED:
		status = 403;
		break;
	case ERR_TOOBIG:
		status = 413;
		break;
	case ERR_NOMEM:
	case ERR_SYS:
		status = 500;
		break;
	default:
		status = 400;
		break;
	}
	snprintf(body, sizeof(body), "%s\n", server_webhook_strerror(e));
	answer_text(a, status, body);
	return e;
}

void
answer_text(struct app *a, int status, const char *s)
{
	http_reply(a->conn, status, "text/plain; charset=utf-8", NULL, s,
	    strlen(s));
}

void
answer_unauthorized(struct app *a, const char *message)
{
	http_reply_error(a->conn, 401, "unauthorized", message, NULL,
	    "WWW-Authenticate: Basic realm=\"" ANSWER_REALM "\"\r\n");
}
