#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/form.h"
#include "twilio/conv.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

enum err
conv_create(struct twilio_call *c, const struct twilio *t,
    const struct buf *form, const char *unique_name)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = twilio_call_url(c, t, HTTPC_POST, "conv:/v1/Conversations")) !=
	    ERR_OK ||
	    (e = buf_append(&c->http.form, form->data, form->len)) != ERR_OK ||
	    (e = form_add(&c->http.form, "UniqueName", unique_name)) != ERR_OK)
		return e;
	return ERR_OK;
}

/*
 * Appends value to out escaped as one path segment (or query value): as
 * form_escape() does, and "." and ".." with their dots escaped too, which
 * libcurl would otherwise resolve, leaving the resource named.
 */
static enum err
escape_segment(struct buf *out, const char *value)
{
	if (value != NULL && (strcmp(value, ".") == 0 ||
	    strcmp(value, "..") == 0))
		return buf_puts(out, value[1] == '\0' ? "%2E" : "%2E%2E");
	return form_escape(out, value);
}

/*
 * Sets c to a method request of path (a "conv:" format with one %s, and
 * the rest of it, such as a query, after): value escaped, as a path
 * segment or a query value.
 */
static enum err
url_escaped(struct twilio_call *c, const struct twilio *t,
    enum httpc_method method, const char *path, const char *value)
{
	struct buf	 esc;
	enum err	 e;

	buf_init(&esc, 1024);
	if ((e = escape_segment(&esc, value)) == ERR_OK)
		e = twilio_call_url(c, t, method, path, buf_str(&esc));
	buf_free(&esc);
	return e;
}

static enum err
get_escaped(struct twilio_call *c, const struct twilio *t, const char *path,
    const char *value)
{
	return url_escaped(c, t, HTTPC_GET, path, value);
}

/*
 * Appends to c's URL (which has a query already) what page p asks for:
 * its size, and Twilio's Page and PageToken when it is not the first.
 */
static enum err
page_query(struct twilio_call *c, const struct conv_page *p)
{
	char		 num[64];
	enum err	 e;

	c->one_page = true;
	snprintf(num, sizeof(num), "%cPageSize=%d",
	    strchr(buf_str(&c->http.url), '?') != NULL ? '&' : '?', p->size);
	if ((e = buf_puts(&c->http.url, num)) != ERR_OK)
		return e;
	if (p->token == NULL)
		return ERR_OK;
	snprintf(num, sizeof(num), "&Page=%ld&PageToken=", p->page);
	if ((e = buf_puts(&c->http.url, num)) != ERR_OK)
		return e;
	return form_escape(&c->http.url, p->token);
}

enum err
conv_fetch(struct twilio_call *c, const struct twilio *t,
    const char *sid_or_name)
{
	return get_escaped(c, t, "conv:/v1/Conversations/%s", sid_or_name);
}

enum err
conv_update(struct twilio_call *c, const struct twilio *t, const char *id,
    const struct buf *form)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = url_escaped(c, t, HTTPC_POST, "conv:/v1/Conversations/%s",
	    id)) != ERR_OK)
		return e;
	return buf_append(&c->http.form, form->data, form->len);
}

enum err
conv_delete(struct twilio_call *c, const struct twilio *t, const char *id)
{
	return url_escaped(c, t, HTTPC_DELETE, "conv:/v1/Conversations/%s", id);
}

enum err
conv_participants(struct twilio_call *c, const struct twilio *t,
    const char *id)
{
	c->page_key = "participants";
	return get_escaped(c, t,
	    "conv:/v1/Conversations/%s/Participants?PageSize=100", id);
}

/* Sets c to method on participant psid of conversation id. */
static enum err
participant_url(struct twilio_call *c, const struct twilio *t,
    enum httpc_method method, const char *id, const char *psid)
{
	struct buf	 esc;
	enum err	 e;

	buf_init(&esc, 1024);
	if ((e = escape_segment(&esc, id)) == ERR_OK &&
	    (e = buf_puts(&esc, "/Participants/")) == ERR_OK &&
	    (e = escape_segment(&esc, psid)) == ERR_OK)
		e = twilio_call_url(c, t, method, "conv:/v1/Conversations/%s",
		    buf_str(&esc));
	buf_free(&esc);
	return e;
}

enum err
conv_participant_fetch(struct twilio_call *c, const struct twilio *t,
    const char *id, const char *psid)
{
	return participant_url(c, t, HTTPC_GET, id, psid);
}

enum err
conv_participant_delete(struct twilio_call *c, const struct twilio *t,
    const char *id, const char *psid)
{
	return participant_url(c, t, HTTPC_DELETE, id, psid);
}

enum err
conv_message_create(struct twilio_call *c, const struct twilio *t,
    const char *id, const struct buf *form)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = url_escaped(c, t, HTTPC_POST,
	    "conv:/v1/Conversations/%s/Messages", id)) != ERR_OK)
		return e;
	/*
	 * Twilio fires no webhook for a message made through the REST API
	 * unless asked: the account's webhooks see it like any other.
	 */
	c->http.header = "X-Twilio-Webhook-Enabled: true";
	return buf_append(&c->http.form, form->data, form->len);
}

