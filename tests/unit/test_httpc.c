/*
 * test_httpc: the HTTP engine on its own, the wire replaced by
 * httpc_set_transport(): backoff, which answers are retried for which
 * methods, Retry-After, byte budgets and the body limit, going on at a new
 * URL, deadlines.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "net/httpc.h"
#include "t.h"

static void
test_backoff(void)
{
	struct httpc_retry r = { 5, 1000, 2, 360000 };

	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 2000);
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 4000);
	T_CHECK(httpc_backoff_ms(&r, 4, -1) == 8000);
	T_CHECK(httpc_backoff_ms(&r, 5, -1) == 16000);
	T_CHECK(httpc_backoff_ms(&r, 9, -1) == 256000);
	/* Capped by the maximum. */
	T_CHECK(httpc_backoff_ms(&r, 10, -1) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 100, -1) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 100000, -1) == 360000);	/* pow is inf */
	T_CHECK(httpc_backoff_ms(&r, INT_MAX, -1) == 360000);
	/* Attempt 0 (or less) waits the minimum. */
	T_CHECK(httpc_backoff_ms(&r, 0, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, -3, -1) == 1000);

	/* Retry-After, in seconds, wins over the schedule... */
	T_CHECK(httpc_backoff_ms(&r, 1, 3) == 3000);
	T_CHECK(httpc_backoff_ms(&r, 5, 3) == 3000);
	T_CHECK(httpc_backoff_ms(&r, 1, 0) == 0);
	T_CHECK(httpc_backoff_ms(&r, 5, 0) == 0);
	T_CHECK(httpc_backoff_ms(&r, 1, 360) == 360000);
	/* ...but not over the maximum. */
	T_CHECK(httpc_backoff_ms(&r, 1, 361) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 1, 86400) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 1, LONG_MAX) == 360000);

	/* Other settings. */
	r.factor = 1.5;
	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 1500);
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 2250);
	T_CHECK(httpc_backoff_ms(&r, 4, -1) == 3375);
	r.factor = 1;
	T_CHECK(httpc_backoff_ms(&r, 7, -1) == 1000);
	r.factor = 2;
	r.min_ms = 0;
	T_CHECK(httpc_backoff_ms(&r, 5, -1) == 0);
	r.min_ms = 250;
	r.max_ms = 1000;
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 500);
	T_CHECK(httpc_backoff_ms(&r, 1, 2) == 1000);
	r.max_ms = 0;
	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 0);
	T_CHECK(httpc_backoff_ms(&r, 1, 3) == 0);
}

/* A scripted server: statuses[i] answers attempt i (the last one repeats). */
struct script {
	long		 statuses[8];
	int		 nstatuses;
	const char	*head;		/* header lines of every answer */
	size_t		 body_len;	/* bytes of 'x' in every answer */
	int		 calls;
	char		 urls[8][128];	/* the URL of each attempt */
};

static long
scripted(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct script	*s = arg;
	long		 status;
	size_t		 n;

	status = s->statuses[s->calls < s->nstatuses ? s->calls :
	    s->nstatuses - 1];
	if (s->calls < 8)
		snprintf(s->urls[s->calls], sizeof(s->urls[0]), "%s",
		    buf_str(&c->url));
	s->calls++;
	if (s->head != NULL)
		buf_puts(head, s->head);
	for (n = 0; n < s->body_len && body->len < body->max; n++)
		buf_putc(body, 'x');
	return status;
}

/* A client with retries up to 3 after the first attempt, and budget. */
static struct httpc *
client_of(long min_ms, size_t budget)
{
	static const char *const headers[] = { "Accept: text/plain", NULL };
	struct httpc_opts	 o;
	struct httpc		*h = NULL;

	memset(&o, 0, sizeof(o));
	o.headers = headers;
	o.retry.max_attempts = 3;
	o.retry.min_ms = min_ms;
	o.retry.factor = 2;
	o.retry.max_ms = 60000;
	o.budget = budget;
	o.peer = "Peer";
	o.log_tag = "peer";
	T_CHECK(httpc_new(&h, &o) == ERR_OK);
	return h;
}

