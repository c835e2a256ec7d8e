/*
 * test_preevent: the pre-event decision (svc/preevent) with Twilio and the
 * operator answered by the test (httpc_set_transport), and the reading of
 * the operator's answer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/form.h"
#include "net/httpc.h"
#include "svc/callback.h"
#include "svc/preevent.h"
#include "t.h"
#include "twilio/twilio.h"

#define SID	"CH0123456789abcdef0123456789abcdef"

/* What the fake wire answers, and what it saw. */
struct wire {
	long		 status;	/* 0: no answer */
	const char	*body;
	int		 calls;
	char		 seen[4096];	/* the last request's form (POST) */
};

static long
answer(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct wire *w = arg;

	(void)head;
	w->calls++;
	snprintf(w->seen, sizeof(w->seen), "%s", c->form.data != NULL ?
	    c->form.data : "");
	if (w->body != NULL)
		buf_puts(body, w->body);
	return w->status;
}

struct rig {
	struct twilio_opts	 to;
	struct callback_opts	 co;
	struct twilio		*t;
	struct callback		*cb;
	struct wire		 twilio, op;
	struct preevent_opts	 o;
	struct form		 f;		/* the last webhook: results borrow it */
	bool			 has_form;
};

static void
rig_init(struct rig *g, const char *attributes)
{
	static char	 conv[1024];

	memset(g, 0, sizeof(*g));
	g->to.account_sid = "AC00000000000000000000000000000000";
	g->to.auth_token = "token";
	g->to.conversations_url = "https://conversations.example.test";
	g->to.api_url = "https://api.example.test";
	g->to.retry.max_attempts = 1;
	g->to.retry.min_ms = 1;
	g->to.retry.factor = 1;
	g->to.retry.max_ms = 1;
	g->co.secret = "0123456789abcdef0123456789abcdef";
	g->co.budget_ms = 1000;
	T_CHECK(twilio_new(&g->t, &g->to) == ERR_OK);
	T_CHECK(callback_new(&g->cb, &g->co) == ERR_OK);
	snprintf(conv, sizeof(conv), "{\"sid\": \"" SID "\", \"attributes\": "
	    "%s}", attributes);
	g->twilio.status = 200;
	g->twilio.body = conv;
	httpc_set_transport(twilio_http(g->t), answer, &g->twilio);
	httpc_set_transport(callback_http(g->cb), answer, &g->op);
	g->o.filter = PREEVENT_FILTER_REDACT;
	g->o.mark = "[redacted]";
	g->o.intercept_ms = 1000;
}

static void
rig_free(struct rig *g)
{
	if (g->has_form)
		form_free(&g->f);
	twilio_free(g->t);
	callback_free(g->cb);
}

/*
 * Decides on a text from a participant; r is the caller's to free, and
 * borrows g's form until the next call.
 */
static enum err
decide(struct rig *g, const char *text, struct preevent_result *r)
{
	struct buf	 b;
	enum err	 e;

	buf_init(&b, 1 << 20);
	form_add(&b, "EventType", "onMessageAdd");
	form_add(&b, "ConversationSid", SID);
	form_add(&b, "Author", "+14155551234");
	form_add(&b, "Source", "SMS");
	form_add(&b, "Body", text);
	if (g->has_form)
		form_free(&g->f);
	T_CHECK(form_parse(&g->f, b.data, b.len) == ERR_OK);
	g->has_form = true;
	e = preevent_decide(g->t, g->cb, &g->o, &g->f, clock_now_ms() + 3000,
	    r);
	buf_free(&b);
	return e;
}

