/*
 * test_callback: the operator's requests (SPEC §12): signatures against
 * vectors computed apart from this code, the operator's check of them
 * (tampering, wrong secrets, replays, malformed headers, rotation), the
 * events' JSON and ids, and delivery and questions over a scripted wire
 * (httpc_set_transport()): retries, budgets, answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "net/httpc.h"
#include "svc/callback.h"
#include "t.h"

#define SECRET	"whsec_test_secret_0123456789"
#define BODY	"{\"id\":\"EV1\",\"type\":\"session.created\"}"
/*
 * The vectors, from Python's standard library, not from this code:
 *   python3 -c 'import hmac, hashlib; print(hmac.new(SECRET.encode(),
 *       b"1765000000." + BODY, hashlib.sha256).hexdigest())'
 */
#define SIG1	"22e6745a5748de67006746075ff48d6a438cf4c872becca2387de6bf20437b3c"
/* "another-secret-of-32-bytes-long!", t 1700000000, empty body. */
#define SIG2	"3bb37b8aa9a0df0c2c8b9f76b7a3525086e54d0faade1bb78e98848e34c03df2"
/* SECRET, t 1765000000, the 14 bytes "caf\xc3\xa9 \x00 binary". */
#define SIG3	"1fabd7416eaa2ad1ec5676482688ff36883280b2c6cd7fe16b8df05211645833"
#define T1	1765000000LL

static void
test_sign_vectors(void)
{
	char out[CALLBACK_SIG_MAX], small[20];

	callback_sign(SECRET, T1, BODY, strlen(BODY), out, sizeof(out));
	T_STREQ(out, "t=1765000000,v1=" SIG1);
	callback_sign("another-secret-of-32-bytes-long!", 1700000000LL, "", 0,
	    out, sizeof(out));
	T_STREQ(out, "t=1700000000,v1=" SIG2);
	callback_sign(SECRET, T1, "caf\xc3\xa9 \0 binary", 14, out, sizeof(out));
	T_STREQ(out, "t=1765000000,v1=" SIG3);
	/* Too small a buffer: nothing, not a cut signature. */
	callback_sign(SECRET, T1, BODY, strlen(BODY), small, sizeof(small));
	T_STREQ(small, "");
}

static bool
verify(const char *header, const char *body, long long now)
{
	return callback_verify(SECRET, header, body, strlen(body), now, 300);
}

static void
test_verify(void)
{
	const char *good = "t=1765000000,v1=" SIG1;

	T_CHECK(verify(good, BODY, T1));
	T_CHECK(callback_verify(SECRET, "t=1765000000,v1=" SIG3,
	    "caf\xc3\xa9 \0 binary", 14, T1, 300));
	/* Upper-case hex is the same bytes. */
	T_CHECK(verify("t=1765000000,v1=22E6745A5748DE67006746075FF48D6A438CF4"
	    "C872BECCA2387DE6BF20437B3C", BODY, T1));
	/* A tampered body, a wrong secret, a signature of another body. */
	T_CHECK(!verify(good, "{\"id\":\"EV1\",\"type\":\"session.deleted\"}",
	    T1));
	T_CHECK(!verify(good, BODY " ", T1));
	T_CHECK(!callback_verify("whsec_test_secret_0123456780", good, BODY,
	    strlen(BODY), T1, 300));
	T_CHECK(!callback_verify(NULL, good, BODY, strlen(BODY), T1, 300));
	/* The timestamp is signed: another t with the same v1 fails. */
	T_CHECK(!verify("t=1765000001,v1=" SIG1, BODY, T1));
	/* Stale (a replay) and future, just in and just out of tolerance. */
	T_CHECK(verify(good, BODY, T1 + 300));
	T_CHECK(!verify(good, BODY, T1 + 301));
	T_CHECK(verify(good, BODY, T1 - 300));
	T_CHECK(!verify(good, BODY, T1 - 301));
	T_CHECK(!verify(good, BODY, T1 + 86400));
	/* Rotation: two v1, either may be the good one; order free. */
	T_CHECK(verify("t=1765000000,v1=" SIG2 ",v1=" SIG1, BODY, T1));
	T_CHECK(verify("v1=" SIG1 ",t=1765000000,v1=" SIG2, BODY, T1));
	T_CHECK(!verify("t=1765000000,v1=" SIG2 ",v1=" SIG3, BODY, T1));
	/* Other schemes are ignored, not refused. */
	T_CHECK(verify("t=1765000000,v0=abc,v1=" SIG1, BODY, T1));
	T_CHECK(!verify("t=1765000000,v0=" SIG1, BODY, T1));
}