/* The usual client: waits from min_ms, 10000 bytes a call. */
static struct httpc *
client(long min_ms)
{
	return client_of(min_ms, 10000);
}

/* Runs one call of method m against script s; its outcome is in c. */
static void
run(struct httpc *h, struct httpc_call *c, enum httpc_method m,
    struct script *s, long long deadline_ms)
{
	httpc_call_init(c);
	c->method = m;
	T_CHECK(buf_puts(&c->url, "http://peer.test/a?number=1") == ERR_OK);
	httpc_set_transport(h, scripted, s);
	httpc_submit(h, c);
	httpc_run(h, clock_now_ms() + deadline_ms);
}

static struct script
script_of(long a, long b)
{
	struct script s;

	memset(&s, 0, sizeof(s));
	s.statuses[0] = a;
	s.statuses[1] = b;
	s.nstatuses = 2;
	return s;
}

/* Which answers are tried again, for which methods. */
static void
test_retry_rules(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;

	if (h == NULL)
		return;
	/* 5xx: idempotent methods retry, up to 1 + max_attempts in all. */
	s = script_of(500, 500);
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 500);
	T_STREQ(c.message, "HTTP 500 from Peer");
	T_CHECK(s.calls == 4 && c.attempts == 4);
	httpc_call_free(&c);
	s = script_of(503, 200);
	run(h, &c, HTTPC_DELETE, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.status == 200 && s.calls == 2);
	httpc_call_free(&c);
	/* ...a POST does not: it may have had its effect. */
	s = script_of(500, 200);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1 && !c.unsent);
	httpc_call_free(&c);
	/* 429: every method retries. */
	s = script_of(429, 201);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.status == 201 && s.calls == 2);
	httpc_call_free(&c);
	/* 4xx: final. */
	s = script_of(404, 200);
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 404 && s.calls == 1);
	httpc_call_free(&c);
	/* Never connected: nothing was sent, so even a POST retries. */
	s = script_of(0, 201);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	httpc_call_free(&c);
	s = script_of(0, 0);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.unsent && c.status == 0);
	T_CHECK(s.calls == 4);
	T_CHECK(strncmp(c.message, "Peer could not be reached: ", 27) == 0);
	httpc_call_free(&c);
	httpc_free(h);
}

/* The waits: backoff with jitter, and Retry-After obeyed as said. */
static void
test_retry_after(void)
{
	struct httpc		*h = client(20000);
	struct httpc_call	 c;
	struct script		 s;
	long long		 t0;

	if (h == NULL)
		return;
	/* Retry-After: 0 beats a 20 s backoff. */
	s = script_of(429, 200);
	s.head = "Content-Type: text/plain\r\nRetry-After: 0\r\n";
	t0 = clock_now_ms();
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	T_CHECK(clock_now_ms() - t0 < 2000);
	httpc_call_free(&c);
	/* Without it, a wait past the deadline gives up at once. */
	s = script_of(429, 200);
	t0 = clock_now_ms();
	run(h, &c, HTTPC_POST, &s, 500);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 429 && s.calls == 1);
	T_CHECK(clock_now_ms() - t0 < 400);
	httpc_call_free(&c);
	/* Retry-After: 1 is waited whole (no jitter below it). */
	s = script_of(503, 200);
	s.head = "retry-after: 1\r\n";
	t0 = clock_now_ms();
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	T_CHECK(clock_now_ms() - t0 >= 1000);
	httpc_call_free(&c);
	/* An HTTP date is not understood: the schedule applies (20 s: past). */
	s = script_of(503, 200);
	s.head = "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n";
	run(h, &c, HTTPC_GET, &s, 1000);
	T_CHECK(s.calls == 1 && c.status == 503);
	httpc_call_free(&c);
	httpc_free(h);
}

