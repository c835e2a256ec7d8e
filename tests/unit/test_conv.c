/*
 * test_conv: every Conversations and Calls request the service builds
 * (method, URL, form, page key), exactly as it goes to Twilio, and the
 * readers of Twilio's answers: "already gone", the open-conversation proxy
 * filter, SMS bindings, the reaper's summary.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "t.h"
#include "twilio/calls.h"
#include "twilio/conv.h"
#include "twilio/sms.h"
#include "twilio/twilio.h"

#define CONV	"https://conversations.example.test"
#define API	"https://api.example.test"
#define SID	"AC0123456789abcdef0123456789abcdef"
#define CH1	"CH00000000000000000000000000000001"

static struct twilio_opts	 opts;
static struct twilio		*tw;

/* c's request as "METHOD URL [form]". */
static const char *
request(const struct twilio_call *c)
{
	static char	 out[2048];
	const char	*m = c->http.method == HTTPC_GET ? "GET" :
	    c->http.method == HTTPC_POST ? "POST" : "DELETE";

	if (c->http.form.len > 0)
		snprintf(out, sizeof(out), "%s %s [%s]", m,
		    buf_str(&c->http.url), buf_str(&c->http.form));
	else
		snprintf(out, sizeof(out), "%s %s", m, buf_str(&c->http.url));
	return out;
}

static void
test_requests(void)
{
	struct twilio_call	 c;
	struct buf		 form;

	twilio_call_init(&c);
	buf_init(&form, 1024);
	buf_puts(&form, "FriendlyName=ride");
	T_CHECK(conv_create(&c, tw, &form, "masked-00ff") == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations "
	    "[FriendlyName=ride&UniqueName=masked-00ff]");
	T_CHECK(c.page_key == NULL);
	/* Built again: the form is not appended to twice. */
	T_CHECK(conv_create(&c, tw, &form, "a b&c") == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations "
	    "[FriendlyName=ride&UniqueName=a%20b%26c]");
	buf_reset(&form);
	T_CHECK(conv_create(&c, tw, &form, "n") == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations [UniqueName=n]");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_fetch(&c, tw, CH1) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/" CH1);
	/* A unique name is escaped: it cannot leave the path. */
	T_CHECK(conv_fetch(&c, tw, "../x?y=1/z") == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/..%2Fx%3Fy%3D1%2Fz");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_delete(&c, tw, CH1) == ERR_OK);
	T_STREQ(request(&c), "DELETE " CONV "/v1/Conversations/" CH1);
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_participants(&c, tw, CH1) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/" CH1
	    "/Participants?PageSize=100");
	T_STREQ(c.page_key, "participants");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_add_sms(&c, tw, CH1, "+14155551234", "+14155550100",
	    "{\"maskedSession\":{\"parties\":2}}") == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations/" CH1
	    "/Participants [MessagingBinding.Address=%2B14155551234&"
	    "MessagingBinding.ProxyAddress=%2B14155550100&Attributes="
	    "%7B%22maskedSession%22%3A%7B%22parties%22%3A2%7D%7D]");
	/* The next candidate replaces the form, not adds to it. */
	T_CHECK(conv_add_sms(&c, tw, CH1, "+1", "+2", "{}") == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations/" CH1
	    "/Participants [MessagingBinding.Address=%2B1&"
	    "MessagingBinding.ProxyAddress=%2B2&Attributes=%7B%7D]");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_of_address(&c, tw, "+14155551234") == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/ParticipantConversations?"
	    "Address=%2B14155551234&PageSize=50");
	T_STREQ(c.page_key, "conversations");
	twilio_call_free(&c);

	/* Twilio filters by day: the day of since, from midnight UTC. */
	twilio_call_init(&c);
	T_CHECK(conv_list_since(&c, tw, (time_t)1795834378) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations?"
	    "StartDate=2026-11-28T00:00:00Z&PageSize=100");
	T_STREQ(c.page_key, "conversations");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(calls_create(&c, tw, "+14155551234", "+14155550100",
	    "<Response/>") == ERR_OK);
	T_STREQ(request(&c), "POST " API "/2010-04-01/Accounts/" SID
	    "/Calls.json [To=%2B14155551234&From=%2B14155550100&"
	    "Twiml=%3CResponse%2F%3E]");
	twilio_call_free(&c);
	buf_free(&form);
}