static void
test_verify_malformed(void)
{
	static const char *const bad[] = {
		"",
		",",
		"t=1765000000",				/* no v1 */
		"v1=" SIG1,				/* no t */
		"t=1765000000,v1=" SIG1 ",",		/* empty item */
		",t=1765000000,v1=" SIG1,
		"t=1765000000,,v1=" SIG1,
		"t=1765000000, v1=" SIG1,		/* a blank */
		"t=1765000000 ,v1=" SIG1,
		"t= 1765000000,v1=" SIG1,
		"t=+1765000000,v1=" SIG1,		/* a sign */
		"t=-1,v1=" SIG1,
		"t=,v1=" SIG1,
		"t=1765000000x,v1=" SIG1,
		"t=0x69,v1=" SIG1,
		"t=1765000000,t=1765000000,v1=" SIG1,	/* two t */
		"t=1765000000,v1=" SIG1 "0",		/* 65 digits */
		"t=1765000000,v1=" SIG1 + 1,		/* 63 */
		"t=1765000000,v1=",
		"t=1765000000,v1=g2e6745a5748de67006746075ff48d6a438cf4c872becca2"
		    "387de6bf20437b3c",
		"t=1765000000;v1=" SIG1,
		"T=1765000000,V1=" SIG1,		/* keys are lower case */
		"t=1765000000,=" SIG1,
		"t=1765000000,v1",
		"t1765000000,v1=" SIG1,
		"t=99999999999999999999,v1=" SIG1,	/* 20 digits */
		"t=1765000000,v1=" SIG1 "\n",
		"t=1765000000,v1=" SIG1 ",v1=" SIG1 ",v1=" SIG1 ",v1=" SIG1
		    ",v1=" SIG1 ",v1=" SIG1 ",v1=" SIG1 ",v1=" SIG1 ",v1=" SIG1,
	};
	char	 huge[CALLBACK_SIG_HEADER_MAX + 200];
	size_t	 i;

	for (i = 0; i < T_NCASES(bad); i++)
		T_CHECK_CASE(!verify(bad[i], BODY, T1), i, bad[i]);
	T_CHECK(!callback_verify(SECRET, NULL, BODY, strlen(BODY), T1, 300));
	/* Over the length limit, even with a good signature in it. */
	snprintf(huge, sizeof(huge), "t=1765000000,v1=%s", SIG1);
	for (i = strlen(huge); i < sizeof(huge) - 10; i += 4)
		memcpy(huge + i, ",x=1", 5);
	T_CHECK(!verify(huge, BODY, T1));
	/* Eight v1 is the most, the good one last. */
	T_CHECK(verify("t=1765000000,v1=" SIG2 ",v1=" SIG2 ",v1=" SIG2 ",v1="
	    SIG2 ",v1=" SIG2 ",v1=" SIG2 ",v1=" SIG2 ",v1=" SIG1, BODY, T1));
}

/* What we sign, we verify; now with the clock. */
static void
test_roundtrip(void)
{
	char		 sig[CALLBACK_SIG_MAX];
	long long	 now = (long long)time(NULL);

	callback_sign(SECRET, now, BODY, strlen(BODY), sig, sizeof(sig));
	T_CHECK(verify(sig, BODY, now));
	T_CHECK(!callback_verify("some-other-secret-xyz", sig, BODY,
	    strlen(BODY), now, 300));
}

