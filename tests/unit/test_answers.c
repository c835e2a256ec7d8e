/*
 * test_answers: every field the programs read from Twilio's answers, given
 * each wrong type, null, or left out, and every answer replaced by
 * something that is not the documented JSON at all. Each of the four flows
 * (session create, inbound call, post-event, reap) must finish with an
 * answer, leak nothing (run under the sanitizers in `make check
 * SANITIZE=1`) and never leave a conversation that Twilio made behind
 * without saying so.
 *
 * The client is real (lib/twilio, lib/net/httpc), down to retries, paging
 * and limits; only the wire is replaced (httpc_set_transport()), by a scripted Twilio
 * that answers each kind of request with a canned, well-formed answer,
 * except the kind under test, whose answer is mutated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <json-c/json_pointer.h>

#include "app/config.h"
#include "core/clock.h"
#include "core/form.h"
#include "core/utf8.h"
#include "svc/inbound.h"
#include "svc/mark.h"
#include "svc/postevent.h"
#include "svc/reap.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "t.h"
#include "twilio/twilio.h"

#define CH1	"CH00000000000000000000000000000001"
#define CH2	"CH00000000000000000000000000000002"
#define MARK	"{\\\"" MARK_KEY "\\\":{\\\"parties\\\":3}}"

/* The kinds of request the programs make, told apart by method and URL. */
enum kind {
	K_CREATE,	/* POST /v1/Conversations */
	K_LOOKUP,	/* GET /v1/ParticipantConversations?Address= */
	K_ADD,		/* POST /v1/Conversations/CH/Participants */
	K_FETCH,	/* GET /v1/Conversations/{name} */
	K_PARTS,	/* GET /v1/Conversations/CH/Participants */
	K_CALL,		/* POST /2010-04-01/Accounts/AC/Calls.json */
	K_LIST,		/* GET /v1/Conversations?StartDate= */
	K_DELETE,	/* DELETE /v1/Conversations/CH */
	K_N
};

static const char *const kind_names[K_N] = { "create", "lookup", "add",
    "fetch", "parts", "call", "list", "delete" };

/* Each kind's well-formed answer, as Twilio writes it; %s: a recent date. */
static const char *const canned[K_N] = {
	"{\"sid\":\"" CH1 "\",\"account_sid\":\"AC00000000000000000000000000000000\","
	"\"unique_name\":\"masked-0\",\"friendly_name\":\"ride\",\"attributes\":\"{}\","
	"\"state\":\"active\",\"date_created\":\"%s\",\"date_updated\":\"%s\","
	"\"timers\":{},\"url\":\"https://conversations.twilio.com/v1/Conversations/"
	CH1 "\",\"links\":{\"participants\":\"x\"}}",

	"{\"conversations\":[{\"conversation_sid\":\"" CH2 "\",\"conversation_state\":"
	"\"active\",\"participant_messaging_binding\":{\"type\":\"sms\",\"address\":"
	"\"+14155551234\",\"proxy_address\":\"+14155550100\"}},{\"conversation_sid\":"
	"\"" CH1 "\",\"conversation_state\":\"closed\",\"participant_messaging_binding\":"
	"{\"type\":\"sms\",\"address\":\"+14155551234\",\"proxy_address\":"
	"\"+14155550101\"}}],\"meta\":{\"page\":0,\"page_size\":50,\"next_page_url\":"
	"null}}",

	"{\"sid\":\"MB00000000000000000000000000000001\",\"conversation_sid\":\"" CH1
	"\",\"attributes\":\"" MARK "\",\"messaging_binding\":{\"type\":\"sms\","
	"\"address\":\"+14155551234\",\"proxy_address\":\"+14155550100\"}}",

	"{\"sid\":\"" CH1 "\",\"unique_name\":\"masked-0\",\"state\":\"active\","
	"\"date_created\":\"%s\",\"date_updated\":\"%s\"}",

	"{\"participants\":[{\"sid\":\"MB00000000000000000000000000000001\","
	"\"attributes\":\"" MARK "\",\"messaging_binding\":{\"type\":\"sms\","
	"\"address\":\"+14155551234\",\"proxy_address\":\"+14155550100\"}},"
	"{\"sid\":\"MB00000000000000000000000000000002\",\"attributes\":\"" MARK "\","
	"\"messaging_binding\":{\"type\":\"sms\",\"address\":\"+12125551234\","
	"\"proxy_address\":\"+12125550100\"}},{\"sid\":\"MB00000000000000000000000000000003\","
	"\"attributes\":\"" MARK "\",\"messaging_binding\":{\"type\":\"sms\","
	"\"address\":\"+16045551234\",\"proxy_address\":\"+16045550100\"}}],"
	"\"meta\":{\"next_page_url\":null}}",

	"{\"sid\":\"CA00000000000000000000000000000001\",\"status\":\"queued\"}",

	"{\"conversations\":[{\"sid\":\"" CH1 "\",\"unique_name\":\"masked-0\","
	"\"state\":\"active\",\"date_created\":\"%s\",\"date_updated\":\"%s\"}],"
	"\"meta\":{\"next_page_url\":null}}",

	"",
};

