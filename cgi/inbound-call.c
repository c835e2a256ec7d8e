/*
 * inbound-call.fcgi: POST /inbound-call, Twilio's voice webhook for the pool
 * numbers, connects the caller to the other participants (SPEC §5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "app/server.h"
#include "core/log.h"
#include "svc/inbound.h"

/* Answers 200 with TwiML: whatever happens, the caller hears something. */
static void
reply_twiml(struct app *a, int status, char *doc)
{
	static const char fallback[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Response><Hangup/></Response>";

	if (doc != NULL)
		http_reply(a->conn, status, "text/xml", NULL, doc, strlen(doc));
	else
		http_reply(a->conn, status, "text/xml", NULL, fallback,
		    sizeof(fallback) - 1);
	free(doc);
}

static void
unavailable(struct app *a, struct http_req *req)
{
	(void)req;
	/* Twilio would read a 503 out as an "application error": apologise. */
	reply_twiml(a, 200, inbound_say(&a->cfg->inbound,
	    a->cfg->inbound.apology_message));
}

/* {"address", "proxyAddress"} of callee i of info, or NULL. */
static json_object *
callee_json(const struct inbound_call *info, size_t i)
{
	json_object *c;

	if ((c = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(c, "address",
	    json_object_new_string(info->callees[i].address));
	json_object_object_add(c, "proxyAddress",
	    json_object_new_string(info->callees[i].proxy));
	return c;
}

/*
 * The operator's call event (SPEC §12) for a call that went out (one
 * callee, a conference, or out of session), sent once the answer is out;
 * the id comes from Twilio's CallSid, so that a webhook Twilio sends
 * again makes the same event.
 */
static void
call_event(struct app *a, const struct form *f, enum inbound_outcome out,
    const struct inbound_call *info, const char *called)
{
	json_object	*d, *arr;
	const char	*type, *from = form_get(f, "From");
	size_t		 i;

	if (out == INBOUND_APOLOGY || (d = json_object_new_object()) == NULL)
		return;
	if (form_get(f, "CallSid") != NULL)
		json_object_object_add(d, "callSid",
		    json_object_new_string(form_get(f, "CallSid")));
	json_object_object_add(d, "caller", from != NULL ?
	    json_object_new_string(from) : NULL);
	if (out == INBOUND_DIAL && info->ncallees == 1) {
		type = "call.connected";
		json_object_object_add(d, "callee",
		    json_object_new_string(info->callees[0].address));
		json_object_object_add(d, "proxyAddress",
		    json_object_new_string(info->callees[0].proxy));
	} else if (out == INBOUND_CONFERENCE) {
		type = "call.conference";
		json_object_object_add(d, "conference",
		    json_object_new_string(info->conference));
		if ((arr = json_object_new_array()) != NULL)
			for (i = 0; i < info->ncallees; i++)
				json_object_array_add(arr, callee_json(info, i));
		json_object_object_add(d, "callees", arr);
	} else {
		type = "call.out_of_session";
		json_object_object_add(d, "called", called != NULL ?
		    json_object_new_string(called) : NULL);
	}
	server_event(a, type, form_get(f, "CallSid"), info->session_sid[0] !=
	    '\0' ? info->session_sid : NULL, d);
	json_object_put(d);
}

/* POST /inbound-call */
static void
handle(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct form		 f;
	struct inbound_call	 info;
	enum inbound_outcome	 out;
	const char		*called;
	char			*doc = NULL;

	(void)m;
	/* Not Twilio's, or unreadable: plain text, no call to answer. */
	if (answer_webhook(a, req, &f) != ERR_OK)
		return;
	if ((called = form_get(&f, "Called")) == NULL || *called == '\0')
		called = form_get(&f, "To");
	out = inbound_route_call(a->tw, a->cb, &a->cfg->inbound,
	    form_get(&f, "From"), called, form_get(&f, "CallSid"), a->deadline,
	    &doc, &info);
	reply_twiml(a, 200, doc);
	call_event(a, &f, out, &info, called);
	form_free(&f);
}

static const struct route routes[] = {
	SERVER_ROUTE("POST", "/inbound-call", handle),
};

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	.name = "inbound-call",
	.scope = CONFIG_FOR_INBOUND,
	SERVER_ROUTES(routes),
	.unavailable = unavailable,
	ANSWER_FRAME,
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
