/*
 * inbound-call.fcgi: POST /inbound-call, Twilio's voice webhook for the pool
 * numbers, connects the caller to the other participants (SPEC §5).
 */
#include <stdlib.h>
#include <string.h>

#include "inbound.h"
#include "log.h"
#include "server.h"

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
	reply_twiml(a, 200, inbound_say(a->cfg, a->cfg->apology_message));
}

static void
handle(struct app *a, struct http_req *req)
{
	struct form		 f;
	const char		*called;
	char			*doc = NULL;

	if (req->body_err != ERR_OK || !server_webhook(a, req, &f)) {
		form_free(&f);
		http_reply(a->conn, 403, "text/plain", NULL, "forbidden\n", 10);
		return;
	}
	if ((called = form_get(&f, "Called")) == NULL || *called == '\0')
		called = form_get(&f, "To");
	inbound_route(a->tw, a->cfg, form_get(&f, "From"), called, a->deadline,
	    &doc);
	reply_twiml(a, 200, doc);
	form_free(&f);
}

int
main(int argc, char *argv[])
{
	static const struct server_prog prog = {
		"inbound-call", "/inbound-call", CONFIG_FOR_INBOUND, handle,
		unavailable
	};

	return server_main(argc, argv, &prog);
}
