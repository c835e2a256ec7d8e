#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "app/config.h"
#include "core/e164.h"
#include "core/form.h"
#include "core/log.h"
#include "svc/inbound.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"
#include "web/twiml.h"

#define MAX_CALLEES	49

struct callee {
	const char	*address;	/* borrowed from the participants list */
	const char	*proxy;
};

/* Adds the <Say> of text, with voice and language only when configured. */
static void
say(struct twiml *t, const struct config *c, const char *text)
{
	twiml_elem(t, "Say", text, "voice", c->voice, "language", c->language,
	    (char *)NULL);
}

char *
inbound_say(const struct config *c, const char *text)
{
	struct twiml t;

	twiml_init(&t);
	say(&t, c, text);
	return twiml_finish(&t, NULL);
}

/* Runs one list call to the end; its outcome is in c. */
static void
run_one(struct twilio *t, struct twilio_call *c, long long deadline)
{
	twilio_submit(t, c);
	twilio_run(t, deadline);
}

/* The open conversation in which from talks through proxy number called. */
static const char *
find_conversation(const struct twilio_call *list, const char *called)
{
	json_object	*item;
	const char	*state, *proxy, *sid;
	size_t		 i, n = twilio_items_len(list);

	for (i = 0; i < n; i++) {
		item = twilio_item(list, i);
		state = twilio_json_str(item, "conversation_state");
		if (state != NULL && strcmp(state, "closed") == 0)
			continue;
		proxy = twilio_json_str(twilio_json_obj(item,
		    "participant_messaging_binding"), "proxy_address");
		if (proxy == NULL || strcmp(proxy, called) != 0)
			continue;
		sid = twilio_json_str(item, "conversation_sid");
		if (sid_valid(sid, "CH"))
			return sid;
	}
	return NULL;
}

/*
 * The SMS participants other than the caller: those with a phone number and
 * a proxy phone number. WhatsApp and other channels ("whatsapp:+1...") and
 * chat participants (an identity, no binding) cannot be dialled.
 */
static size_t
find_callees(const struct twilio_call *list, const char *from,
    struct callee *out)
{
	json_object	*binding;
	const char	*address, *proxy, *type;
	size_t		 i, n = twilio_items_len(list), k = 0;

	for (i = 0; i < n && k < MAX_CALLEES; i++) {
		binding = twilio_json_obj(twilio_item(list, i),
		    "messaging_binding");
		if ((address = twilio_json_str(binding, "address")) == NULL ||
		    (proxy = twilio_json_str(binding, "proxy_address")) == NULL ||
		    strcmp(address, from) == 0)
			continue;
		if (((type = twilio_json_str(binding, "type")) != NULL &&
		    strcmp(type, "sms") != 0) || !e164_valid(address) ||
		    !e164_valid(proxy))
			continue;
		out[k].address = address;
		out[k].proxy = proxy;
		k++;
	}
	return k;
}

static void
call_done(struct twilio_call *call, void *arg)
{
	(void)arg;
	if (call->err != ERR_OK)
		log_warn("outbound call to the conference failed: %s "
		    "(HTTP %ld, code %ld)", call->message, call->status, call->code);
}

/*
 * Calls every callee into conference name at once; returns how many calls
 * Twilio accepted.
 */
static size_t
call_out(struct twilio *t, const struct config *c, const struct callee *callees,
    size_t n, const char *name, long long deadline)
{
	struct twilio_call	 calls[MAX_CALLEES];
	struct twiml		 tw;
	char			*doc;
	size_t			 i, ok = 0;
	enum err		 e = ERR_OK;

	twiml_init(&tw);
	twiml_open(&tw, "Dial", (char *)NULL);
	twiml_elem(&tw, "Conference", name, (char *)NULL);
	if ((doc = twiml_finish(&tw, NULL)) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		twilio_call_init(&calls[i]);
		calls[i].done = call_done;
		if (e == ERR_OK)
			e = twilio_call_url(&calls[i], t, TWILIO_POST,
			    "api:/2010-04-01/Accounts/%s/Calls.json",
			    c->account_sid);
		if (e == ERR_OK)
			e = form_add(&calls[i].form, "To", callees[i].address);
		if (e == ERR_OK)
			e = form_add(&calls[i].form, "From", callees[i].proxy);
		if (e == ERR_OK)
			e = form_add(&calls[i].form, "Twiml", doc);
	}
	if (e == ERR_OK) {
		for (i = 0; i < n; i++)
			twilio_submit(t, &calls[i]);
		twilio_run(t, deadline);
		for (i = 0; i < n; i++)
			if (calls[i].err == ERR_OK)
				ok++;
	}
	for (i = 0; i < n; i++)
		twilio_call_free(&calls[i]);
	free(doc);
	return ok;
}

