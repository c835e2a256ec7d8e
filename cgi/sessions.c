/*
 * sessions.fcgi: /sessions and everything below it, called by the
 * operator's backend with HTTP basic auth: creates a masked session (SPEC
 * §4) and manages it after (§9, §10); sessions.fcgi --reap deletes the
 * conversations a worker that died left half-made, and the sessions past
 * their dateExpiry.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "answer.h"
#include "app/server.h"
#include "core/e164.h"
#include "core/form.h"
#include "core/log.h"
#include "svc/manage.h"
#include "svc/pagetok.h"
#include "svc/reap.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"
#include "core/utf8.h"
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

	if (res->status != 0) {
		*code = res->error;
		return res->status;
	}
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
	if (e == ERR_POOL || res->address[0] != '\0')
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
read_request(struct app *a, struct http_req *req, enum sessreq_kind kind,
    struct sessreq *r)
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
	if ((e = sessreq_parse_as(r, kind, buf_str(&req->body), req->body.len,
	    (long long)time(NULL), &why)) == ERR_OK &&
	    (e = sessreq_check_pool(r, a->cfg->pool, &why)) != ERR_OK)
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

/*
 * session.created for the session res made (SPEC §12): its participants
 * and names, sent once the answer is out.
 */
static void
created_event(struct app *a, const struct session_result *res)
{
	static const char *const keys[] = { "participants", "friendlyName",
	    "uniqueName" };
	json_object	*d, *v;
	size_t		 i;

	if ((d = json_object_new_object()) == NULL)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_object_get_ex(res->conversation, keys[i], &v))
			json_object_object_add(d, keys[i], json_object_get(v));
	server_event(a, "session.created", res->conversation_sid,
	    res->conversation_sid, d);
	json_object_put(d);
}

/* POST /sessions */
static void
create(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct sessreq		 r;
	struct session_result	 res;
	enum err		 e;

	(void)m;
	if (!authorized(a, req) || !read_request(a, req, SESSREQ_CREATE, &r))
		return;
	e = session_create(a->tw, &a->cfg->session, &r, a->deadline, &res);
	if (e == ERR_OK) {
		http_reply_json(a->conn, 200, res.conversation, NULL);
		log_info("session %s created with %zu participants",
		    res.conversation_sid, r.naddresses);
		created_event(a, &res);
	} else {
		log_warn("session failed: %s", res.message);
		reply_failure(a, e, &res);
	}
	session_result_free(&res);
	sessreq_free(&r);
}

/*
 * Answers a request below /sessions: its success (status, and the body
 * in res unless 204) or its failure.
 */
static void
reply(struct app *a, enum err e, int status, struct session_result *res,
    const char *what)
{
	if (e == ERR_OK) {
		if (status == 204)
			http_reply(a->conn, 204, NULL, NULL, NULL, 0);
		else
			http_reply_json(a->conn, status, res->conversation, NULL);
		return;
	}
	if (res->status != 404 && res->status != 400)
		log_warn("%s failed: %s", what, res->message);
	reply_failure(a, e, res);
}

/* The {id} of the path, or NULL (answered 404: none can be). */
static const char *
session_id(struct app *a, const struct route_match *m)
{
	const char *id = route_param(m, "id");

	if (id == NULL || id[0] == '\0' || strlen(id) > 256) {
		http_reply_error(a->conn, 404, "session_not_found", "no such "
		    "session: an id is a conversation SID or a uniqueName of at "
		    "most 256 bytes", NULL, NULL);
		return NULL;
	}
	return id;
}

/* The {participant} of the path (an MB SID or E.164), or NULL (answered 404). */
static const char *
participant_id(struct app *a, const struct route_match *m)
{
	const char *p = route_param(m, "participant");

	if (p == NULL || (!sid_valid(p, "MB") && !e164_valid(p))) {
		http_reply_error(a->conn, 404, "participant_not_found", "a "
		    "participant is named by its SID (MB...) or its E.164 "
		    "number", NULL, NULL);
		return NULL;
	}
	return p;
}

/*
 * Reads the query of a list into q (its strings borrowed from f, which
 * the caller frees with form_free()). Names what it refuses (400) and
 * returns false. allowed lists the parameters this list takes.
 */
static bool
read_query(struct app *a, struct http_req *req, const char *const *allowed,
    struct form *f, struct manage_query *q)
{
	const char	*k, *v;
	char		 msg[160], *end;
	size_t		 i, j, cut;
	long		 n;