/* The requests of session management (SPEC §9), by SID and by unique name. */
static void
test_manage_requests(void)
{
	struct twilio_call	 c;
	struct conv_page	 first = { 2, 0, NULL }, next = { 2, 1, "PA+1/=" };
	struct buf		 form;

	buf_init(&form, 1024);
	buf_puts(&form, "FriendlyName=x");
	twilio_call_init(&c);
	T_CHECK(conv_update(&c, tw, "ride 42", &form) == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations/ride%2042 "
	    "[FriendlyName=x]");
	twilio_call_free(&c);

	/* Dot segments cannot climb out of the resource: libcurl keeps them. */
	twilio_call_init(&c);
	T_CHECK(conv_delete(&c, tw, "..") == ERR_OK);
	T_STREQ(request(&c), "DELETE " CONV "/v1/Conversations/%2E%2E");
	T_CHECK(conv_participants(&c, tw, ".") == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/%2E/Participants?"
	    "PageSize=100");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_participant_delete(&c, tw, "a/b", "MB1") == ERR_OK);
	T_STREQ(request(&c), "DELETE " CONV "/v1/Conversations/a%2Fb/"
	    "Participants/MB1");
	T_CHECK(conv_participant_fetch(&c, tw, CH1, "..") == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/" CH1
	    "/Participants/%2E%2E");
	twilio_call_free(&c);

	twilio_call_init(&c);
	buf_reset(&form);
	buf_puts(&form, "Body=hi");
	T_CHECK(conv_message_create(&c, tw, CH1, &form) == ERR_OK);
	T_STREQ(request(&c), "POST " CONV "/v1/Conversations/" CH1
	    "/Messages [Body=hi]");
	T_STREQ(c.http.header, "X-Twilio-Webhook-Enabled: true");
	twilio_call_free(&c);

	/* Lists read one page; the next is named by Twilio's Page and token. */
	twilio_call_init(&c);
	T_CHECK(conv_messages(&c, tw, CH1, false, &first) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/" CH1
	    "/Messages?Order=asc&PageSize=2");
	T_STREQ(c.page_key, "messages");
	T_CHECK(c.one_page);
	twilio_call_free(&c);
	twilio_call_init(&c);
	T_CHECK(conv_messages(&c, tw, CH1, true, &next) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations/" CH1
	    "/Messages?Order=desc&PageSize=2&Page=1&PageToken=PA%2B1%2F%3D");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_list(&c, tw, NULL, &first) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations?PageSize=2");
	twilio_call_free(&c);
	twilio_call_init(&c);
	T_CHECK(conv_list(&c, tw, "closed", &next) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/Conversations?State=closed&"
	    "PageSize=2&Page=1&PageToken=PA%2B1%2F%3D");
	T_STREQ(c.page_key, "conversations");
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(conv_of_address_page(&c, tw, "+14155551234", &first) == ERR_OK);
	T_STREQ(request(&c), "GET " CONV "/v1/ParticipantConversations?"
	    "Address=%2B14155551234&PageSize=2");
	T_CHECK(c.one_page);
	twilio_call_free(&c);

	twilio_call_init(&c);
	T_CHECK(sms_send(&c, tw, "+14155551234", "+14155550100", "a&b") ==
	    ERR_OK);
	T_STREQ(request(&c), "POST " API "/2010-04-01/Accounts/" SID
	    "/Messages.json [To=%2B14155551234&From=%2B14155550100&Body=a%26b]");
	T_CHECK(c.http.header == NULL);
	twilio_call_free(&c);
	buf_free(&form);
}

static void
test_gone(void)
{
	struct twilio_call c;

	twilio_call_init(&c);
	c.http.err = ERR_TWILIO;
	c.http.status = 404;
	T_CHECK(conv_gone(&c));
	c.http.status = 410;
	T_CHECK(!conv_gone(&c));
	c.http.status = 500;
	T_CHECK(!conv_gone(&c));
	/* Not an answer of Twilio's: nothing is known. */
	c.http.err = ERR_TRANSPORT;
	c.http.status = 404;
	T_CHECK(!conv_gone(&c));
	c.http.err = ERR_OK;
	c.http.status = 204;
	T_CHECK(!conv_gone(&c));
	twilio_call_free(&c);
}

/* A finished list call whose items are the JSON array text items. */
static void
list_of(struct twilio_call *c, const char *items)
{
	twilio_call_init(c);
	c->items = json_tokener_parse(items);
	T_CHECK(c->items != NULL);
}

static void
test_open_proxy(void)
{
	struct twilio_call	 c;
	const char		*sid;

	list_of(&c, "[{\"conversation_sid\":\"" CH1 "\",\"conversation_state\":"
	    "\"active\",\"participant_messaging_binding\":{\"proxy_address\":"
	    "\"+14155550100\"}},"
	    "{\"conversation_sid\":\"" CH1 "\",\"conversation_state\":\"closed\","
	    "\"participant_messaging_binding\":{\"proxy_address\":\"+14155550101\"}},"
	    "{\"conversation_sid\":\"CH1\",\"participant_messaging_binding\":"
	    "{\"proxy_address\":\"+14155550102\"}},"
	    "{\"conversation_state\":\"inactive\",\"participant_messaging_binding\":"
	    "{\"address\":\"+1\"}},"
	    "{\"conversation_state\":5,\"participant_messaging_binding\":"
	    "{\"proxy_address\":\"+14155550103\"}},"
	    "null]");
	T_STREQ(conv_open_proxy(&c, 0, &sid), "+14155550100");
	T_STREQ(sid, CH1);
	T_CHECK(conv_open_proxy(&c, 0, NULL) != NULL);
	/* Closed: its number is free again. */
	T_CHECK(conv_open_proxy(&c, 1, &sid) == NULL);
	/* No state is not closed; a bad SID reads as none. */
	T_STREQ(conv_open_proxy(&c, 2, &sid), "+14155550102");
	T_CHECK(sid == NULL);
	T_CHECK(conv_open_proxy(&c, 3, &sid) == NULL);
	T_STREQ(conv_open_proxy(&c, 4, NULL), "+14155550103");
	T_CHECK(conv_open_proxy(&c, 5, &sid) == NULL && sid == NULL);
	T_CHECK(conv_open_proxy(&c, 6, &sid) == NULL);	/* past the end */
	twilio_call_free(&c);
}