static const long canned_status[K_N] = { 201, 200, 201, 200, 200, 201, 200,
    204 };

/* What replaces the value at a path: a JSON text, or NULL to remove it. */
static const char *const values[] = { "null", "5", "-1", "1.5", "\"\"",
    "\"x\"", "{}", "[]", "true", "[null]", "\"2026-13-45T99:99:99Z\"",
    "\"closed\"", "\"CH\"", NULL };

/* Whole answers that are not what Twilio documents. */
static const char *const bodies[] = { "", "null", "[]", "{}", "\"x\"", "{",
    "[1,2", "{\"a\":", "0", "{\"conversations\":{}}",
    "{\"participants\":null,\"meta\":null}",
    "{\"conversations\":[],\"meta\":{\"next_page_url\":5}}",
    "{\"conversations\":[],\"meta\":{\"next_page_url\":\"https://evil.example/x\"}}",
    "{\"sid\":\"\xff\xfe\"}", "{\"message\":\"\xc0\xae\",\"code\":1}",
    "{\"sid\":\"CH\",\"friendly_name\":\"\xed\xa0\x80\"}",
    "{\"message\":\"\xf5\x80\x80\x80\"}" };

static const long statuses[] = { 0, 200, 204, 400, 404, 429, 500, 503 };

/* The scripted Twilio's state for one flow. */
struct script {
	enum kind	 target;	/* the kind whose answer is mutated */
	const char	*path;		/* JSON pointer in it; NULL: whole body */
	const char	*value;		/* replacement (NULL with path: removed) */
	const char	*body;		/* whole replacement body */
	long		 status;	/* the target's status; 0: unreachable */
	bool		 create_fails;	/* K_CREATE answers 500 (Twilio made it) */
	bool		 created;	/* Twilio made the conversation CH1 */
	bool		 deleted;	/* a DELETE of CH1 was sent */
	int		 requests;
};

static char	 now_text[32];

static enum kind
classify(const struct httpc_call *c)
{
	const char *u = buf_str(&c->url), *p;

	if (c->method == HTTPC_DELETE)
		return K_DELETE;
	if (strstr(u, "/Calls.json") != NULL)
		return K_CALL;
	if (strstr(u, "/ParticipantConversations") != NULL)
		return K_LOOKUP;
	if (strstr(u, "/Participants") != NULL)
		return c->method == HTTPC_POST ? K_ADD : K_PARTS;
	if (c->method == HTTPC_POST)
		return K_CREATE;
	p = strstr(u, "/v1/Conversations");
	return p != NULL && p[17] == '?' ? K_LIST : K_FETCH;
}

/* The canned answer of kind k, with the script's mutation if k is its target. */
static long
answer(struct script *s, enum kind k, struct buf *body)
{
	json_object	*j, *v;
	char		 text[4096];
	const char	*out;
	long		 status = canned_status[k];

	snprintf(text, sizeof(text), canned[k], now_text, now_text);
	if (k != s->target) {
		buf_puts(body, text);
		return k == K_CREATE && s->create_fails ? 500 : status;
	}
	status = s->status;
	if (s->body != NULL) {
		buf_puts(body, s->body);
		return status;
	}
	if (s->path == NULL || (j = json_tokener_parse(text)) == NULL) {
		buf_puts(body, text);
		return status;
	}
	if (s->value == NULL) {
		/* Removed: the last segment from its parent object. */
		char		 parent[256];
		const char	*slash = strrchr(s->path, '/');
		json_object	*pj;

		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - s->path),
		    s->path);
		if ((parent[0] == '\0' ? (pj = j, 0) :
		    json_pointer_get(j, parent, &pj)) == 0) {
			if (json_object_is_type(pj, json_type_object))
				json_object_object_del(pj, slash + 1);
			else if (json_object_is_type(pj, json_type_array))
				json_object_array_del_idx(pj,
				    (size_t)atoi(slash + 1), 1);
		}
	} else if ((v = json_tokener_parse(s->value)) != NULL ||
	    strcmp(s->value, "null") == 0)
		json_pointer_set(&j, s->path, v);
	out = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	buf_puts(body, out);
	json_object_put(j);
	return status;
}

static long
transport(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct script	*s = arg;
	enum kind	 k = classify(c);
	long		 status;

	(void)head;
	s->requests++;
	status = answer(s, k, body);
	if (k == K_CREATE && status != 0 && (status < 300 || status >= 500))
		s->created = true;
	/* A 404 to the look-up by name: in this world, the create made none. */
	if (k == K_FETCH && status == 404)
		s->created = false;
	if (k == K_DELETE && strstr(buf_str(&c->url), CH1) != NULL)
		s->deleted = true;
	return status;
}

