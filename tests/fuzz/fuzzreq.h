/*
 * fuzzreq.h: one program's whole request path, for fuzz_sessions_req,
 * fuzz_inbound_req and fuzz_postevent_req. Each includes its cgi/ file
 * (main renamed) and cgi/answer.c, then this, and hands every input to
 * fr_serve() with the program's prog: http_read(), server_serve() (the
 * route table, the answers of cgi/answer.c) and the real handler, with
 * Twilio's answers taken from the input through httpc_set_transport(),
 * and the operator's (CALLBACK_URL, INTERCEPT_CALLBACK_URL) likewise.
 *
 * The input is fcgimem.h's: parameters, directives, the body, then
 * Twilio's answers, separated by FM_SEP, each
 *
 *	K STATUS [xN]	K is G, P or D: the answers to GETs, POSTs or
 *	body		DELETEs, in turn, each kind cycling through its own;
 *			O: the operator's answers (events, intercept;
 *			none at all: 200 with no body);
 *			'*' answers any call whose kind has none. The body
 *			is sent N times over (to go past Twilio's limits).
 *
 * A call left with no answer at all finds Twilio unreachable (status 0).
 *
 * Directives: !LEN sets CONTENT_LENGTH to the body's length; !AUTH sends
 * the configured basic-auth pair; !SIGN (!SIGN2: with the secondary token)
 * signs the request as Twilio signs a form; !SIGNJSON puts the body's
 * bodySHA256 in the URL and signs that, as Twilio signs a JSON body;
 * !CHUNK N hands the body over N bytes at a time; !PAD N adds N bytes to
 * it; !NOTREADY serves as with a configuration that is not good for the
 * program; !NOVALIDATE as with TWILIO_WEBHOOK_VALIDATION=off.
 *
 * What must hold whatever the input: exactly one whole answer with a valid
 * status line; a JSON answer is strict JSON (jsoncheck), TwiML a whole
 * <Response>, every body valid UTF-8; every Twilio call goes to the
 * configured base URLs, on a path made only of checked parts (Twilio's own
 * next_page_url aside); a conversation Twilio made for a session that then
 * failed is deleted, or the answer says it may remain; nothing leaks
 * (LeakSanitizer, on under ASan).
 *
 * With FUZZREQ_TRACE set in the environment, each call to Twilio and the
 * answer are printed (and the log is at debug level): to see what an input
 * does. FUZZREQ_SKIP lists checks not to make ("utf8", "url"), to fuzz on
 * past a failure already known.
 */
#ifndef FUZZREQ_H
#define FUZZREQ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "app/config.h"
#include "app/server.h"
#include "svc/callback.h"
#include "core/form.h"
#include "core/jsoncheck.h"
#include "core/log.h"
#include "fcgimem.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"
#include "web/http.h"
#include "web/sig.h"

#define FR_MAXANSWERS	32
#define FR_REPEATMAX	(2UL * 1024 * 1024)	/* bytes of one answer, at most */
#define FR_DOMAIN	"masked.example.com"
#define FR_TOKEN	"12345"
#define FR_TOKEN2	"67890"
/* "user:pass", the configured pair. */
#define FR_BASIC	"Basic dXNlcjpwYXNz"

struct fr_answer {
	char		 kind;		/* 'G', 'P', 'D', 'O' or '*' */
	long		 status;
	const char	*body;
	size_t		 len;
	unsigned long	 repeat;
};

struct fr_twilio {
	struct fr_answer answers[FR_MAXANSWERS];
	size_t		 n;
	size_t		 next[5];	/* G, P, D, O, '*': the next to give */
	/* A conversation Twilio said it made, beyond doubt, and its fate. */
	char		 created[40];
	bool		 deleted;
};

static struct config	 fr_cfg, fr_cfg_novalidate;
static bool		 fr_trace;	/* $FUZZREQ_TRACE: print calls, answer */
static const char	*fr_skip = "";	/* $FUZZREQ_SKIP: checks not made */
static struct twilio	*fr_tw;
static struct callback	*fr_cb;		/* the operator's client */
static struct fr_twilio	 fr_answers;

