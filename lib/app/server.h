/*
 * server: what the three programs share around their handler: the command
 * line, configuration, the accept loop, routing of path and method, and the
 * check of Twilio's webhook signatures.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>

#include "app/config.h"
#include "core/form.h"
#include "web/http.h"

struct twilio;

/* What a handler gets: borrowed, valid for the one request. */
struct app {
	const struct config	*cfg;
	struct twilio		*tw;
	struct http_conn	*conn;
	long long		 deadline;	/* monotonic ms, see clock_now_ms() */
};

struct server_prog {
	const char	*name;		/* "sessions" */
	const char	*path;		/* the one path served: "/sessions" */
	unsigned	 scope;		/* CONFIG_FOR_* */
	/* Serves a POST to path; the configuration is known good for scope. */
	void		(*handle)(struct app *, struct http_req *);
	/* Answers when the configuration is not (503 or its equivalent). */
	void		(*unavailable)(struct app *, struct http_req *);
};

/* The programs' main(): returns the exit status. */
int	server_main(int argc, char *argv[], const struct server_prog *p);

/*
 * Serves the request http_read() put in req: routes it by path and method,
 * then hands it to p->handle (ready: the configuration is good for p's
 * scope) or p->unavailable. Exported for the fuzz targets, which drive
 * each program's whole request path through it.
 */
void	server_serve(struct app *a, struct http_req *req,
	    const struct server_prog *p, bool ready);

/*
 * Reads a webhook: its body decoded as a form into f, its X-Twilio-Signature
 * checked against the URL rebuilt from DOMAIN. f is always initialised:
 * free it with form_free() whatever the result. Returns ERR_OK when it is
 * Twilio's (or validation is off); ERR_TOOBIG (body over HTTP_BODY_MAX or
 * more than FORM_MAX_PAIRS fields), ERR_INVAL (a bad Content-Length),
 * ERR_PARSE (body cut short, or not a form), ERR_SYS (the body could not be
 * read), ERR_DENIED (no signature, or not Twilio's), ERR_NOMEM.
 * server_webhook_strerror() describes each for the answer.
 */
enum err	 server_webhook(struct app *a, struct http_req *req,
		    struct form *f);
/* A one-line description of server_webhook()'s e, for the answer's body. */
const char	*server_webhook_strerror(enum err e);

#endif