/* Budgets: the client's, a call's own, and the one-answer limit. */
static void
test_budgets(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;

	if (h == NULL)
		return;
	s = script_of(200, 200);
	s.body_len = 10000;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.received == 10000 && c.body.len == 10000);
	httpc_call_free(&c);
	/* One byte over the client's budget: refused, named, not retried. */
	s.body_len = 10001;
	s.calls = 0;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1 && c.status == 0);
	T_STREQ(c.message, "Peer's answers to one request are over 10000 bytes");
	httpc_call_free(&c);
	/* A call's own budget counts every attempt's bytes. */
	s = script_of(500, 200);
	s.body_len = 600;
	httpc_call_init(&c);
	c.budget = 1000;
	T_CHECK(buf_puts(&c.url, "http://peer.test/b") == ERR_OK);
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 2 && c.received == 600);
	T_STREQ(c.message, "Peer's answers to one request are over 1000 bytes");
	httpc_call_free(&c);
	httpc_free(h);

	/* The one-answer limit, under a budget that would allow more. */
	if ((h = client_of(1, 2 * HTTPC_BODY_MAX)) == NULL)
		return;
	s = script_of(200, 200);
	s.body_len = HTTPC_BODY_MAX;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.body.len == HTTPC_BODY_MAX);
	httpc_call_free(&c);
	s.body_len = HTTPC_BODY_MAX + 1;
	s.calls = 0;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1);
	T_CHECK(strstr(c.message, "Peer's answer is over") != NULL);
	httpc_call_free(&c);
	httpc_free(h);
}

/* An answer() hook that goes on at ?page=N three times, then is done. */
static enum httpc_verdict
pager(struct httpc_call *c, void *arg)
{
	int *seen = arg;

	(*seen)++;
	if (c->status != 200) {
		c->err = ERR_TRANSPORT;
		return HTTPC_DONE;
	}
	if (c->pages < 3) {
		buf_reset(&c->url);
		buf_printf(&c->url, "http://peer.test/list?page=%d", c->pages + 1);
		return HTTPC_NEXT;
	}
	c->err = ERR_OK;
	return HTTPC_DONE;
}

static int done_calls;

static void
count_done(struct httpc_call *c, void *arg)
{
	(void)c;
	(void)arg;
	done_calls++;
}

/* The hook pages on; a page's failure is retried at that page. */
static void
test_next(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;
	int			 seen = 0;

	if (h == NULL)
		return;
	memset(&s, 0, sizeof(s));
	s.statuses[0] = 200;
	s.statuses[1] = 503;
	s.statuses[2] = 200;
	s.nstatuses = 3;
	httpc_call_init(&c);
	T_CHECK(buf_puts(&c.url, "http://peer.test/list") == ERR_OK);
	c.answer = pager;
	c.arg = &seen;
	c.done = count_done;
	done_calls = 0;
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_OK && c.pages == 3 && seen == 5);
	T_CHECK(s.calls == 5 && c.attempts == 5 && done_calls == 1);
	T_STREQ(s.urls[0], "http://peer.test/list");
	T_STREQ(s.urls[1], "http://peer.test/list?page=1");
	T_STREQ(s.urls[2], "http://peer.test/list?page=1");	/* the retry */
	T_STREQ(s.urls[4], "http://peer.test/list?page=3");
	httpc_call_free(&c);
	httpc_free(h);
}

/* A deadline already passed: nothing is sent. */
static void
test_deadline(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s = script_of(200, 200);

	if (h == NULL)
		return;
	httpc_call_init(&c);
	T_CHECK(buf_puts(&c.url, "http://peer.test/d") == ERR_OK);
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() - 1);
	T_CHECK(c.err == ERR_TIMEOUT && s.calls == 0 && c.attempts == 0);
	T_STREQ(c.message, "deadline passed before the request to Peer could "
	    "be sent");
	httpc_call_free(&c);
	httpc_call_free(NULL);
	httpc_free(h);
	httpc_free(NULL);
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	T_RUN(test_backoff);
	T_RUN(test_retry_rules);
	T_RUN(test_retry_after);
	T_RUN(test_budgets);
	T_RUN(test_next);
	T_RUN(test_deadline);
	curl_global_cleanup();
	T_END();
}
