#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "net/httpc.h"
#include "t.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

/* The seed's retry settings, as config_load defaults them. */
static void
seed_config(struct twilio_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->retry.max_attempts = 5;
	o->retry.min_ms = 1000;
	o->retry.factor = 2;
	o->retry.max_ms = 360000;
}

static void
test_sid_valid(void)
{
	T_CHECK(sid_valid("CH0123456789abcdef0123456789abcdef", "CH"));
	T_CHECK(sid_valid("CH0123456789ABCDEF0123456789ABCDEF", "CH"));
	T_CHECK(sid_valid("AC00000000000000000000000000000000", "AC"));
	T_CHECK(sid_valid("MBffffffffffffffffffffffffffffffff", "MB"));

	T_CHECK(!sid_valid("CH0123456789abcdef0123456789abcdef", "AC"));
	T_CHECK(!sid_valid("ch0123456789abcdef0123456789abcdef", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef0123456789abcde", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef0123456789abcdef0", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef0123456789abcdeg", "CH"));
	T_CHECK(!sid_valid("CHg123456789abcdef0123456789abcdef", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef/123456789abcdef", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef 123456789abcdef", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef.123456789abcdef", "CH"));
	T_CHECK(!sid_valid("CH../../../../../../../../../../..", "CH"));
	T_CHECK(!sid_valid("CH0123456789abcdef%2F23456789abcde", "CH"));
	T_CHECK(!sid_valid("", "CH"));
	T_CHECK(!sid_valid("CH", "CH"));
	T_CHECK(!sid_valid(NULL, "CH"));
}

static void
test_call_url(void)
{
	struct twilio_opts	 c;
	struct twilio		*t = NULL;
	struct twilio_call	 call;
	char			 big[5000];

	seed_config(&c);
	c.account_sid = "AC00000000000000000000000000000000";
	c.auth_token = "token";
	c.conversations_url = "https://conversations.example.test";
	c.api_url = "http://127.0.0.1:8080/api";
	T_CHECK(twilio_new(&t, &c) == ERR_OK);
	if (t == NULL)
		return;
	twilio_call_init(&call);
	T_CHECK(call.http.method == HTTPC_GET);
	T_CHECK(call.http.retry_after == -1);
	T_STREQ(buf_str(&call.http.url), "");

	T_CHECK(twilio_call_url(&call, t, HTTPC_POST, "conv:/v1/Conversations")
	    == ERR_OK);
	T_CHECK(call.http.method == HTTPC_POST);
	T_STREQ(buf_str(&call.http.url),
	    "https://conversations.example.test/v1/Conversations");

	/* Each call replaces the URL, with printf arguments. */
	T_CHECK(twilio_call_url(&call, t, HTTPC_DELETE, "conv:/v1/Conversations/%s",
	    "CH0123456789abcdef0123456789abcdef") == ERR_OK);
	T_CHECK(call.http.method == HTTPC_DELETE);
	T_STREQ(buf_str(&call.http.url), "https://conversations.example.test/v1/"
	    "Conversations/CH0123456789abcdef0123456789abcdef");

	T_CHECK(twilio_call_url(&call, t, HTTPC_GET,
	    "conv:/v1/Conversations/%s/Participants?PageSize=%d", "CH1", 100)
	    == ERR_OK);
	T_CHECK(call.http.method == HTTPC_GET);
	T_STREQ(buf_str(&call.http.url), "https://conversations.example.test/v1/"
	    "Conversations/CH1/Participants?PageSize=100");

	T_CHECK(twilio_call_url(&call, t, HTTPC_POST,
	    "api:/2010-04-01/Accounts/%s/Calls.json", c.account_sid) == ERR_OK);
	T_STREQ(buf_str(&call.http.url), "http://127.0.0.1:8080/api/2010-04-01/"
	    "Accounts/AC00000000000000000000000000000000/Calls.json");

	/* Without a prefix: the URL as given (next_page_url, say). */
	T_CHECK(twilio_call_url(&call, t, HTTPC_GET,
	    "https://elsewhere.test/x?a=%s", "b") == ERR_OK);
	T_STREQ(buf_str(&call.http.url), "https://elsewhere.test/x?a=b");
	/* A prefix counts only at the start. */
	T_CHECK(twilio_call_url(&call, t, HTTPC_GET, "/conv:/x") == ERR_OK);
	T_STREQ(buf_str(&call.http.url), "/conv:/x");
	T_CHECK(twilio_call_url(&call, t, HTTPC_GET, "conv:") == ERR_OK);
	T_STREQ(buf_str(&call.http.url), "https://conversations.example.test");
	T_CHECK(twilio_call_url(&call, t, HTTPC_GET, "api:%s", "") == ERR_OK);
	T_STREQ(buf_str(&call.http.url), "http://127.0.0.1:8080/api");

	/* Over the URL limit: an error, not a truncated URL. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_CHECK(twilio_call_url(&call, t, HTTPC_GET, "conv:/%s", big) ==
	    ERR_TOOBIG);

	twilio_call_free(&call);
	twilio_call_free(NULL);
	twilio_free(t);
	twilio_free(NULL);
}

/*
 * Twilio's answers from httpc_set_transport(): the limits hold as they do
 * on the wire. The client for these tests: retries short and few.
 */
static void
transport_config(struct twilio_opts *c)
{
	seed_config(c);
	c->account_sid = "AC00000000000000000000000000000000";
	c->auth_token = "token";
	c->conversations_url = "https://conversations.example.test";
	c->api_url = "https://api.example.test";
	c->retry.max_attempts = 1;
	c->retry.min_ms = 1;
	c->retry.max_ms = 2;
}

/* Appends n bytes c to body, or as many as it may still hold. */
static void
fill(struct buf *body, char c, size_t n)
{
	char	 chunk[4096];
	size_t	 k;

	memset(chunk, c, sizeof(chunk));
	while (n > 0 && body->len < body->max) {
		k = n < sizeof(chunk) ? n : sizeof(chunk);
		if (k > body->max - body->len)
			k = body->max - body->len;
		if (buf_append(body, chunk, k) != ERR_OK)
			break;
		n -= k;
	}
}

/* A list whose pages never end: pad bytes of padding a page. */
struct endless {
	size_t	 pad;
	int	 calls;
	size_t	 sent;
};

static long
endless_page(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct endless *e = arg;

	(void)c;
	(void)head;
	e->calls++;
	buf_puts(body, "{\"conversations\":[{\"pad\":\"");
	fill(body, 'x', e->pad);
	buf_printf(body, "\"}],\"meta\":{\"next_page_url\":"
	    "\"https://conversations.example.test/v1/ParticipantConversations"
	    "?PageSize=50&Page=%d\"}}", e->calls);
	e->sent += body->len;
	return 200;
}

/* Runs a list call to the end on t, with budget (0: the default). */
static void
run_list(struct twilio *t, struct twilio_call *call, size_t budget)
{
	twilio_call_init(call);
	T_CHECK(twilio_call_url(call, t, HTTPC_GET,
	    "conv:/v1/ParticipantConversations?Address=%%2B14155551234&"
	    "PageSize=50") == ERR_OK);
	call->page_key = "conversations";
	call->http.budget = budget;
	twilio_submit(t, call);
	twilio_run(t, clock_now_ms() + 30000);
}

static void
test_transport_budget(void)
{
	struct twilio_opts	 c;
	struct twilio		*t = NULL;
	struct twilio_call	 call;
	struct endless		 e;
	char			 want[128];

	transport_config(&c);
	T_CHECK(twilio_new(&t, &c) == ERR_OK);
	if (t == NULL)
		return;
	httpc_set_transport(twilio_http(t), endless_page, &e);

	/* 60 KB pages: the call stops at TWILIO_CALL_BUDGET, all pages counted. */
	memset(&e, 0, sizeof(e));
	e.pad = 60000;
	run_list(t, &call, 0);
	T_CHECK(call.http.err == ERR_TRANSPORT);
	snprintf(want, sizeof(want), "Twilio's answers to one request are over "
	    "%d bytes", TWILIO_CALL_BUDGET);
	T_STREQ(call.http.message, want);
	T_CHECK(call.http.received <= TWILIO_CALL_BUDGET);
	T_CHECK(e.sent > TWILIO_CALL_BUDGET);
	/* The page over the budget is the last asked for, and not retried. */
	T_CHECK(e.calls == TWILIO_CALL_BUDGET / (int)(e.sent / e.calls) + 1);
	T_CHECK(call.http.attempts == e.calls);
	T_CHECK(twilio_items_len(&call) == (size_t)e.calls - 1);
	twilio_call_free(&call);

	/* A call's own budget, the same way. */
	memset(&e, 0, sizeof(e));
	e.pad = 60000;
	run_list(t, &call, 100000);
	T_CHECK(call.http.err == ERR_TRANSPORT);
	T_STREQ(call.http.message, "Twilio's answers to one request are over "
	    "100000 bytes");
	T_CHECK(call.http.received <= 100000);
	T_CHECK(e.calls == 2 && call.http.attempts == 2);
	twilio_call_free(&call);

	/* Small pages that never end: stopped by TWILIO_MAX_PAGES. */
	memset(&e, 0, sizeof(e));
	run_list(t, &call, 0);
	T_CHECK(call.http.err == ERR_TRANSPORT);
	snprintf(want, sizeof(want), "more than %d pages in one Twilio list",
	    TWILIO_MAX_PAGES);
	T_STREQ(call.http.message, want);
	T_CHECK(e.calls == TWILIO_MAX_PAGES);
	twilio_call_free(&call);

	twilio_free(t);
}

/* One answer of want bytes: a JSON object, cut short if want is too few. */
struct big {
	size_t	 want;
	int	 calls;
};

static long
big_answer(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct big *b = arg;

	(void)head;
	b->calls++;
	buf_puts(body, "{\"pad\":\"");
	fill(body, 'x', b->want - 10);
	buf_puts(body, "\"}");
	return c->method == HTTPC_POST ? 201 : 200;
}

static void
test_transport_body_max(void)
{
	struct twilio_opts	 c;
	struct twilio		*t = NULL;
	struct twilio_call	 call;
	struct big		 b;
	char			 want[128];
	int			 m;

	transport_config(&c);
	T_CHECK(twilio_new(&t, &c) == ERR_OK);
	if (t == NULL)
		return;
	httpc_set_transport(twilio_http(t), big_answer, &b);
	snprintf(want, sizeof(want), "Twilio's answer is over %d bytes",
	    TWILIO_BODY_MAX);

	for (m = 0; m < 2; m++) {
		/* TWILIO_BODY_MAX bytes in all is an answer like any other... */
		memset(&b, 0, sizeof(b));
		b.want = TWILIO_BODY_MAX;
		twilio_call_init(&call);
		T_CHECK(twilio_call_url(&call, t, m ? HTTPC_POST : HTTPC_GET,
		    "conv:/v1/Conversations") == ERR_OK);
		twilio_submit(t, &call);
		twilio_run(t, clock_now_ms() + 30000);
		T_CHECK(call.http.err == ERR_OK && call.json != NULL);
		T_CHECK(call.http.received == TWILIO_BODY_MAX);
		twilio_call_free(&call);

		/* ...one byte more is refused, named, and not asked again. */
		memset(&b, 0, sizeof(b));
		b.want = TWILIO_BODY_MAX + 1;
		twilio_call_init(&call);
		T_CHECK(twilio_call_url(&call, t, m ? HTTPC_POST : HTTPC_GET,
		    "conv:/v1/Conversations") == ERR_OK);
		twilio_submit(t, &call);
		twilio_run(t, clock_now_ms() + 30000);
		T_CHECK(call.http.err == ERR_TRANSPORT && call.json == NULL);
		T_STREQ(call.http.message, want);
		T_CHECK(b.calls == 1 && call.http.attempts == 1);
		twilio_call_free(&call);
	}
	twilio_free(t);
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	T_RUN(test_sid_valid);
	T_RUN(test_call_url);
	T_RUN(test_transport_budget);
	T_RUN(test_transport_body_max);
	curl_global_cleanup();
	T_END();
}