static void
test_event(void)
{
	json_object	*data, *ev, *v;
	char		*a, *b, *c, *r1, *r2;
	const char	*s;

	data = json_object_new_object();
	json_object_object_add(data, "messageSid", json_object_new_string(
	    "IM00000000000000000000000000000001"));
	json_object_object_add(data, "body", json_object_new_string(
	    "caf\xc3\xa9 \"quoted\" </script>"));
	a = callback_event("message.added", "IM00000000000000000000000000000001",
	    "CH00000000000000000000000000000002", data);
	T_CHECK(a != NULL);
	ev = json_tokener_parse(a);
	T_CHECK(json_object_is_type(ev, json_type_object));
	T_CHECK(json_object_object_length(ev) == 5);
	/*
	 * The id: "EV" + the first 16 bytes of SHA-256("message.added" NUL
	 * "IM000..."), from Python's hashlib.
	 */
	T_STREQ(json_object_get_string(json_object_object_get(ev, "id")),
	    "EVa6e1bd93d4a66ad37a7e285199fef074");
	T_STREQ(json_object_get_string(json_object_object_get(ev, "type")),
	    "message.added");
	T_STREQ(json_object_get_string(json_object_object_get(ev,
	    "sessionSid")), "CH00000000000000000000000000000002");
	s = json_object_get_string(json_object_object_get(ev, "createdAt"));
	/* 2026-12-06T04:20:00.123Z */
	T_CHECK(s != NULL && strlen(s) == 24 && s[4] == '-' && s[10] == 'T' &&
	    s[19] == '.' && s[23] == 'Z');
	v = json_object_object_get(ev, "data");
	T_STREQ(json_object_get_string(json_object_object_get(v, "body")),
	    "caf\xc3\xa9 \"quoted\" </script>");
	json_object_put(ev);
	/* The caller's data is still the caller's. */
	T_CHECK(json_object_object_length(data) == 2);

	/* Deterministic: the same (type, key) is the same id... */
	b = callback_event("message.added", "IM00000000000000000000000000000001",
	    NULL, NULL);
	/* ...another type of the same key is another. */
	c = callback_event("session.closed", "IM00000000000000000000000000000001",
	    NULL, NULL);
	T_CHECK(b != NULL && c != NULL);
	T_CHECK(b != NULL && strstr(b, "\"id\":\"EVa6e1bd93d4a66ad37a7e285199fef074\"")
	    != NULL);
	T_CHECK(c != NULL && strstr(c, "EVa6e1bd93d4a66ad37a7e285199fef074") ==
	    NULL);
	/* No session, no data: null and {}. */
	T_CHECK(b != NULL && strstr(b, "\"sessionSid\":null") != NULL &&
	    strstr(b, "\"data\":{}") != NULL);
	/* No key: random, so two differ. */
	r1 = callback_event("call.out_of_session", NULL, NULL, NULL);
	r2 = callback_event("call.out_of_session", NULL, NULL, NULL);
	T_CHECK(r1 != NULL && r2 != NULL && strncmp(r1, r2, 42) != 0);
	T_CHECK(r1 != NULL && strncmp(r1, "{\"id\":\"EV", 9) == 0 &&
	    strlen(r1) > 43 && r1[41] == '"');
	json_object_put(data);
	free(a);
	free(b);
	free(c);
	free(r1);
	free(r2);
}

/* The scripted operator: one status per attempt, what it was sent. */
struct script {
	long		 status[16];
	int		 n;
	int		 calls;
	const char	*answer;
	char		 header[256];
	char		 body[4096];
	char		 url[256];
	bool		 repeatable;
};

static long
scripted(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct script	*s = arg;
	long		 st = s->calls < s->n ? s->status[s->calls] : 200;

	(void)head;
	s->calls++;
	snprintf(s->header, sizeof(s->header), "%s", c->header != NULL ?
	    c->header : "");
	snprintf(s->body, sizeof(s->body), "%.*s", (int)c->form.len,
	    buf_str(&c->form));
	snprintf(s->url, sizeof(s->url), "%s", buf_str(&c->url));
	s->repeatable = c->repeatable;
	if (s->answer != NULL)
		buf_puts(body, s->answer);
	return st;
}

