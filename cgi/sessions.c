/*
 * sessions.fcgi: POST /sessions, called by the operator's backend with HTTP
 * basic auth, creates a masked session (SPEC §4).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/server.h"
#include "core/log.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "web/auth.h"

#define UNAUTHORIZED_HEADERS	"WWW-Authenticate: Basic realm=\"sessions\"\r\n"

static void
unavailable(struct app *a, struct http_req *req)
{
	(void)req;
	http_reply_error(a->conn, 503, "not_configured", "the service is not "
	    "configured: see the log for what is missing", NULL);
}

static void
unauthorized(struct app *a, const char *message)
{
	json_object *j;

	if ((j = json_object_new_object()) == NULL)
		return;
	json_object_object_add(j, "error", json_object_new_string("unauthorized"));
	json_object_object_add(j, "message", json_object_new_string(message));
	http_reply_json(a->conn, 401, j, UNAUTHORIZED_HEADERS);
	json_object_put(j);
}

/* Whether the Content-Type is JSON (parameters such as charset allowed). */
static int
is_json(const char *ctype)
{
	size_t n = strlen("application/json");

	return strncasecmp(ctype, "application/json", n) == 0 &&
	    (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

/* Answers a failed session with the status SPEC §4 gives it. */
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

static void
handle(struct app *a, struct http_req *req)
{
	const struct config	*c = a->cfg;
	struct sessreq		 r;
	struct sessreq_error	 why;
	struct session_result	 res;
	enum err		 e;

	switch (auth_basic_check(req->authorization, c->auth_username,
	    c->auth_password)) {
	case AUTH_OK:
		break;
	case AUTH_MISSING:
		unauthorized(a, "basic authentication required");
		return;
	case AUTH_MALFORMED:
		log_warn("/sessions: malformed basic-auth credentials");
		unauthorized(a, "malformed basic authentication credentials");
		return;
	case AUTH_WRONG:
		log_warn("/sessions: wrong basic-auth credentials");
		unauthorized(a, "wrong credentials");
		return;
	}
	if (req->body_err == ERR_TOOBIG) {
		http_reply_error(a->conn, 413, "body_too_large", "the body is "
		    "over 64 KiB", NULL);
		return;
	}
	if (req->body_err != ERR_OK) {
		http_reply_error(a->conn, 400, "bad_body", "the body is shorter "
		    "than its Content-Length, or the length is invalid", NULL);
		return;
	}
	if (!is_json(req->content_type)) {
		http_reply_error(a->conn, 415, "unsupported_media_type",
		    "the body must be application/json", NULL);
		return;
	}
	if ((e = sessreq_parse(&r, buf_str(&req->body), req->body.len,
	    &why)) == ERR_OK && (e = sessreq_check_pool(&r, c->pool,
	    &why)) != ERR_OK)
		sessreq_free(&r);
	if (e != ERR_OK) {
		if (e == ERR_NOMEM)
			http_reply_error(a->conn, 500, "internal_error",
			    "out of memory", NULL);
		else
			http_reply_error(a->conn, 400, e == ERR_PARSE ?
			    "invalid_json" : "invalid_request", why.message,
			    why.field);
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

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	"sessions", "/sessions", CONFIG_FOR_SESSIONS, handle, unavailable
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
