/*
 * sessions.fcgi: POST /sessions, called by the operator's backend with HTTP
 * basic auth, creates a masked session (SPEC §4); sessions.fcgi --reap
 * deletes the conversations a worker that died left half-made.
 */
#include <stdbool.h>
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
 * The status and error code SPEC §4 gives a failed session. Twilio refusing
 * what the caller asked for keeps Twilio's status; its 401/403 are about our
 * credentials, not the caller's, and 429 and 5xx are Twilio failing: 502.
 */
static int
failure_status(enum err e, const struct session_result *res, const char **code)
{
	long ts = res->twilio_status;

	switch (e) {
	case ERR_POOL:
		*code = "pool_exhausted";
		return 500;
	case ERR_TWILIO:
		if (ts >= 400 && ts < 500 && ts != 401 && ts != 403 && ts != 429) {
			*code = "twilio_rejected";
			return (int)ts;
		}
		*code = "twilio_error";
		return 502;
	case ERR_TIMEOUT:
		*code = "timeout";
		return 504;
	case ERR_TRANSPORT:
		*code = "twilio_unreachable";
		return 502;
	default:
		*code = "internal_error";
		return 500;
	}
}

/*
 * Answers a failed session. Here rather than in answer.c: it is /sessions'
 * own reading of a session_result, which no other program has.
 */
static void
reply_failure(struct app *a, enum err e, const struct session_result *res)
{
	json_object	*j;
	const char	*code;
	int		 status = failure_status(e, res, &code);

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

/* Whether the caller's basic-auth credentials are the configured pair; answers 401 if not. */
static bool
authorized(struct app *a, struct http_req *req)
{
	const struct config *c = a->cfg;

	switch (auth_basic_check(req->authorization, c->auth_username,
	    c->auth_password)) {
	case AUTH_OK:
		return true;
	case AUTH_MISSING:
		answer_unauthorized(a, "basic authentication required");
		break;
	case AUTH_MALFORMED:
		log_warn("/sessions: malformed basic-auth credentials");
		answer_unauthorized(a, "malformed basic authentication credentials");
		break;
	case AUTH_WRONG:
		log_warn("/sessions: wrong basic-auth credentials");
		answer_unauthorized(a, "wrong credentials");
		break;
	}
	return false;
}

/*
 * Reads the JSON body into r (free with sessreq_free()) and returns true,
 * or answers why it cannot be taken (413, 400, 415) and returns false.
 */
static bool
read_request(struct app *a, struct http_req *req, struct sessreq *r)
{
	struct sessreq_error	 why;
	enum err		 e;

	if (req->body_err == ERR_TOOBIG) {
		http_reply_error(a->conn, 413, "body_too_large", "the body is "
		    "over 64 KiB", NULL, NULL);
		return false;
	}
	if (req->body_err != ERR_OK) {
		http_reply_error(a->conn, 400, "bad_body", "the body is shorter "
		    "than its Content-Length, or the length is invalid", NULL,
		    NULL);
		return false;
	}
	if (!is_json(req->content_type)) {
		http_reply_error(a->conn, 415, "unsupported_media_type",
		    "the body must be application/json", NULL, NULL);
		return false;
	}
	if ((e = sessreq_parse(r, buf_str(&req->body), req->body.len,
	    &why)) == ERR_OK && (e = sessreq_check_pool(r, a->cfg->pool,
	    &why)) != ERR_OK)
		sessreq_free(r);
	if (e == ERR_NOMEM)
		http_reply_error(a->conn, 500, "internal_error",
		    "out of memory", NULL, NULL);
	else if (e != ERR_OK)
		http_reply_error(a->conn, 400, e == ERR_PARSE ?
		    "invalid_json" : "invalid_request", why.message,
		    why.field, NULL);
	return e == ERR_OK;
}

/* POST /sessions */
static void
create(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct sessreq		 r;
	struct session_result	 res;
	enum err		 e;

	(void)m;
	if (!authorized(a, req) || !read_request(a, req, &r))
		return;
	e = session_create(a->tw, &a->cfg->session, &r, a->deadline, &res);
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