	memset(q, 0, sizeof(*q));
	q->size = MANAGE_PAGE_SIZE;
	if (form_parse(f, req->query, strlen(req->query)) != ERR_OK) {
		http_reply_error(a->conn, 400, "invalid_request", "the query "
		    "string cannot be decoded", NULL, NULL);
		return false;
	}
	for (i = 0; i < f->n; i++) {
		k = f->pairs[i].name;
		v = f->pairs[i].value;
		for (j = 0; allowed[j] != NULL && strcmp(allowed[j], k) != 0; j++)
			;
		if (allowed[j] == NULL) {
			/* Quoted only as far as it is whole UTF-8 text. */
			cut = utf8_cut(k, 60);
			if (utf8_valid(k, cut))
				snprintf(msg, sizeof(msg), "unknown query "
				    "parameter \"%.*s\"", (int)cut, k);
			else
				snprintf(msg, sizeof(msg), "unknown query "
				    "parameter (its name is not UTF-8)");
			http_reply_error(a->conn, 400, "invalid_request", msg,
			    NULL, NULL);
			return false;
		}
		for (j = 0; j < i; j++)
			if (strcmp(f->pairs[j].name, k) == 0) {
				http_reply_error(a->conn, 400, "invalid_request",
				    "a query parameter is given twice",
				    allowed[0], NULL);
				return false;
			}
		if (strcmp(k, "address") == 0) {
			if (!e164_valid(v)) {
				http_reply_error(a->conn, 400, "invalid_request",
				    "address is not an E.164 number (+ then 2 "
				    "to 15 digits, no leading 0)", "address",
				    NULL);
				return false;
			}
			q->address = v;
		} else if (strcmp(k, "state") == 0) {
			if (strcmp(v, "active") != 0 && strcmp(v, "inactive") !=
			    0 && strcmp(v, "closed") != 0) {
				http_reply_error(a->conn, 400, "invalid_request",
				    "state must be active, inactive or closed",
				    "state", NULL);
				return false;
			}
			q->state = v;
		} else if (strcmp(k, "pageSize") == 0) {
			n = strtol(v, &end, 10);
			if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1 ||
			    n > 100) {
				http_reply_error(a->conn, 400, "invalid_request",
				    "pageSize must be an integer from 1 to 100",
				    "pageSize", NULL);
				return false;
			}
			q->size = (int)n;
		} else if (strcmp(k, "pageToken") == 0) {
			if (v[0] == '\0' || strlen(v) >= PAGETOK_MAX) {
				http_reply_error(a->conn, 400,
				    "invalid_page_token", "pageToken is not a "
				    "token this service gave", "pageToken", NULL);
				return false;
			}
			q->token = v;
		} else if (strcmp(k, "order") == 0) {
			if (strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0) {
				http_reply_error(a->conn, 400, "invalid_request",
				    "order must be asc or desc", "order", NULL);
				return false;
			}
			q->newest_first = v[0] == 'd';
		}
	}
	return true;
}

/* GET /sessions */
static void
list(struct app *a, struct http_req *req, const struct route_match *m)
{
	static const char *const allowed[] = { "address", "state", "pageSize",
	    "pageToken", NULL };
	struct manage_query	 q;
	struct session_result	 res;
	struct form		 f;
	enum err		 e;

	(void)m;
	if (!authorized(a, req))
		return;
	if (read_query(a, req, allowed, &f, &q)) {
		e = manage_list(a->tw, &a->cfg->session, &q, a->deadline, &res);
		reply(a, e, 200, &res, "listing sessions");
		session_result_free(&res);
	}
	form_free(&f);
}

/* GET /sessions/{id} */
static void
fetch(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL)
		return;
	e = manage_fetch(a->tw, &a->cfg->session, id, a->deadline, &res);
	reply(a, e, 200, &res, "fetching a session");
	session_result_free(&res);
}

/* POST /sessions/{id} */
static void
update(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	struct sessreq		 r;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL ||
	    !read_request(a, req, SESSREQ_UPDATE, &r))
		return;
	e = manage_update(a->tw, &a->cfg->session, id, &r, a->deadline, &res);
	reply(a, e, 200, &res, "updating a session");
	session_result_free(&res);
	sessreq_free(&r);
}

/*
 * session.deleted for session id (SPEC §12). A session named by its
 * uniqueName is deleted without Twilio telling its SID (a 204): the
 * event then has no sessionSid, and data.uniqueName says which.
 */
static void
deleted_event(struct app *a, const char *id)
{
	json_object	*d;
	bool		 is_sid = sid_valid(id, "CH");

	if ((d = json_object_new_object()) == NULL)
		return;
	json_object_object_add(d, "reason", json_object_new_string("api"));
	if (!is_sid)
		json_object_object_add(d, "uniqueName",
		    json_object_new_string(id));
	server_event(a, "session.deleted", id, is_sid ? id : NULL, d);
	json_object_put(d);
}