/* Whether s is strict UTF-8: what reaches the caller must be. */
static bool
valid_utf8(const char *s)
{
	size_t		 n = strlen(s), k;
	unsigned long	 cp;

	for (; n > 0; s += k, n -= k)
		if ((k = utf8_decode((const unsigned char *)s, n, &cp)) == 0)
			return false;
	return true;
}

static struct config	 cfg;
static struct twilio	*tw;
static struct sessreq	 req;
static int		 flows;

static long long
deadline(void)
{
	return clock_now_ms() + 3000;
}

/* Runs the four flows under script s, checking what each must hold. */
static void
run_flows(struct script *s, const char *what)
{
	struct session_result	 res;
	struct reap_stats	 rs;
	struct form		 f;
	const char		*sid;
	char			*doc = NULL, reason[256];
	static const char	 event[] = "EventType=onConversationStateUpdated&"
	    "StateTo=closed&ConversationSid=" CH1;
	enum inbound_outcome	 io;
	enum postevent_outcome	 po;
	enum err		 e;
	bool			 ok;

	httpc_set_transport(twilio_http(tw), transport, s);

	s->created = s->deleted = false;
	e = session_create(tw, &cfg.session, &req, deadline(), &res);
	ok = e == ERR_OK ? json_object_is_type(res.conversation,
	    json_type_object) && valid_utf8(json_object_to_json_string(
	    res.conversation)) : res.message[0] != '\0' &&
	    valid_utf8(res.message);
	/* Made by Twilio: kept (success), deleted, or reported as left. */
	ok = ok && (!s->created || e == ERR_OK || s->deleted ||
	    res.cleanup_failed);
	if (!ok)
		fprintf(stderr, "  session, %s: %s (created %d, deleted %d, "
		    "cleanup_failed %d)\n", what, e == ERR_OK ? "ok" :
		    res.message, s->created, s->deleted, res.cleanup_failed);
	T_CHECK(ok);
	session_result_free(&res);

	io = inbound_route(tw, &cfg.inbound, "+14155551234", "+14155550100", deadline(),
	    &doc);
	ok = doc != NULL && strncmp(doc, "<?xml", 5) == 0 &&
	    strstr(doc, "<Response>") != NULL && io <= INBOUND_APOLOGY;
	if (!ok)
		fprintf(stderr, "  inbound, %s: %s\n", what, doc ? doc : "(none)");
	T_CHECK(ok);
	free(doc);

	T_CHECK(form_parse(&f, event, sizeof(event) - 1) == ERR_OK);
	po = postevent_handle(tw, &f, deadline(), &sid, reason, sizeof(reason));
	T_CHECK(po == POSTEVENT_DELETED || po == POSTEVENT_GONE ||
	    (po == POSTEVENT_FAILED && reason[0] != '\0'));
	form_free(&f);

	memset(&rs, 0, sizeof(rs));
	e = reap_run(tw, 0, 3 * 86400, &rs);
	T_CHECK(rs.examined <= 1 && rs.deleted <= rs.half_made &&
	    rs.half_made <= rs.examined);
	T_CHECK(e == ERR_OK || rs.examined == 0);
	flows++;
}

/* Every JSON pointer into v, appended to paths. */
static void
walk(json_object *v, const char *prefix, char (*paths)[256], size_t *n,
    size_t max)
{
	char	 p[256];
	size_t	 i, len;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, child) {
			snprintf(p, sizeof(p), "%s/%s", prefix, k);
			if (*n < max)
				snprintf(paths[(*n)++], 256, "%s", p);
			walk(child, p, paths, n, max);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		len = json_object_array_length(v);
		for (i = 0; i < len; i++) {
			snprintf(p, sizeof(p), "%s/%zu", prefix, i);
			if (*n < max)
				snprintf(paths[(*n)++], 256, "%s", p);
			walk(json_object_array_get_idx(v, i), p, paths, n, max);
		}
	}
}

/* Each field of each kind's answer: every wrong value, and missing. */
static void
test_fields(void)
{
	static char	 paths[128][256];
	struct script	 s;
	json_object	*j;
	char		 text[4096], what[512];
	size_t		 n, i, v;
	int		 k;

	for (k = 0; k < K_N; k++) {
		snprintf(text, sizeof(text), canned[k], now_text, now_text);
		if ((j = json_tokener_parse(text)) == NULL)
			continue;	/* the DELETE's empty answer */
		n = 0;
		walk(j, "", paths, &n, sizeof(paths) / sizeof(paths[0]));
		json_object_put(j);
		T_CHECK(n > 0 && n < sizeof(paths) / sizeof(paths[0]));
		for (i = 0; i < n; i++)
			for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
				memset(&s, 0, sizeof(s));
				s.target = (enum kind)k;
				s.path = paths[i];
				s.value = values[v];
				s.status = canned_status[k];
				s.create_fails = k == K_FETCH;
				snprintf(what, sizeof(what), "%s %s = %s",
				    kind_names[k], paths[i], values[v] != NULL ?
				    values[v] : "(removed)");
				run_flows(&s, what);
			}
	}
}

