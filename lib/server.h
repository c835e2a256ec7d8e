/*
 * server: what the three programs share around their handler: the command
 * line, configuration, the accept loop, routing of path and method, and the
 * check of Twilio's webhook signatures.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>

#include "config.h"
#include "form.h"
#include "http.h"

struct twilio;

/* What a handler gets: borrowed, valid for the one request. */
struct app {
	const struct config	*cfg;
	struct twilio		*tw;
	struct http_conn	*conn;
	long long		 deadline;	/* monotonic ms, see twilio_now_ms() */
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
 * Checks a webhook's X-Twilio-Signature against the URL rebuilt from DOMAIN
 * and decodes its form body into f (free with form_free() whatever the
 * result). Returns true when it is Twilio's (or validation is off).
 */
bool	server_webhook(struct app *a, struct http_req *req, struct form *f);

#endif
