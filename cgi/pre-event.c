/*
 * pre-event.fcgi: POST /conversations-pre-event, Twilio's Conversations
 * pre-event webhook: each message on its way into a session is allowed,
 * changed or blocked before anyone receives it (SPEC §11).
 *
 * Twilio's pre-event contract: a 200 lets the action go on, and a 200
 * whose body is a JSON object changes what it names ("body" here); any
 * other status rejects it. So: allowed, 200 and no body; changed, 200 and
 * {"body": "..."}; blocked, 403 (with the reason, for people reading
 * Twilio's debugger).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "answer.h"
#include "app/server.h"
#include "core/log.h"
#include "svc/preevent.h"

static void
unavailable(struct app *a, struct http_req *req)
{
	(void)req;
	/*
	 * Not configured: the messages are not let through unchecked. A 503
	 * rejects the message (Twilio's contract), and says why in Twilio's
	 * debugger; the log has said what to fix since start-up.
	 */
	answer_text(a, 503, "service not configured: message not checked\n");
}

/* 200 {"body": ...}: the message goes on with this body. */
static void
reply_changed(struct app *a, const struct preevent_result *r)
{
	json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return;		/* unanswered: 500, which rejects the message */
	json_object_object_add(o, "body",
	    json_object_new_string_len(r->body.data, (int)r->body.len));
	http_reply_json(a->conn, 200, o, NULL);
	json_object_put(o);
}

/* A string member, null when s is NULL. */
static void
add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s != NULL ? json_object_new_string(s) :
	    NULL);
}

/*
 * Tells the operator (SPEC §12) of a text blocked or redacted: queued, sent
 * once Twilio has its answer. A redacted text that the operator's own
 * answer then changed or blocked is told as what finally happened.
 */
static void
tell_operator(struct app *a, const struct preevent_result *r)
{
	json_object	*d;
	const char	*type;

	if (r->verdict == PREEVENT_BLOCK)
		type = "message.blocked";
	else if (r->verdict == PREEVENT_CHANGE)
		type = "message.redacted";
	else
		return;
	if ((d = json_object_new_object()) == NULL)
		return;
	add_str(d, "reason", r->reason);
	add_str(d, "author", r->author);
	add_str(d, "participantSid", r->participant);
	add_str(d, "body", r->original);
	if (r->verdict == PREEVENT_CHANGE)
		json_object_object_add(d, "deliveredBody",
		    json_object_new_string_len(r->body.data, (int)r->body.len));
	json_object_object_add(d, "redactions",
	    json_object_new_int64((int64_t)r->redactions));
	/* No id of Twilio's for a message not yet made: a fresh one. */
	server_event(a, type, NULL, r->sid, d);
	json_object_put(d);
}

/* POST /conversations-pre-event */
static void
handle(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct form		 f;
	struct preevent_result	 r;
	char			 why[128];

	(void)m;
	if (answer_webhook(a, req, &f) != ERR_OK)
		return;
	if (preevent_decide(a->tw, a->cb, &a->cfg->preevent, &f, a->deadline,
	    &r) != ERR_OK) {
		log_error("pre-event: out of memory deciding on a message: "
		    "rejected");
		goto done;	/* unanswered: 500, which rejects it */
	}
	switch (r.verdict) {
	case PREEVENT_IGNORED:
	case PREEVENT_ALLOW:
		answer_text(a, 200, "");
		break;
	case PREEVENT_CHANGE:
		log_info("pre-event: message in %s changed (%s)", r.sid,
		    r.reason);
		reply_changed(a, &r);
		break;
	case PREEVENT_BLOCK:
		log_info("pre-event: message in %s blocked (%s)", r.sid,
		    r.reason);
		snprintf(why, sizeof(why), "message blocked: %s\n", r.reason);
		answer_text(a, 403, why);
		break;
	case PREEVENT_BAD_SID:
		answer_text(a, 400, "ConversationSid missing or not a conversation SID");
		break;
	}
	tell_operator(a, &r);
done:
	preevent_result_free(&r);
	form_free(&f);
}

static const struct route routes[] = {
	SERVER_ROUTE("POST", "/conversations-pre-event", handle),
};

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	.name = "pre-event",
	.scope = CONFIG_FOR_PREEVENT,
	SERVER_ROUTES(routes),
	.unavailable = unavailable,
	ANSWER_FRAME,
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
