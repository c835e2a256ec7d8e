/*
 * post-event.fcgi: POST /conversations-post-event, Twilio's Conversations
 * post-event webhook, deletes conversations that closed (SPEC §6), and
 * tells the operator of new messages and closed sessions (§12).
 */
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "app/server.h"
#include "core/log.h"
#include "svc/postevent.h"

static void
unavailable(struct app *a, struct http_req *req)
{
	(void)req;
	/* 503: Twilio retries the webhook once the service is configured. */
	answer_text(a, 503, "service not configured\n");
}

/* POST /conversations-post-event */
static void
handle(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct form		 f;
	enum postevent_outcome	 out;
	const char		*sid;
	char			 reason[256], body[512];
	bool			 sent;

	(void)m;
	/* Not Twilio's, or unreadable: 4xx, which Twilio does not retry. */
	if (answer_webhook(a, req, &f) != ERR_OK)
		return;
	out = postevent_handle(a->tw, &f, a->deadline, &sid, reason,
	    sizeof(reason));
	/*
	 * The operator's events first: one that was not delivered makes the
	 * answer a 500, so that Twilio delivers the webhook again (the
	 * events keep their ids: the operator drops what it already has).
	 */
	if (postevent_notify(a->cb, &f, out, a->deadline, &sent) != ERR_OK &&
	    out != POSTEVENT_FAILED) {
		snprintf(body, sizeof(body), "%s%sevents not delivered to the "
		    "operator", out == POSTEVENT_DELETED ? sid : "",
		    out == POSTEVENT_DELETED ? " deleted, but " : "");
		answer_text(a, 500, body);
		form_free(&f);
		return;
	}
	switch (out) {
	case POSTEVENT_IGNORED:
		answer_text(a, 200, sent ? "delivered" : "not processed");
		break;
	case POSTEVENT_DELETED:
		log_info("deleted closed conversation %s", sid);
		snprintf(body, sizeof(body), "%s deleted", sid);
		answer_text(a, 200, body);
		break;
	case POSTEVENT_GONE:
		snprintf(body, sizeof(body), "%s already deleted", sid);
		answer_text(a, 200, body);
		break;
	case POSTEVENT_FAILED:
		log_error("deleting closed conversation %s failed: %s", sid, reason);
		snprintf(body, sizeof(body), "%s failed to delete: %s", sid, reason);
		answer_text(a, 500, body);
		break;
	case POSTEVENT_BAD_SID:
		answer_text(a, 400, "ConversationSid missing or not a conversation SID");
		break;
	}
	form_free(&f);
}

static const struct route routes[] = {
	SERVER_ROUTE("POST", "/conversations-post-event", handle),
};

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	.name = "post-event",
	.scope = CONFIG_FOR_POSTEVENT,
	SERVER_ROUTES(routes),
	.unavailable = unavailable,
	ANSWER_FRAME,
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