/* Each kind's whole answer replaced, under each status. */
static void
test_bodies(void)
{
	struct script	 s;
	char		 what[512];
	size_t		 b, st;
	int		 k;

	for (k = 0; k < K_N; k++)
		for (b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++)
			for (st = 0; st < sizeof(statuses) / sizeof(statuses[0]);
			    st++) {
				memset(&s, 0, sizeof(s));
				s.target = (enum kind)k;
				s.body = bodies[b];
				s.status = statuses[st];
				s.create_fails = k == K_FETCH;
				snprintf(what, sizeof(what), "%s answers %ld '%s'",
				    kind_names[k], statuses[st], bodies[b]);
				run_flows(&s, what);
			}
}

/* The scripted Twilio itself: unmutated, every flow succeeds. */
static void
test_baseline(void)
{
	struct script		 s;
	struct session_result	 res;
	char			*doc = NULL;

	memset(&s, 0, sizeof(s));
	s.target = K_N;
	httpc_set_transport(twilio_http(tw), transport, &s);
	T_CHECK(session_create(tw, &cfg.session, &req, deadline(), &res) == ERR_OK);
	T_CHECK(s.created && !s.deleted);
	session_result_free(&res);
	T_CHECK(inbound_route(tw, &cfg.inbound, "+14155551234", "+14155550100",
	    deadline(), &doc) == INBOUND_CONFERENCE);
	free(doc);
	/* A half-made conversation of ours is reaped. */
	memset(&s, 0, sizeof(s));
	s.target = K_PARTS;
	s.path = "/participants/2";
	s.value = NULL;
	s.status = 200;
	{
		struct reap_stats rs;

		T_CHECK(reap_run(tw, 0, 3 * 86400, &rs) == ERR_OK);
		T_CHECK(rs.examined == 1 && rs.half_made == 1 && rs.deleted == 1);
		T_CHECK(s.deleted);
	}
}

int
main(void)
{
	struct sessreq_error	 why;
	static const char	 body[] =
	    "{\"addresses\":[\"+14155551234\",\"+12125551234\"]}";
	time_t			 now = time(NULL) - 600;
	struct tm		 tm;
	char			 logpath[] = "/tmp/test_answers.XXXXXX";
	int			 logfd, errfd;
	FILE			*err;

	gmtime_r(&now, &tm);
	strftime(now_text, sizeof(now_text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	setenv("ENV_FILE", "/dev/null", 1);
	setenv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000", 1);
	setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef", 1);
	setenv("NUMBER_POOL", "[\"+14155550100\",\"+14155550101\","
	    "\"+12125550100\",\"+16045550100\"]", 1);
	setenv("DOMAIN", "masked.example.com", 1);
	setenv("AUTH_USERNAME", "operator", 1);
	setenv("AUTH_PASSWORD", "a long enough password", 1);
	setenv("RETRY_MIN_TIMEOUT_MS", "1", 1);
	setenv("RETRY_MAX_TIMEOUT_MS", "2", 1);
	setenv("RETRY_MAX_ATTEMPTS", "1", 1);
	setenv("LOG_LEVEL", "error", 1);
	if (config_load(&cfg) != ERR_OK || curl_global_init(CURL_GLOBAL_DEFAULT) ||
	    twilio_new(&tw, &cfg.twilio) != ERR_OK ||
	    sessreq_parse(&req, body, sizeof(body) - 1, &why) != ERR_OK) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	/*
	 * The programs' logs of thousands of failures go to a file, kept
	 * there if anything fails (a sanitizer's report with them); the
	 * checks' own words go to the real standard error.
	 */
	if ((logfd = mkstemp(logpath)) == -1 || (errfd = dup(STDERR_FILENO)) == -1 ||
	    (err = fdopen(errfd, "w")) == NULL)
		return 1;
	setvbuf(err, NULL, _IONBF, 0);
	stderr = err;
	dup2(logfd, STDERR_FILENO);
	printf("the flows' logs: %s\n", logpath);
	T_RUN(test_baseline);
	T_RUN(test_fields);
	T_RUN(test_bodies);
	printf("%d flows run\n", flows);
	if (t_failed == 0)
		unlink(logpath);
	sessreq_free(&req);
	twilio_free(tw);
	config_free(&cfg);
	curl_global_cleanup();
	T_END();
}