enum inbound_outcome
inbound_route(struct twilio *t, const struct config *c, const char *from,
    const char *called, long long deadline, char **twiml)
{
	struct twilio_call	 convs, parts;
	struct callee		 callees[MAX_CALLEES];
	struct twiml		 tw;
	struct buf		 esc;
	struct timeval		 tv;
	char			 name[64], mf[LOG_MASK_LEN];
	const char		*sid;
	size_t			 n;
	enum inbound_outcome	 out = INBOUND_APOLOGY;

	*twiml = NULL;
	twilio_call_init(&convs);
	twilio_call_init(&parts);
	buf_init(&esc, 64);
	twiml_init(&tw);

	if (from == NULL || called == NULL || !e164_valid(from) ||
	    !e164_valid(called)) {
		log_info("call without a valid From or Called: no session");
		out = INBOUND_NO_SESSION;
		goto answer;
	}
	if (form_escape(&esc, from) != ERR_OK ||
	    twilio_call_url(&convs, t, TWILIO_GET, "conv:/v1/"
	    "ParticipantConversations?Address=%s&PageSize=50", buf_str(&esc)) !=
	    ERR_OK)
		goto answer;
	convs.page_key = "conversations";
	run_one(t, &convs, deadline);
	if (convs.err != ERR_OK) {
		log_error("looking up the conversations of %s failed: %s",
		    log_mask(mf, from), convs.message);
		goto answer;
	}
	if ((sid = find_conversation(&convs, called)) == NULL) {
		out = INBOUND_NO_SESSION;
		goto answer;
	}
	if (twilio_call_url(&parts, t, TWILIO_GET,
	    "conv:/v1/Conversations/%s/Participants?PageSize=100", sid) != ERR_OK)
		goto answer;
	parts.page_key = "participants";
	run_one(t, &parts, deadline);
	if (parts.err != ERR_OK) {
		log_error("listing the participants of %s failed: %s", sid,
		    parts.message);
		goto answer;
	}
	n = find_callees(&parts, from, callees);
	if (n == 0) {
		out = INBOUND_NO_SESSION;
	} else if (n == 1) {
		out = INBOUND_DIAL;
	} else {
		gettimeofday(&tv, NULL);
		snprintf(name, sizeof(name), "%s_at_%lld", from,
		    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
		if (call_out(t, c, callees, n, name, deadline) > 0)
			out = INBOUND_CONFERENCE;
		else
			log_error("no callee of %s could be called", sid);
	}

answer:
	switch (out) {
	case INBOUND_NO_SESSION:
		say(&tw, c, c->out_of_session_message);
		break;
	case INBOUND_DIAL:
		say(&tw, c, c->connecting_message);
		twiml_open(&tw, "Dial", "callerId", callees[0].proxy, (char *)NULL);
		twiml_elem(&tw, "Number", callees[0].address, (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_CONFERENCE:
		say(&tw, c, c->connecting_message);
		twiml_open(&tw, "Dial", (char *)NULL);
		twiml_elem(&tw, "Conference", name, "endConferenceOnExit", "true",
		    (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_APOLOGY:
		say(&tw, c, c->apology_message);
		break;
	}
	*twiml = twiml_finish(&tw, NULL);
	twilio_call_free(&convs);
	twilio_call_free(&parts);
	buf_free(&esc);
	return out;
}