static struct callback_opts opts = {
	.events_url = "http://operator.example/events",
	.secret = SECRET,
	.budget_ms = 2000,
};

/* The header the operator got verifies, over the body it got. */
static bool
signed_ok(const struct script *s)
{
	const char *v = s->header + strlen(CALLBACK_SIG_HEADER ": ");

	return strncmp(s->header, CALLBACK_SIG_HEADER ": ",
	    strlen(CALLBACK_SIG_HEADER ": ")) == 0 && callback_verify(SECRET, v,
	    s->body, strlen(s->body), (long long)time(NULL), 300);
}

/*
 * Resets s to answer the statuses in list ("503 429 204") one per
 * attempt, then 200; a list ending in '*' repeats its last status.
 */
static void
script(struct script *s, const char *list)
{
	char *p = (char *)list;

	memset(s, 0, sizeof(*s));
	while (*p != '\0' && *p != '*' && s->n < 16)
		s->status[s->n++] = strtol(p, &p, 10);
	while (*p == '*' && s->n > 0 && s->n < 16) {
		s->status[s->n] = s->status[s->n - 1];
		s->n++;
	}
}

/* A session.created of data d through cb, within ms. */
static enum err
deliver(struct callback *cb, json_object *d, long ms)
{
	return callback_deliver(cb, "session.created", "CH1", "CH1", d,
	    clock_now_ms() + ms);
}

static void
test_deliver(void)
{
	struct callback	*cb = NULL;
	struct script	 s;
	json_object	*d = json_object_new_object();
	long long	 t0;

	T_CHECK(callback_new(&cb, &opts) == ERR_OK);
	T_CHECK(callback_enabled(cb));
	script(&s, "");
	httpc_set_transport(callback_http(cb), scripted, &s);
	json_object_object_add(d, "caller", json_object_new_string("+14155551234"));
	T_CHECK(callback_deliver(cb, "call.out_of_session", "CA1", NULL, d,
	    clock_now_ms() + 5000) == ERR_OK);
	T_CHECK(s.calls == 1);
	T_STREQ(s.url, "http://operator.example/events");
	T_CHECK(signed_ok(&s));
	T_CHECK(strstr(s.body, "\"type\":\"call.out_of_session\"") != NULL);

	/* 503, 429, 500, then 204: retried to the end, each signed. */
	script(&s, "503 429 500 204");
	T_CHECK(deliver(cb, d, 5000) == ERR_OK);
	T_CHECK(s.calls == 4);
	T_CHECK(s.repeatable);
	T_CHECK(signed_ok(&s));

	/* Transport errors (0: no connection) are retried too. */
	script(&s, "0 0");
	T_CHECK(deliver(cb, d, 5000) == ERR_OK);
	T_CHECK(s.calls == 3);

	/* A 4xx is the operator's refusal: not retried. */
	script(&s, "400");
	T_CHECK(deliver(cb, d, 5000) == ERR_TRANSPORT);
	T_CHECK(s.calls == 1);

	/* Failing for good: retried until the budget, then given up. */
	script(&s, "500*");
	t0 = clock_now_ms();
	T_CHECK(deliver(cb, d, 5000) != ERR_OK);
	T_CHECK(s.calls >= 3);
	T_CHECK(clock_now_ms() - t0 <= opts.budget_ms + 100);

	/* The caller's deadline, when sooner than the budget, wins. */
	script(&s, "500*");
	t0 = clock_now_ms();
	T_CHECK(deliver(cb, d, 300) != ERR_OK);
	T_CHECK(clock_now_ms() - t0 <= 400);

	json_object_put(d);
	callback_free(cb);
}