static void
test_clean_text(void)
{
	struct rig		 g;
	struct preevent_result	 r;

	rig_init(&g, "\"{}\"");
	T_CHECK(decide(&g, "see you at 5", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_ALLOW);
	T_CHECK(r.reason == NULL);
	T_CHECK(g.twilio.calls == 1);
	T_CHECK(g.op.calls == 0);
	preevent_result_free(&r);
	rig_free(&g);
}

static void
test_redact_and_block(void)
{
	struct rig		 g;
	struct preevent_result	 r;

	rig_init(&g, "\"{}\"");
	T_CHECK(decide(&g, "call 415 555 0199 now", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_CHANGE);
	T_STREQ(r.reason, "contact_details");
	T_STREQ(buf_str(&r.body), "call [redacted] now");
	T_CHECK(r.redactions == 1);
	preevent_result_free(&r);

	g.o.filter = PREEVENT_FILTER_BLOCK;
	T_CHECK(decide(&g, "call 415 555 0199 now", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_BLOCK);
	T_STREQ(r.reason, "contact_details");
	preevent_result_free(&r);

	g.o.filter = PREEVENT_FILTER_OFF;
	T_CHECK(decide(&g, "call 415 555 0199 now", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_ALLOW);
	preevent_result_free(&r);
	rig_free(&g);
}

static void
test_session_rules(void)
{
	struct rig		 g;
	struct preevent_result	 r;

	rig_init(&g, "\"{\\\"maskedSession\\\":{\\\"mode\\\":\\\"voice-only\\\"}}\"");
	T_CHECK(decide(&g, "hello", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_BLOCK);
	T_STREQ(r.reason, "voice_only");
	preevent_result_free(&r);
	rig_free(&g);

	rig_init(&g, "\"{\\\"maskedSession\\\":{\\\"dateExpiry\\\":\\\"2020-01-01T00:00:00Z\\\"}}\"");
	T_CHECK(decide(&g, "hello", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_BLOCK);
	T_STREQ(r.reason, "expired");
	preevent_result_free(&r);
	rig_free(&g);

	/* Twilio down: no reason to stop the text, the filter still runs. */
	rig_init(&g, "\"{}\"");
	g.twilio.status = 503;
	T_CHECK(decide(&g, "mail ana@example.com", &r) == ERR_OK);
	T_CHECK(r.verdict == PREEVENT_CHANGE);
	T_STREQ(buf_str(&r.body), "mail [redacted]");
	preevent_result_free(&r);
	rig_free(&g);
}

static void
test_operator(void)
{
	static const struct {
		long		 status;
		const char	*body;
		bool		 closed;
		enum preevent_verdict want;
		const char	*reason;
		const char	*text;
	} cases[] = {
		{ 200, "", false, PREEVENT_ALLOW, NULL, NULL },
		{ 200, "{\"action\":\"allow\"}", false, PREEVENT_ALLOW, NULL, NULL },
		{ 200, "{\"action\":\"block\"}", false, PREEVENT_BLOCK, "operator", NULL },
		{ 200, "{\"action\":\"replace\",\"body\":\"hi there\"}", false,
		    PREEVENT_CHANGE, "operator", "hi there" },
		{ 500, "", false, PREEVENT_ALLOW, NULL, NULL },
		{ 500, "", true, PREEVENT_BLOCK, "operator_unavailable", NULL },
		{ 200, "not json", true, PREEVENT_BLOCK, "operator_unavailable", NULL },
		{ 200, "{\"action\":\"maybe\"}", false, PREEVENT_ALLOW, NULL, NULL },
		{ 0, NULL, true, PREEVENT_BLOCK, "operator_unavailable", NULL },
	};
	struct rig		 g;
	struct preevent_result	 r;
	size_t			 i;

	for (i = 0; i < T_NCASES(cases); i++) {
		rig_init(&g, "\"{}\"");
		g.o.intercept_url = "https://operator.example.test/intercept";
		g.o.fail_closed = cases[i].closed;
		g.op.status = cases[i].status;
		g.op.body = cases[i].body;
		T_CHECK_CASE(decide(&g, "hello", &r) == ERR_OK, i, "decide");
		T_CHECK_CASE(g.op.calls >= 1, i, "asked");
		T_CHECK_CASE(r.verdict == cases[i].want, i, "verdict");
		T_CHECK_CASE((r.reason == NULL) == (cases[i].reason == NULL) &&
		    (r.reason == NULL || strcmp(r.reason, cases[i].reason) == 0),
		    i, "reason");
		if (cases[i].text != NULL)
			T_CHECK_CASE(strcmp(buf_str(&r.body), cases[i].text) == 0,
			    i, "body");
		/* The operator saw the text as JSON. */
		T_CHECK_CASE(strstr(g.op.seen, "\"message.intercept\"") != NULL,
		    i, "request");
		preevent_result_free(&r);
		rig_free(&g);
	}
}

static void
test_answer_parse(void)
{
	static const struct {
		const char		*text;
		enum err		 e;
		enum preevent_verdict	 v;
	} cases[] = {
		{ "", ERR_OK, PREEVENT_ALLOW },
		{ "  \n", ERR_OK, PREEVENT_ALLOW },
		{ "{\"action\":\"allow\"}", ERR_OK, PREEVENT_ALLOW },
		{ "{\"action\":\"block\",\"reason\":\"spam\"}", ERR_OK, PREEVENT_BLOCK },
		{ "{\"action\":\"replace\",\"body\":\"x\"}", ERR_OK, PREEVENT_CHANGE },
		{ "{\"action\":\"replace\"}", ERR_PARSE, 0 },
		{ "{\"action\":\"replace\",\"body\":\"\"}", ERR_PARSE, 0 },
		{ "{\"action\":\"replace\",\"body\":\"a\\u0000b\"}", ERR_PARSE, 0 },
		{ "{\"action\":\"replace\",\"body\":7}", ERR_PARSE, 0 },
		{ "{\"action\":1}", ERR_PARSE, 0 },
		{ "{}", ERR_PARSE, 0 },
		{ "[]", ERR_PARSE, 0 },
		{ "\"allow\"", ERR_PARSE, 0 },
		{ "{\"action\":\"allow\",\"action\":\"block\"}", ERR_PARSE, 0 },
		{ "{\"action\":\"allow\"} x", ERR_PARSE, 0 },
		{ "{\"action\":\"ALLOW\"}", ERR_PARSE, 0 },
	};
	struct buf		 body;
	enum preevent_verdict	 v;
	const char		*why;
	size_t			 i;
	char			 big[1700 * 3 + 64];

	buf_init(&body, 1 << 16);
	for (i = 0; i < T_NCASES(cases); i++) {
		why = NULL;
		T_CHECK_CASE(preevent_answer_parse(cases[i].text,
		    strlen(cases[i].text), &v, &body, &why) == cases[i].e,
		    i, cases[i].text);
		if (cases[i].e == ERR_OK)
			T_CHECK_CASE(v == cases[i].v, i, cases[i].text);
		else
			T_CHECK_CASE(why != NULL, i, cases[i].text);
	}
	/* 1600 characters (of three bytes each) fit; 1601 do not. */
	strcpy(big, "{\"action\":\"replace\",\"body\":\"");
	for (i = 0; i < 1600; i++)
		strcat(big, "\xe2\x82\xac");
	strcat(big, "\"}");
	T_CHECK(preevent_answer_parse(big, strlen(big), &v, &body, &why) ==
	    ERR_OK && v == PREEVENT_CHANGE && body.len == 4800);
	big[strlen(big) - 2] = '\0';
	strcat(big, "x\"}");
	T_CHECK(preevent_answer_parse(big, strlen(big), &v, &body, &why) ==
	    ERR_PARSE);
	buf_free(&body);
}

static void
test_filter_parse(void)
{
	enum preevent_filter f = PREEVENT_FILTER_OFF;

	T_CHECK(preevent_filter_parse("redact", &f) && f == PREEVENT_FILTER_REDACT);
	T_CHECK(preevent_filter_parse("block", &f) && f == PREEVENT_FILTER_BLOCK);
	T_CHECK(preevent_filter_parse("off", &f) && f == PREEVENT_FILTER_OFF);
	T_CHECK(!preevent_filter_parse("Redact", &f));
	T_CHECK(!preevent_filter_parse("", &f));
	T_CHECK(!preevent_filter_parse(NULL, &f));
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	T_RUN(test_clean_text);
	T_RUN(test_redact_and_block);
	T_RUN(test_session_rules);
	T_RUN(test_operator);
	T_RUN(test_answer_parse);
	T_RUN(test_filter_parse);
	curl_global_cleanup();
	T_END();
}