static void
test_bindings(void)
{
	struct twilio_call	 c;
	const char		*a, *p;

	list_of(&c, "[{\"messaging_binding\":{\"type\":\"sms\",\"address\":\"+1\","
	    "\"proxy_address\":\"+2\"},\"attributes\":\"{\\\"x\\\":1}\"},"
	    "{\"messaging_binding\":{\"address\":\"+3\",\"proxy_address\":\"+4\"}},"
	    "{\"messaging_binding\":{\"type\":\"whatsapp\",\"address\":"
	    "\"whatsapp:+5\",\"proxy_address\":\"whatsapp:+6\"}},"
	    "{\"identity\":\"chat-user\",\"messaging_binding\":null},"
	    "{\"messaging_binding\":{\"type\":\"sms\",\"address\":\"+7\"}}]");
	T_CHECK(conv_sms_binding(&c, 0, &a, &p));
	T_STREQ(a, "+1");
	T_STREQ(p, "+2");
	T_CHECK(conv_sms_binding(&c, 1, &a, &p));
	T_STREQ(a, "+3");
	T_CHECK(!conv_sms_binding(&c, 2, &a, &p));
	T_CHECK(!conv_sms_binding(&c, 3, &a, &p));
	T_CHECK(!conv_sms_binding(&c, 4, &a, &p));
	T_CHECK(!conv_sms_binding(&c, 9, &a, &p));
	T_STREQ(conv_attributes(&c, 0), "{\"x\":1}");
	T_CHECK(conv_attributes(&c, 1) == NULL);
	twilio_call_free(&c);
}

static void
test_answers(void)
{
	struct twilio_call	 c;
	struct conv_summary	 s;

	twilio_call_init(&c);
	c.json = json_tokener_parse("{\"sid\":\"" CH1 "\",\"date_created\":"
	    "\"2026-11-28T01:06:18Z\"}");
	T_STREQ(conv_sid(&c), CH1);
	T_CHECK(conv_created(&c) == 1795827978);
	T_CHECK(conv_added_sid(&c) == NULL);	/* a CH SID is not a participant's */
	json_object_put(c.json);
	c.json = json_tokener_parse("{\"sid\":null,\"date_created\":\"yesterday\"}");
	T_CHECK(conv_sid(&c) == NULL && conv_created(&c) == -1);
	T_CHECK(conv_added_sid(&c) == NULL);
	json_object_put(c.json);
	c.json = json_tokener_parse("{\"sid\":\"CH\"}");
	T_CHECK(conv_sid(&c) == NULL);
	T_CHECK(conv_added_sid(&(struct twilio_call){ .json = NULL }) == NULL);
	json_object_put(c.json);
	c.json = json_tokener_parse("{\"sid\":\"MB00000000000000000000000000000001\"}");
	T_STREQ(conv_added_sid(&c), "MB00000000000000000000000000000001");
	json_object_put(c.json);
	c.json = json_tokener_parse("{\"sid\":5}");
	T_CHECK(conv_added_sid(&c) == NULL);
	twilio_call_free(&c);

	list_of(&c, "[{\"sid\":\"" CH1 "\",\"unique_name\":\"masked-1\",\"state\":"
	    "\"active\",\"date_created\":\"2026-11-28T01:06:18Z\"},"
	    "{\"sid\":\"x\",\"state\":\"closed\",\"date_created\":5},{}]");
	conv_summary(&c, 0, &s);
	T_STREQ(s.sid, CH1);
	T_STREQ(s.unique_name, "masked-1");
	T_CHECK(s.open && s.created == 1795827978);
	conv_summary(&c, 1, &s);
	T_CHECK(s.sid == NULL && s.unique_name == NULL && !s.open &&
	    s.created == -1);
	conv_summary(&c, 2, &s);
	T_CHECK(s.sid == NULL && !s.open);	/* no state: not examined */
	twilio_call_free(&c);
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	opts.account_sid = SID;
	opts.auth_token = "token";
	opts.conversations_url = CONV;
	opts.api_url = API;
	opts.retry.max_attempts = 1;
	if (twilio_new(&tw, &opts) != ERR_OK)
		return 1;
	T_RUN(test_requests);
	T_RUN(test_manage_requests);
	T_RUN(test_gone);
	T_RUN(test_open_proxy);
	T_RUN(test_bindings);
	T_RUN(test_answers);
	twilio_free(tw);
	curl_global_cleanup();
	T_END();
}
