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

/* POST /inbound-call */
static void
handle(struct app *a, struct http_req *req, const struct route_match *m)
{
	struct form		 f;
	const char		*called;
	char			*doc = NULL;

	(void)m;
	/* Not Twilio's, or unreadable: plain text, no call to answer. */
	if (answer_webhook(a, req, &f) != ERR_OK)
		return;
	if ((called = form_get(&f, "Called")) == NULL || *called == '\0')
		called = form_get(&f, "To");
	inbound_route(a->tw, &a->cfg->inbound, form_get(&f, "From"), called,
	    a->deadline, &doc);
	reply_twiml(a, 200, doc);
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
