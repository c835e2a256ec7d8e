/*
 * server: what the four programs share around their handlers: the command
 * line, configuration, the accept loop, routing by the program's route
 * table, and the check of Twilio's webhook signatures.
 *
 * The frame chooses no HTTP status: every answer it needs (no route, not
 * configured, not answered) is a function the program gives it in its
 * struct server_prog (cgi/answer.c holds the shared ones).
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>

#include "app/config.h"
#include "core/form.h"
#include "web/http.h"
#include "web/route.h"

struct twilio;
struct callback;

/* The events one request may leave to send after its answer. */
#define SERVER_MAX_EVENTS	4

/* What a handler gets: borrowed, valid for the one request. */
struct app {
	const struct config	*cfg;
	struct twilio		*tw;
	struct http_conn	*conn;
	long long		 deadline;	/* monotonic ms, see clock_now_ms() */
	/* The operator's backend (SPEC §12), the worker's own; may be NULL. */
	struct callback		*cb;
	/* Private to server.c: the events server_event() queued. */
	char			*events[SERVER_MAX_EVENTS];
	int			 nevents;
};

/*
 * A route's handler: serves the request its route matched, once the
 * configuration is known good for the program's scope; m (the route and
 * its parameters) is borrowed, valid for the call.
 */
typedef void	(*server_handler)(struct app *, struct http_req *,
		    const struct route_match *);

/*
 * An entry of a program's route table: SERVER_ROUTE("POST", "/sessions",
 * create). fn must be a server_handler (the conditional makes the compiler
 * say so when it is not); server_serve() casts it back before the call.
 */
#define SERVER_ROUTE(method, pattern, fn) \
	{ (method), (pattern), (route_fn)(1 ? (fn) : (server_handler)0) }
/* A struct server_prog's table and its size: SERVER_ROUTES(routes). */
#define SERVER_ROUTES(table) \
	.routes = (table), .nroutes = sizeof(table) / sizeof((table)[0])

/*
 * A command of the program other than serving: "sessions.fcgi --reap ...".
 * run gets the arguments after name (argv[0] is the first of them, argc
 * may be 0) and the configuration, loaded and reported as for serving,
 * once the process is set up (not root, libcurl initialised); it returns
 * the exit status (2 for arguments it does not take). cfg is borrowed.
 */
struct server_cmd {
	const char	*name;		/* "--reap" */
	const char	*args;		/* for the usage: "[--reap-min-age S]" */
	const char	*help;		/* one line: "deletes ..." */
	int		(*run)(int argc, char *argv[], const struct config *cfg);
};

struct server_prog {
	const char		*name;		/* "sessions" */
	unsigned		 scope;		/* CONFIG_FOR_* */
	const struct route	*routes;	/* handlers: server_handler */
	size_t			 nroutes;
	const struct server_cmd	*cmds;		/* may be NULL */
	size_t			 ncmds;
	/* Answers when the configuration is not good (503 or its equivalent). */
	void	(*unavailable)(struct app *, struct http_req *);
	/*
	 * Answers a request no route is for: e is route_find()'s
	 * ERR_NOTFOUND or ERR_METHOD (m->allow then lists the methods).
	 */
	void	(*no_route)(struct app *, struct http_req *, enum err e,
		    const struct route_match *m);
	/* Answers a request its handler left unanswered (answer_unanswered). */
	void	(*unanswered)(struct app *, struct http_req *);
};

/* The programs' main(): returns the exit status. p is borrowed for good. */
int	server_main(int argc, char *argv[], const struct server_prog *p);

/*
 * Serves the request http_read() put in req: routes it by p's table, then
 * hands it to the route's handler (ready: the configuration is good for
 * p's scope), p->unavailable or p->no_route. It does not call
 * p->unanswered (the accept loop does after it): a request left
 * unanswered stays so, for the caller to see. Everything is borrowed.
 * Exported for the fuzz targets, which drive each program's whole request
 * path through it.
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
/*
 * Queues an event to the operator (SPEC §12; callback_event()'s
 * arguments, all borrowed) to be sent once the answer is out, so that
 * the caller does not wait for it: under FastCGI after the request has
 * ended, under plain CGI (whose process ends with its answer) before its
 * answer is flushed, within CALLBACK_TIMEOUT_MS either way. Nothing is
 * queued when no CALLBACK_URL is set. Failures are logged (callback.h);
 * an event past SERVER_MAX_EVENTS is sent at once.
 */
void		 server_event(struct app *a, const char *type,
		    const char *id_key, const char *session_sid,
		    json_object *data);
/*
 * Sends the events server_event() queued, and forgets them. The accept
 * loop calls it; exported for the fuzz targets and tests that serve
 * through server_serve().
 */
void		 server_events_flush(struct app *a);

/* A one-line description of server_webhook()'s e, for the answer's body. */
const char	*server_webhook_strerror(enum err e);

#endif