/* The configuration, from the environment as the programs read it. */
static void
fr_setup(const char *program)
{
	static const char *const env[][2] = {
		{ "ENV_FILE", "/dev/null" },
		{ "TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef" },
		{ "TWILIO_AUTH_TOKEN", FR_TOKEN },
		{ "TWILIO_AUTH_TOKEN_SECONDARY", FR_TOKEN2 },
		{ "TWILIO_CONVERSATIONS_URL", "https://conversations.twilio.com" },
		{ "TWILIO_API_URL", "https://api.twilio.com" },
		{ "RETRY_MAX_ATTEMPTS", "1" },
		{ "RETRY_MIN_TIMEOUT_MS", "1" },
		{ "RETRY_MAX_TIMEOUT_MS", "2" },
		{ "REQUEST_TIMEOUT_MS", "10000" },
		{ "NUMBER_POOL", "[\"+14155550100\",\"+14155550101\","
		    "\"+12125550100\",\"+16045550100\",\"+447700900123\"]" },
		{ "DOMAIN", FR_DOMAIN },
		{ "AUTH_USERNAME", "user" },
		{ "AUTH_PASSWORD", "pass" },
		{ "CALL_ANNOUNCEMENT_VOICE", "Polly.Joanna" },
		{ "CALL_ANNOUNCEMENT_LANGUAGE", "en-US" },
		{ "LOG_LEVEL", "error" },
		{ "CALLBACK_URL", "https://operator.example.com/events" },
		{ "CALLBACK_SECRET", "fuzz-secret-0123456789" },
		{ "CALLBACK_TIMEOUT_MS", "200" },
		{ "INTERCEPT_CALLBACK_URL", "https://operator.example.com/intercept" },
		{ "OUT_OF_SESSION_CALLBACK_URL", "https://operator.example.com/oos" },
	};
	size_t	i;
	int	k;

	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		setenv(env[i][0], env[i][1], 1);
	if (config_load(&fr_cfg) != ERR_OK) {
		for (k = 0; k < fr_cfg.nproblems; k++)
			fprintf(stderr, "fuzzreq: %s\n", fr_cfg.problems[k].text);
		abort();
	}
	/* A shallow copy: the strings stay fr_cfg's. */
	fr_cfg_novalidate = fr_cfg;
	fr_cfg_novalidate.webhook_validation = false;
	fr_trace = getenv("FUZZREQ_TRACE") != NULL;
	if (getenv("FUZZREQ_SKIP") != NULL)
		fr_skip = getenv("FUZZREQ_SKIP");
	log_setup(program, fr_trace ? LOG_DEBUG : LOG_ERROR);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    twilio_new(&fr_tw, &fr_cfg.twilio) != ERR_OK ||
	    callback_new(&fr_cb, &fr_cfg.callback) != ERR_OK)
		abort();
}

