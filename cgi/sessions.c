/*
 * sessions.fcgi: POST /sessions, called by the operator's backend with HTTP
 * basic auth, creates a masked session (SPEC §4); sessions.fcgi --reap
 * deletes the conversations a worker that died left half-made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answer.h"
#include "app/server.h"
#include "core/log.h"
#include "svc/reap.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "twilio/twilio.h"
#include "web/auth.h"

static void
unavailable(struct app *a, struct http_req *req)
{
	(void)req;
	http_reply_error(a->conn, 503, "not_configured", "the service is not "
	    "configured: see the log for what is missing", NULL, NULL);
}

/* Whether the Content-Type is JSON (parameters such as charset allowed). */
static int
is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	return strncasecmp(ctype, "application/json", n) == 0 &&
	    (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

/*
 * Answers a failed session with the status SPEC §4 gives it. Here rather
 * than in answer.c: it is /sessions' own reading of a session_result, which
 * no other program has.
 */
static void
reply_failure(struct app *a, enum err e, const struct session_result *res)
{
	json_object	*j;
	int		 status;
	const char	*code;

	switch (e) {
	case ERR_POOL:
		status = 500;
		code = "pool_exhausted";
		break;
	case ERR_TWILIO:
		/*
		 * Twilio refused what the caller asked for: keep its status.
		 * Its 401/403 are about our credentials, not the caller's,
		 * and 429 and 5xx are Twilio failing: those are 502.
		 */
		if (res->twilio_status >= 400 && res->twilio_status < 500 &&
		    res->twilio_status != 401 && res->twilio_status != 403 &&
		    res->twilio_status != 429) {
			status = (int)res->twilio_status;
			code = "twilio_rejected";
		} else {
			status = 502;
			code = "twilio_error";
		}
		break;
	case ERR_TIMEOUT:
		status = 504;
		code = "timeout";
		break;
	case ERR_TRANSPORT:
		status = 502;
		code = "twilio_unreachable";
		break;
	default:
		status = 500;
		code = "internal_error";
		break;
	}
	if ((j = json_object_new_object()) == NULL)
		return;
	json_object_object_add(j, "error", json_object_new_string(code));
	json_object_object_add(j, "message", json_object_new_string(res->message));
	if (e == ERR_POOL)
		json_object_object_add(j, "address",
		    json_object_new_string(res->address));
	if (res->twilio_status != 0)
		json_object_object_add(j, "twilioStatus",
		    json_object_new_int64(res->twilio_status));
	if (res->twilio_code != 0)
		json_object_object_add(j, "twilioCode",
		    json_object_new_int64(res->twilio_code));
	/*
	 * The half-made conversation could not be deleted: say which, so that
	 * the caller (or the reaper, later) can remove it.
	 */
	if (res->cleanup_failed) {
		json_object_object_add(j, "cleanedUp", json_object_new_boolean(0));
		if (res->conversation_sid[0] != '\0')
			json_object_object_add(j, "conversationSid",
			    json_object_new_string(res->conversation_sid));
	}
	http_reply_json(a->conn, status, j, NULL);
	json_object_put(j);
}

/* POST /sessions */
static void
create(struct app *a, struct http_req *req, const struct route_match *m)
{
	const struct config	*c = a->cfg;
	struct sessreq		 r;
	struct sessreq_error	 why;
	struct session_result	 res;
	enum err		 e;

	(void)m;
	switch (auth_basic_check(req->authorization, c->auth_username,
	    c->auth_password)) {
	case AUTH_OK:
		break;
	case AUTH_MISSING:
		answer_unauthorized(a, "basic authentication required");
		return;
	case AUTH_MALFORMED:
		log_warn("/sessions: malformed basic-auth credentials");
		answer_unauthorized(a, "malformed basic authentication credentials");
		return;
	case AUTH_WRONG:
		log_warn("/sessions: wrong basic-auth credentials");
		answer_unauthorized(a, "wrong credentials");
		return;
	}
	if (req->body_err == ERR_TOOBIG) {
		http_reply_error(a->conn, 413, "body_too_large", "the body is "
		    "over 64 KiB", NULL, NULL);
		return;
	}
	if (req->body_err != ERR_OK) {
		http_reply_error(a->conn, 400, "bad_body", "the body is shorter "
		    "than its Content-Length, or the length is invalid", NULL,
		    NULL);
		return;
	}
	if (!is_json(req->content_type)) {
		http_reply_error(a->conn, 415, "unsupported_media_type",
		    "the body must be application/json", NULL, NULL);
		return;
	}
	if ((e = sessreq_parse(&r, buf_str(&req->body), req->body.len,
	    &why)) == ERR_OK && (e = sessreq_check_pool(&r, c->pool,
	    &why)) != ERR_OK)
		sessreq_free(&r);
	if (e != ERR_OK) {
		if (e == ERR_NOMEM)
			http_reply_error(a->conn, 500, "internal_error",
			    "out of memory", NULL, NULL);
		else
			http_reply_error(a->conn, 400, e == ERR_PARSE ?
			    "invalid_json" : "invalid_request", why.message,
			    why.field, NULL);
		return;
	}
	e = session_create(a->tw, &c->session, &r, a->deadline, &res);
	if (e == ERR_OK) {
		http_reply_json(a->conn, 200, res.conversation, NULL);
		log_info("session %s created with %zu participants",
		    res.conversation_sid, r.naddresses);
	} else {
		log_warn("session failed: %s", res.message);
		reply_failure(a, e, &res);
	}
	session_result_free(&res);
	sessreq_free(&r);
}

#define REAP_ARGS	"[--reap-min-age SECONDS] [--reap-window SECONDS]"

/*
 * --reap: deletes the conversations that workers which died half-way left
 * behind (reap.h). By default only those at least three request deadlines
 * old (no live request can still be adding to them) and at most a day old.
 */
static int
reap(int argc, char *argv[], const struct config *c)
{
	struct twilio		*t = NULL;
	struct reap_stats	 s;
	long			 min_age = -1, window = 86400;
	enum err		 e;
	int			 i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--reap-min-age") == 0 && i + 1 < argc)
			min_age = atol(argv[++i]);
		else if (strcmp(argv[i], "--reap-window") == 0 && i + 1 < argc)
			window = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: sessions.fcgi --reap "
			    REAP_ARGS "\n");
			return 2;
		}
	}
	/* Only what every program needs matters here (not the pool, say). */
	for (i = 0; i < c->nproblems; i++)
		if (c->problems[i].scope == CONFIG_FOR_ALL) {
			fprintf(stderr, "reap: %s\n", c->problems[i].text);
			return 1;
		}
	if (min_age < 0)
		min_age = 3 * (c->request_timeout_ms / 1000 + 5);
	if ((e = twilio_new(&t, &c->twilio)) != ERR_OK)
		return 1;
	e = reap_run(t, min_age, window, &s);
	twilio_free(t);
	printf("reap: %lu conversations examined, %lu half-made, %lu deleted, "
	    "%lu failed\n", s.examined, s.half_made, s.deleted, s.failed);
	return e == ERR_OK && s.failed == 0 ? 0 : 1;
}

static const struct route routes[] = {
	SERVER_ROUTE("POST", "/sessions", create),
};

static const struct server_cmd cmds[] = {
	{ "--reap", REAP_ARGS, "deletes the conversations left half-made by a "
	    "worker that died.", reap },
};

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	.name = "sessions",
	.scope = CONFIG_FOR_SESSIONS,
	SERVER_ROUTES(routes),
	.cmds = cmds,
	.ncmds = sizeof(cmds) / sizeof(cmds[0]),
	.unavailable = unavailable,
	ANSWER_FRAME,
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
