/*
 * inbound-call.fcgi: POST /inbound-call, Twilio's voice webhook for the pool
 * numbers, connects the caller to the other participants (SPEC §5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	reply_twiml(a, 200, inbound_say(&a->cfg->inbound, a->cfg->inbound.apology_message));
}

/*
 * A request that is not Twilio's webhook, or one that cannot be read: plain
 * text, since it is no call to answer (Twilio never sends these).
 */
static void
refuse(struct app *a, enum err e)
{
	char	body[128];
	int	status = e == ERR_DENIED ? 403 : e == ERR_TOOBIG ? 413 :
		    e == ERR_NOMEM || e == ERR_SYS ? 500 : 400;

	snprintf(body, sizeof(body), "%s\n", server_webhook_strerror(e));
	http_reply(a->conn, status, "text/plain; charset=utf-8", NULL, body,
	    strlen(body));
}

static void
handle(struct app *a, struct http_req *req)
{
	struct form		 f;
	const char		*called;
	char			*doc = NULL;
	enum err		 e;

	if ((e = server_webhook(a, req, &f)) != ERR_OK) {
		form_free(&f);
		refuse(a, e);
		return;
	}
	if ((called = form_get(&f, "Called")) == NULL || *called == '\0')
		called = form_get(&f, "To");
	inbound_route(a->tw, &a->cfg->inbound, form_get(&f, "From"), called, a->deadline,
	    &doc);
	reply_twiml(a, 200, doc);
	form_free(&f);
}

/* File scope: the fuzz target that includes this file serves through it. */
static const struct server_prog prog = {
	"inbound-call", "/inbound-call", CONFIG_FOR_INBOUND, handle,
	unavailable
};

int
main(int argc, char *argv[])
{
	return server_main(argc, argv, &prog);
}