enum err
conv_messages(struct twilio_call *c, const struct twilio *t, const char *id,
    bool newest_first, const struct conv_page *p)
{
	enum err e;

	c->page_key = "messages";
	if ((e = url_escaped(c, t, HTTPC_GET,
	    "conv:/v1/Conversations/%s/Messages?Order=", id)) != ERR_OK ||
	    (e = buf_puts(&c->http.url, newest_first ? "desc" : "asc")) !=
	    ERR_OK)
		return e;
	return page_query(c, p);
}

enum err
conv_list(struct twilio_call *c, const struct twilio *t, const char *state,
    const struct conv_page *p)
{
	enum err e;

	c->page_key = "conversations";
	if (state != NULL)
		e = get_escaped(c, t, "conv:/v1/Conversations?State=%s", state);
	else
		e = twilio_call_url(c, t, HTTPC_GET, "conv:/v1/Conversations");
	return e != ERR_OK ? e : page_query(c, p);
}

enum err
conv_of_address_page(struct twilio_call *c, const struct twilio *t,
    const char *address, const struct conv_page *p)
{
	enum err e;

	c->page_key = "conversations";
	if ((e = get_escaped(c, t,
	    "conv:/v1/ParticipantConversations?Address=%s", address)) != ERR_OK)
		return e;
	return page_query(c, p);
}

enum err
conv_add_sms(struct twilio_call *c, const struct twilio *t, const char *sid,
    const char *address, const char *proxy, const char *attributes)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = twilio_call_url(c, t, HTTPC_POST,
	    "conv:/v1/Conversations/%s/Participants", sid)) != ERR_OK ||
	    (e = form_add(&c->http.form, "MessagingBinding.Address",
	    address)) != ERR_OK ||
	    (e = form_add(&c->http.form, "MessagingBinding.ProxyAddress",
	    proxy)) != ERR_OK ||
	    (e = form_add(&c->http.form, "Attributes", attributes)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err
conv_of_address(struct twilio_call *c, const struct twilio *t,
    const char *address)
{
	c->page_key = "conversations";
	return get_escaped(c, t,
	    "conv:/v1/ParticipantConversations?Address=%s&PageSize=50", address);
}

enum err
conv_list_since(struct twilio_call *c, const struct twilio *t, time_t since)
{
	struct tm	 tm;
	char		 day[32];

	gmtime_r(&since, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT00:00:00Z", &tm);
	c->page_key = "conversations";
	return twilio_call_url(c, t, HTTPC_GET,
	    "conv:/v1/Conversations?StartDate=%s&PageSize=100", day);
}

bool
conv_gone(const struct twilio_call *c)
{
	return c->http.err == ERR_TWILIO && c->http.status == 404;
}

const char *
conv_sid(const struct twilio_call *c)
{
	const char *sid = twilio_json_str(c->json, "sid");

	return sid_valid(sid, "CH") ? sid : NULL;
}

long long
conv_created(const struct twilio_call *c)
{
	return twilio_json_time(c->json, "date_created");
}

const char *
conv_added_sid(const struct twilio_call *add)
{
	const char *sid = twilio_json_str(add->json, "sid");

	return sid_valid(sid, "MB") ? sid : NULL;
}

const char *
conv_participant_sid(const struct twilio_call *list, size_t i)
{
	const char *sid = twilio_json_str(twilio_item(list, i), "sid");

	return sid_valid(sid, "MB") ? sid : NULL;
}

const char *
conv_open_proxy(const struct twilio_call *list, size_t i, const char **sid)
{
	json_object	*item = twilio_item(list, i);
	const char	*state, *s;

	if (sid != NULL) {
		s = twilio_json_str(item, "conversation_sid");
		*sid = sid_valid(s, "CH") ? s : NULL;
	}
	if ((state = twilio_json_str(item, "conversation_state")) != NULL &&
	    strcmp(state, "closed") == 0)
		return NULL;
	return twilio_json_str(twilio_json_obj(item,
	    "participant_messaging_binding"), "proxy_address");
}

const char *
conv_of_address_attributes(const struct twilio_call *list, size_t i)
{
	return twilio_json_str(twilio_item(list, i), "conversation_attributes");
}

bool
conv_sms_binding(const struct twilio_call *list, size_t i,
    const char **address, const char **proxy)
{
	json_object	*binding;
	const char	*type;

	binding = twilio_json_obj(twilio_item(list, i), "messaging_binding");
	if ((*address = twilio_json_str(binding, "address")) == NULL ||
	    (*proxy = twilio_json_str(binding, "proxy_address")) == NULL)
		return false;
	type = twilio_json_str(binding, "type");
	return type == NULL || strcmp(type, "sms") == 0;
}

const char *
conv_attributes(const struct twilio_call *list, size_t i)
{
	return twilio_json_str(twilio_item(list, i), "attributes");
}

void
conv_summary(const struct twilio_call *list, size_t i,
    struct conv_summary *out)
{
	json_object	*item = twilio_item(list, i);
	const char	*state = twilio_json_str(item, "state");

	out->sid = twilio_json_str(item, "sid");
	if (!sid_valid(out->sid, "CH"))
		out->sid = NULL;
	out->unique_name = twilio_json_str(item, "unique_name");
	out->attributes = twilio_json_str(item, "attributes");
	out->created = twilio_json_time(item, "date_created");
	out->open = state != NULL && strcmp(state, "closed") != 0;
}