/* DELETE /sessions/{id} */
static void
delete(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL)
		return;
	e = manage_delete(a->tw, &a->cfg->session, id, a->deadline, &res);
	reply(a, e, 204, &res, "deleting a session");
	if (e == ERR_OK)
		deleted_event(a, id);
	session_result_free(&res);
}

/* GET /sessions/{id}/participants */
static void
participants(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL)
		return;
	e = manage_participants(a->tw, &a->cfg->session, id, a->deadline,
	    &res);
	reply(a, e, 200, &res, "listing participants");
	session_result_free(&res);
}

/* POST /sessions/{id}/participants */
static void
add(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	struct sessreq		 r;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL ||
	    !read_request(a, req, SESSREQ_ADD, &r))
		return;
	e = session_add(a->tw, &a->cfg->session, id, &r, a->deadline, &res);
	if (e == ERR_OK)
		log_info("session %s: %zu participants added", id, r.naddresses);
	reply(a, e, 201, &res, "adding participants");
	session_result_free(&res);
	sessreq_free(&r);
}

/* DELETE /sessions/{id}/participants/{participant} */
static void
remove_participant(struct app *a, struct http_req *req,
    const struct route_match *m)
{
	struct session_result	 res;
	const char		*id, *who;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL ||
	    (who = participant_id(a, m)) == NULL)
		return;
	e = manage_remove(a->tw, &a->cfg->session, id, who, a->deadline, &res);
	reply(a, e, 204, &res, "removing a participant");
	session_result_free(&res);
}

/* POST /sessions/{id}/messages */
static void
say(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	struct sessreq		 r;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL ||
	    !read_request(a, req, SESSREQ_SAY, &r))
		return;
	e = manage_say(a->tw, &a->cfg->session, id, &r, a->deadline, &res);
	reply(a, e, 201, &res, "sending a message into a session");
	session_result_free(&res);
	sessreq_free(&r);
}

/* POST /sessions/{id}/participants/{participant}/messages */
static void
tell(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct session_result	 res;
	struct sessreq		 r;
	const char		*id, *who;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL ||
	    (who = participant_id(a, m)) == NULL ||
	    !read_request(a, req, SESSREQ_TELL, &r))
		return;
	e = manage_tell(a->tw, &a->cfg->session, id, who, &r, a->deadline,
	    &res);
	reply(a, e, 201, &res, "sending a message to a participant");
	session_result_free(&res);
	sessreq_free(&r);
}

/* GET /sessions/{id}/messages */
static void
messages(struct app *a, struct http_req *req, const struct route_match *m)
{
	static const char *const allowed[] = { "pageSize", "pageToken",
	    "order", NULL };
	struct manage_query	 q;
	struct session_result	 res;
	struct form		 f;
	const char		*id;
	enum err		 e;

	if (!authorized(a, req) || (id = session_id(a, m)) == NULL)
		return;
	if (read_query(a, req, allowed, &f, &q)) {
		e = manage_log(a->tw, &a->cfg->session, id, &q, a->deadline,
		    &res);
		reply(a, e, 200, &res, "reading a session's messages");
		session_result_free(&res);
	}
	form_free(&f);
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
	printf("reap: %lu conversations examined, %lu half-made, %lu expired, "
	    "%lu deleted, %lu failed\n", s.examined, s.half_made, s.expired,
	    s.deleted, s.failed);
	return e == ERR_OK && s.failed == 0 ? 0 : 1;
}

/* Longer patterns first: the first that matches wins. */
static const struct route routes[] = {
	SERVER_ROUTE("POST", "/sessions/{id}/participants/{participant}/messages",
	    tell),
	SERVER_ROUTE("DELETE", "/sessions/{id}/participants/{participant}",
	    remove_participant),
	SERVER_ROUTE("GET", "/sessions/{id}/participants", participants),
	SERVER_ROUTE("POST", "/sessions/{id}/participants", add),
	SERVER_ROUTE("GET", "/sessions/{id}/messages", messages),
	SERVER_ROUTE("POST", "/sessions/{id}/messages", say),
	SERVER_ROUTE("GET", "/sessions/{id}", fetch),
	SERVER_ROUTE("POST", "/sessions/{id}", update),
	SERVER_ROUTE("DELETE", "/sessions/{id}", delete),
	SERVER_ROUTE("GET", "/sessions", list),
	SERVER_ROUTE("POST", "/sessions", create),
};

static const struct server_cmd cmds[] = {
	{ "--reap", REAP_ARGS, "deletes the conversations left half-made by a "
	    "worker that died, and the sessions past their dateExpiry.", reap },
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