/* Whether s[0..len) is valid UTF-8 (RFC 3629), checked independently. */
static bool
fr_utf8(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned long		 cp;
	size_t			 i = 0, n, k;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			n = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 4;
		else
			return false;
		cp = s[i] & (0x7f >> n);
		if (len - i < n)
			return false;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
		    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* Reads Twilio's answers from the rest of the input. */
static void
fr_answers_parse(struct fr_twilio *tw, const char *p, size_t len)
{
	const char	*end = p + len, *sep, *nl, *q;
	char		 line[64], *e;
	size_t		 n;
	struct fr_answer *a;

	memset(tw, 0, sizeof(*tw));
	while (p < end && tw->n < FR_MAXANSWERS) {
		if ((sep = memmem(p, (size_t)(end - p), FM_SEP,
		    sizeof(FM_SEP) - 1)) == NULL)
			sep = end;
		if ((nl = memchr(p, '\n', (size_t)(sep - p))) == NULL)
			nl = sep;
		n = (size_t)(nl - p) < sizeof(line) - 1 ? (size_t)(nl - p) :
		    sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		a = &tw->answers[tw->n++];
		a->kind = line[0] != '\0' && strchr("GPDO", line[0]) != NULL ?
		    line[0] : '*';
		q = line + (a->kind != '*' || line[0] == '*');
		a->status = strtol(q, &e, 10) % 1000;
		if (a->status < 0)
			a->status = -a->status;
		a->repeat = (q = strchr(e, 'x')) != NULL ?
		    strtoul(q + 1, NULL, 10) : 1;
		a->body = nl < sep ? nl + 1 : sep;
		a->len = (size_t)(sep - a->body);
		if (a->repeat == 0 || a->len == 0)
			a->repeat = 1;
		if (a->repeat > FR_REPEATMAX / (a->len > 0 ? a->len : 1))
			a->repeat = FR_REPEATMAX / (a->len > 0 ? a->len : 1);
		p = sep < end ? sep + sizeof(FM_SEP) - 1 : end;
	}
}

/* The answer for a call of kind k, or NULL. */
static const struct fr_answer *
fr_pick(struct fr_twilio *tw, char kind)
{
	static const char kinds[] = "GPDO*";	/* tw->next's order */
	size_t	 q = (size_t)(strchr(kinds, kind) - kinds), i, m = 0, want;

	for (i = 0; i < tw->n; i++)
		if (tw->answers[i].kind == kind)
			m++;
	if (m == 0)
		return kind == '*' ? NULL : fr_pick(tw, '*');
	want = tw->next[q]++ % m;
	for (i = 0; i < tw->n; i++)
		if (tw->answers[i].kind == kind && want-- == 0)
			return &tw->answers[i];
	return NULL;
}

/*
 * Every call goes to a configured base URL; one the client built (not a
 * list's next page, which is Twilio's) has a path of checked parts: no
 * character that would need escaping, no "." or ".." segment.
 */
static void
fr_check_url(const struct httpc_call *c)
{
	const char	*bases[2] = { fr_cfg.twilio.conversations_url,
	    fr_cfg.twilio.api_url };
	const char	*u = buf_str(&c->url), *rest = NULL, *seg;
	size_t		 i, n;

	for (i = 0; i < 2 && rest == NULL; i++) {
		n = strlen(bases[i]);
		if (strncmp(u, bases[i], n) == 0 && u[n] == '/')
			rest = u + n;
	}
	if (rest == NULL) {
		fprintf(stderr, "fuzzreq: Twilio call off the base URLs: %s\n", u);
		abort();
	}
	if (c->pages > 0 || strstr(fr_skip, "url") != NULL)
		return;
	for (i = 0; rest[i] != '\0'; i++)
		if (!((rest[i] >= 'a' && rest[i] <= 'z') ||
		    (rest[i] >= 'A' && rest[i] <= 'Z') ||
		    (rest[i] >= '0' && rest[i] <= '9') ||
		    strchr("/-._~%?&=", rest[i]) != NULL)) {
			fprintf(stderr, "fuzzreq: unchecked byte in a Twilio "
			    "URL: %s\n", u);
			abort();
		}
	n = strcspn(rest, "?");
	for (seg = rest; seg < rest + n; seg += i) {
		seg++;				/* past the '/' */
		i = strcspn(seg, "/?");
		if (i == 0 || (i == 1 && seg[0] == '.') ||
		    (i == 2 && seg[0] == '.' && seg[1] == '.')) {
			fprintf(stderr, "fuzzreq: bad segment in a Twilio "
			    "URL: %s\n", u);
			abort();
		}
	}
}

/* Appends up to n bytes of p, as many as body may still hold. */
static bool
fr_append(struct buf *body, const char *p, size_t n)
{
	size_t room = body->max - body->len;

	if (n > room)
		n = room;
	return buf_append(body, p, n) == ERR_OK && n > 0;
}

/* Appends a's body a->repeat times over, a block of copies at a time. */
static void
fr_fill(struct buf *body, const struct fr_answer *a)
{
	static char	 block[64 * 1024];
	size_t		 total = a->len * a->repeat, per, n, k;

	if (a->len == 0)
		return;
	if (a->len >= sizeof(block) || a->repeat == 1) {
		for (k = 0; k < a->repeat; k++)
			if (!fr_append(body, a->body, a->len))
				return;
		return;
	}
	per = sizeof(block) / a->len * a->len;
	for (n = 0; n < per; n += a->len)
		memcpy(block + n, a->body, a->len);
	for (n = 0; n < total; n += k) {
		k = total - n < per ? total - n : per;
		if (!fr_append(body, block, k))
			return;
	}
}

/*
 * Notes the conversations made and deleted: a create answered 2xx with a
 * body that any reader takes (strict JSON, UTF-8, small, a valid sid) made
 * one; a DELETE of its URL deletes it.
 */
static void
fr_track(struct fr_twilio *tw, const struct httpc_call *c, long status,
    const struct buf *body)
{
	const char	*u = buf_str(&c->url), *sid;
	size_t		 n = strlen(fr_cfg.twilio.conversations_url);
	json_tokener	*tok;
	json_object	*j;

	if (strncmp(u, fr_cfg.twilio.conversations_url, n) != 0)
		return;
	u += n;
	if (c->method == HTTPC_DELETE && tw->created[0] != '\0' &&
	    strncmp(u, "/v1/Conversations/", 18) == 0 &&
	    strcmp(u + 18, tw->created) == 0)
		tw->deleted = true;
	if (c->method != HTTPC_POST || strcmp(u, "/v1/Conversations") != 0 ||
	    status < 200 || status > 299 || body->len > 65536 ||
	    !fr_utf8(buf_str(body), body->len) ||
	    (tok = json_tokener_new()) == NULL)
		return;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	j = json_tokener_parse_ex(tok, buf_str(body), (int)body->len);
	if (j != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == body->len &&
	    sid_valid((sid = twilio_json_str(j, "sid")), "CH")) {
		snprintf(tw->created, sizeof(tw->created), "%s", sid);
		tw->deleted = false;
	}
	json_object_put(j);
	json_tokener_free(tok);
}

static long
fr_transport(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct fr_twilio	*tw = arg;
	const struct fr_answer	*a;

	(void)head;
	fr_check_url(c);
	if (c->form.len > TWILIO_FORM_MAX)
		abort();
	a = fr_pick(tw, c->method == HTTPC_GET ? 'G' : c->method ==
	    HTTPC_POST ? 'P' : 'D');
	if (a != NULL) {
		fr_fill(body, a);
		fr_track(tw, c, a->status, body);
	}
	if (fr_trace)
		fprintf(stderr, "fuzzreq: %s %s -> %ld, %zu bytes\n",
		    c->method == HTTPC_GET ? "GET" : c->method == HTTPC_POST ?
		    "POST" : "DELETE", buf_str(&c->url), a != NULL ? a->status :
		    0, body->len);
	return a != NULL ? a->status : 0;
}

/*
 * The operator's wire: every request goes to a configured operator URL,
 * as signed JSON within its size, and gets the input's O answers.
 */
static long
fr_op_transport(const struct httpc_call *c, struct buf *head,
    struct buf *body, void *arg)
{
	struct fr_twilio	*tw = arg;
	const struct fr_answer	*a;
	const char		*u = buf_str(&c->url);

	(void)head;
	if (c->method != HTTPC_POST || (strcmp(u, fr_cfg.callback.events_url)
	    != 0 && strcmp(u, fr_cfg.preevent.intercept_url) != 0 &&
	    strcmp(u, fr_cfg.inbound.oos_callback_url) != 0)) {
		fprintf(stderr, "fuzzreq: operator call off its URLs: %s\n", u);
		abort();
	}
	if (c->form.len > CALLBACK_BODY_MAX || c->header == NULL ||
	    strncmp(c->header, CALLBACK_SIG_HEADER ": t=",
	    sizeof(CALLBACK_SIG_HEADER ": t=") - 1) != 0)
		abort();
	if ((a = fr_pick(tw, 'O')) != NULL)
		fr_fill(body, a);
	if (fr_trace)
		fprintf(stderr, "fuzzreq: operator POST %s -> %ld, %zu bytes\n",
		    u, a != NULL ? a->status : 200, body->len);
	/*
	 * No answer in the input: the operator takes it (200, no body), so
	 * that inputs without one do not spend the delivery budget retrying.
	 */
	return a != NULL ? a->status : 200;
}

/* The hex SHA-256 of the body: Twilio's bodySHA256. */
static void
fr_sha256_hex(const char *p, size_t n, char out[65])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0, i;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		abort();
	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Signs req as Twilio would, into sig (base64), for server_webhook(). */
static void
fr_sign(const struct http_req *req, const char *token, bool json,
    char sig[29])
{
	unsigned char	 raw[SIG_LEN];
	struct form	 f;
	char		*url = NULL;
	bool		 parsed = false;

	if (asprintf(&url, "https://%s%s", FR_DOMAIN, req->request_uri != NULL ?
	    req->request_uri : req->path) == -1)
		abort();
	if (!json)
		parsed = form_parse(&f, buf_str(&req->body), req->body.len) ==
		    ERR_OK;
	if (sig_compute(token, url, parsed ? &f : NULL, raw) == ERR_OK)
		EVP_EncodeBlock((unsigned char *)sig, raw, SIG_LEN);
	else
		strcpy(sig, "not signable");
	if (parsed)
		form_free(&f);
	free(url);
}

/* Whether the JSON answer body[0..len) is of conversation sid. */
static bool
fr_has_sid(const char *body, size_t len, const char *sid)
{
	char want[64];

	snprintf(want, sizeof(want), "\"sid\":\"%s\"", sid);
	return memmem(body, len, want, strlen(want)) != NULL;
}

/* The checks on what the program answered. */
static void
fr_check(const struct http_conn *conn, const struct fm_writer *w)
{
	const char	*body, *ctype, *why = NULL;
	size_t		 len, at = 0;
	int		 status;
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Response>";

	if (!conn->answered)
		abort();
	status = fm_check_answer(w, &body, &len, &ctype);
	if (strstr(fr_skip, "utf8") == NULL && !fr_utf8(body, len)) {
		fprintf(stderr, "fuzzreq: %d answer not UTF-8: %.*s\n", status,
		    (int)len, body);
		abort();
	}
	if (strncmp(ctype, "application/json\r\n", 18) == 0) {
		if (jsoncheck(body, len, 64, &why, &at) != ERR_OK &&
		    (strstr(fr_skip, "utf8") == NULL ||
		    strstr(why, "UTF-8") == NULL)) {
			fprintf(stderr, "fuzzreq: %d answer not JSON (%s at %zu):"
			    " %.*s\n", status, why, at, (int)len, body);
			abort();
		}
		/*
		 * Nothing is left half-made: a conversation made for a
		 * session that failed is deleted, or the answer says it is
		 * not; one made for a session that succeeded is its answer.
		 */
		if (fr_answers.created[0] != '\0' && (status == 200 ?
		    fr_answers.deleted || !fr_has_sid(body, len,
		    fr_answers.created) : !fr_answers.deleted &&
		    memmem(body, len, "\"cleanedUp\":false", 17) == NULL)) {
			fprintf(stderr, "fuzzreq: conversation %s %s, answer "
			    "%d: %.*s\n", fr_answers.created, fr_answers.deleted ?
			    "deleted" : "left", status, (int)len, body);
			abort();
		}
	} else if (strncmp(ctype, "text/xml\r\n", 10) == 0) {
		/*
		 * TwiML: always 200, so that the caller hears something; ours
		 * starts with our declaration, the operator's (out of session)
		 * with its own or none, and both end the document.
		 */
		if (status != 200 || len < 11 ||
		    memcmp(body + len - 11, "</Response>", 11) != 0 ||
		    (memcmp(body, xml, len < sizeof(xml) - 1 ? len :
		    sizeof(xml) - 1) != 0 && memmem(body, len, "<Response",
		    9) == NULL))
			abort();
	} else if (strncmp(ctype, "text/plain; charset=utf-8\r\n", 27) != 0)
		abort();
}

/* Serves the request in data[0..size) with program p; 0, as libFuzzer wants. */
static int
fr_serve(const uint8_t *data, size_t size, const struct server_prog *p)
{
	struct fm_input		 in;
	struct fm_reader	 r;
	struct fm_writer	 w;
	struct http_conn	 conn;
	struct http_req		 req;
	struct app		 a;
	const char		*uri;
	char			*nv, hex[65], sig[29];
	bool			 json;

	if (fr_tw == NULL)
		fr_setup(p->name);
	if (fm_parse(&in, data, size) != 0) {
		fm_free(&in);
		return 0;
	}
	fr_answers_parse(&fr_answers, in.rest, in.restlen);
	httpc_set_transport(twilio_http(fr_tw), fr_transport, &fr_answers);
	httpc_set_transport(callback_http(fr_cb), fr_op_transport, &fr_answers);

	json = fm_directive(&in, "SIGNJSON") != NULL;
	if (fm_directive(&in, "AUTH") != NULL)
		fm_add_param(&in, strdup("HTTP_AUTHORIZATION=" FR_BASIC));
	if (json) {
		uri = fm_param(&in, "REQUEST_URI");
		fr_sha256_hex(in.body, in.bodylen, hex);
		/* No URI: the path of the program's first route. */
		if (asprintf(&nv, "REQUEST_URI=%s%sbodySHA256=%s", uri != NULL ?
		    uri : p->routes[0].pattern, uri != NULL &&
		    strchr(uri, '?') != NULL ? "&" : "?", hex) != -1)
			fm_add_param(&in, nv);
	}
	fm_connect(&in, &r, &w, &conn);

	http_read(&conn, &req);
	/* Signed over what http_read() made of the URL, as server_webhook(). */
	if (json || fm_directive(&in, "SIGN") != NULL) {
		fr_sign(&req, FR_TOKEN, json, sig);
		req.signature = sig;
	} else if (fm_directive(&in, "SIGN2") != NULL) {
		fr_sign(&req, FR_TOKEN2, false, sig);
		req.signature = sig;
	}

	memset(&a, 0, sizeof(a));
	a.cfg = fm_directive(&in, "NOVALIDATE") != NULL ? &fr_cfg_novalidate :
	    &fr_cfg;
	a.tw = fr_tw;
	a.cb = fr_cb;
	a.conn = &conn;
	server_serve(&a, &req, p, fm_directive(&in, "NOTREADY") == NULL);
	/* The events queued go out after the answer, as in the accept loop. */
	server_events_flush(&a);
	fm_writer_flush(&w);
	if (fr_trace)
		fprintf(stderr, "fuzzreq: answer\n%s\n", w.data);
	fr_check(&conn, &w);

	http_req_free(&req);
	fm_writer_free(&w);
	fm_free(&in);
	return 0;
}

#endif