static void
test_no_url(void)
{
	struct callback_opts	 o = opts;
	struct callback		*cb = NULL;
	struct script		 s;

	o.events_url = NULL;
	T_CHECK(callback_new(&cb, &o) == ERR_OK);
	T_CHECK(!callback_enabled(cb));
	T_CHECK(!callback_enabled(NULL));
	memset(&s, 0, sizeof(s));
	httpc_set_transport(callback_http(cb), scripted, &s);
	T_CHECK(callback_deliver(cb, "session.created", "CH1", "CH1", NULL,
	    clock_now_ms() + 1000) == ERR_OK);
	T_CHECK(callback_deliver(NULL, "session.created", "CH1", "CH1", NULL,
	    clock_now_ms() + 1000) == ERR_OK);
	T_CHECK(s.calls == 0);
	callback_free(cb);
	callback_free(NULL);
}

static void
test_ask(void)
{
	static const char q[] = "{\"body\":\"hello\"}";
	struct callback	*cb = NULL;
	struct script	 s;
	struct buf	 ans;
	char		 why[256], *big;
	long		 status;

	T_CHECK(callback_new(&cb, &opts) == ERR_OK);
	memset(&s, 0, sizeof(s));
	httpc_set_transport(callback_http(cb), scripted, &s);
	buf_init(&ans, CALLBACK_ANSWER_MAX);

	s.answer = "{\"action\":\"allow\"}";
	T_CHECK(callback_ask(cb, "http://operator.example/intercept", q,
	    strlen(q), clock_now_ms() + 1000, &status, &ans, why,
	    sizeof(why)) == ERR_OK);
	T_CHECK(status == 200);
	T_STREQ(buf_str(&ans), "{\"action\":\"allow\"}");
	T_STREQ(why, "");
	T_STREQ(s.url, "http://operator.example/intercept");
	T_STREQ(s.body, q);
	T_CHECK(!s.repeatable);
	T_CHECK(signed_ok(&s));

	/* A 500 is an answer (its status is the caller's), not retried. */
	script(&s, "500");
	s.answer = "oops";
	buf_reset(&ans);
	T_CHECK(callback_ask(cb, "http://operator.example/intercept", q,
	    strlen(q), clock_now_ms() + 1000, &status, &ans, why,
	    sizeof(why)) == ERR_OK);
	T_CHECK(status == 500 && s.calls == 1);
	T_STREQ(buf_str(&ans), "oops");

	/* No answer at all: an error, saying why. */
	script(&s, "0*");
	buf_reset(&ans);
	T_CHECK(callback_ask(cb, "http://operator.example/intercept", q,
	    strlen(q), clock_now_ms() + 300, &status, &ans, why,
	    sizeof(why)) != ERR_OK);
	T_CHECK(status == 0 && why[0] != '\0');
	T_CHECK(strstr(why, SECRET) == NULL);

	/* An answer over the limit: an error, not a cut answer. */
	big = malloc(CALLBACK_ANSWER_MAX + 2);
	memset(big, 'x', CALLBACK_ANSWER_MAX + 1);
	big[CALLBACK_ANSWER_MAX + 1] = '\0';
	memset(&s, 0, sizeof(s));
	s.answer = big;
	buf_reset(&ans);
	T_CHECK(callback_ask(cb, "http://operator.example/intercept", q,
	    strlen(q), clock_now_ms() + 1000, &status, &ans, why,
	    sizeof(why)) != ERR_OK);
	T_CHECK(ans.len == 0);
	free(big);

	T_CHECK(callback_ask(cb, NULL, q, strlen(q), clock_now_ms() + 1000,
	    &status, &ans, why, sizeof(why)) == ERR_INVAL);
	buf_free(&ans);
	callback_free(cb);
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	T_RUN(test_sign_vectors);
	T_RUN(test_verify);
	T_RUN(test_verify_malformed);
	T_RUN(test_roundtrip);
	T_RUN(test_event);
	T_RUN(test_deliver);
	T_RUN(test_no_url);
	T_RUN(test_ask);
	curl_global_cleanup();
	T_END();
}
