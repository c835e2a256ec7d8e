/*
 * httpc: the outbound HTTP client engine (libcurl), which knows nothing of
 * the service it talks to.
 *
 * One client per worker thread, kept for the life of the process, with a
 * stock of easy handles reused call after call. The transfers of every
 * client of the process run on one libcurl multi handle, so that they share
 * one cache of kept-alive connections (and TLS sessions, DNS answers, and
 * HTTP/2 streams where the server offers them): a thread whose own
 * connections would be cold finds the process's warm.
 * Calls are described by struct httpc_call, submitted with httpc_submit()
 * and run concurrently by httpc_run(), which returns when every submitted
 * call has finished (or the deadline passed). A call's done() callback runs
 * as soon as that call finishes and may submit further calls (or resubmit
 * the same one), so dependent steps start without waiting for unrelated ones.
 * While the client's thread waits in httpc_run(), the answer() and done() of
 * its calls may run on another worker's thread (the one driving the
 * process's transfers just then), one client at a time and never at the
 * same time as the client's own thread: they must be quick, reach what
 * they need through their arguments, not thread-local storage, and must
 * not call httpc_run().
 *
 * What an answer means is the layer above's: each answer goes to the call's
 * answer() hook, which sets the call's err and message and says whether the
 * call is finished, whether another attempt may do better, or whether it
 * goes on at a new URL (a list's next page). The engine retries by itself,
 * with exponential backoff and jitter: on 429 always, on 5xx, unusable
 * answers and transport errors when the method is idempotent (GET, DELETE,
 * or a POST the call marks repeatable), and even a POST when the request
 * never left (no connection was made).
 * Retry-After (delta-seconds) is obeyed.
 *
 * The headers every request carries (credentials, Accept, User-Agent) are
 * given when the client is made: the engine sends them as they are and
 * wipes them when freed, without knowing what they say.
 */
#ifndef HTTPC_H
#define HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct httpc;

#define HTTPC_URL_MAX		4096			/* one URL */
#define HTTPC_BODY_MAX		(1024 * 1024)		/* one answer */
#define HTTPC_FORM_MAX		(64 * 1024)		/* one request body */
#define HTTPC_MIN_CONNECTIONS	64			/* the cache's least */

enum httpc_method { HTTPC_GET, HTTPC_POST, HTTPC_DELETE };

/* What the answer() hook makes of one answer. */
enum httpc_verdict {
	HTTPC_DONE,	/* finished: err says how (retried on 429, and 5xx if idempotent) */
	HTTPC_AGAIN,	/* a 2xx that cannot be used: retried if idempotent */
	HTTPC_NEXT,	/* not finished: fetch c->url (set by the hook) next */
};

/* When and how often a call is tried again. */
struct httpc_retry {
	int		 max_attempts;	/* retries after the first attempt */
	long		 min_ms;	/* the first wait */
	double		 factor;	/* each wait is the last times this */
	long		 max_ms;	/* no wait is longer */
};

struct httpc_opts {
	/*
	 * "Name: value" lines sent with every request, NULL-terminated;
	 * copied by httpc_new() (the caller may wipe its own at once), and
	 * wiped when the client is freed: they may hold credentials.
	 */
	const char *const *headers;
	const char	*ca_file;	/* CAs to verify servers by; NULL: the system's */
	struct httpc_retry retry;
	size_t		 budget;	/* bytes one call may receive in all, by default */
	/*
	 * Connections the process's cache keeps (the largest any client asked
	 * for; at least HTTPC_MIN_CONNECTIONS): over HTTP/1.1 one per request
	 * at once, so the requests a process can have at once.
	 */
	long		 max_connections;
	const char	*peer;		/* who is called, in messages ("Twilio") */
	const char	*log_tag;	/* the first word of each attempt's log line */
};

struct httpc_call {
	/* Filled by the caller, after httpc_call_init(). */
	enum httpc_method method;
	struct buf	 url;		/* absolute */
	struct buf	 form;		/* POST body, form-encoded */
	size_t		 budget;	/* bytes, all answers; 0: the client's */
	/*
	 * One header line this call sends besides the client's own
	 * ("Name: value"), or NULL; borrowed until the call is done.
	 */
	const char	*header;
	/*
	 * A POST the receiver may get twice without harm (it drops repeats
	 * by an id the body carries): retried on 5xx, unusable answers and
	 * transport errors as an idempotent call is.
	 */
	bool		 repeatable;
	/*
	 * Reads each answer (status, body) into err and message. NULL: a
	 * 2xx is ERR_OK, anything else ERR_TRANSPORT.
	 */
	enum httpc_verdict (*answer)(struct httpc_call *, void *);
	void		(*done)(struct httpc_call *, void *);
	void		*arg;		/* for answer() and done() */

	/* The outcome, valid in answer(), done() and after httpc_run(). */
	enum err	 err;		/* ERR_OK: a usable 2xx answer */
	long		 status;	/* HTTP status of the last answer, 0 if none */
	struct buf	 body;		/* the last answer's body */
	char		 message[256];	/* why it failed, for people */
	int		 attempts;	/* requests sent, retries included */
	int		 pages;		/* answers that went on at a new URL */
	bool		 unsent;	/* failed before reaching the server: no effect */
	size_t		 received;	/* bytes of every answer so far */

	/* Private to httpc.c. */
	struct httpc	*h;
	void		*easy;
	void		*headers;	/* the client's and header, while running */
	long long	 retry_at;	/* ms, monotonic; 0: not waiting */
	long		 retry_after;	/* the Retry-After header, seconds; -1 none */
	int		 tries;		/* attempts at the current URL */
	bool		 queued;
	bool		 overflow;	/* the answer went over its limit */
	int		 requests;	/* libcurl began this attempt's request */
	bool		 fin;		/* the pool's transfer ended: fin_res */
	int		 fin_res;	/* its CURLcode */
	struct httpc_call *next;	/* on the client's list */
	struct httpc_call *pnext;	/* on the pool's inbox */
};

/*
 * Makes a client with the options o, which it copies (strings included).
 * Returns an allocated client in *out, free with httpc_free(); ERR_NOMEM.
 * Call curl_global_init() once before the first client.
 */
enum err	httpc_new(struct httpc **out, const struct httpc_opts *o);
/* Frees h, wiping its headers; h may be NULL. No call may be queued on it. */
void		httpc_free(struct httpc *h);

/* Resets c to an empty GET; always call it before first use. */
void		httpc_call_init(struct httpc_call *c);
/* Frees what c holds; the struct itself is the caller's. c may be NULL. */
void		httpc_call_free(struct httpc_call *c);

/*
 * Queues c to run at the next or current httpc_run(); its outcome is
 * cleared first. c is borrowed until its done() has run. A call is
 * resubmitted by calling this again from its done().
 */
void		httpc_submit(struct httpc *h, struct httpc_call *c);
/*
 * Runs the queued calls concurrently until none is left or the clock
 * (monotonic ms, see clock_now_ms()) passes deadline; calls cut short
 * finish with ERR_TIMEOUT. Every call's done() runs exactly once per submit.
 */
void		httpc_run(struct httpc *h, long long deadline);

/*
 * The wait before retry number attempt (1 for the first retry) under r: the
 * Retry-After value in seconds when there is one (retry_after >= 0), else
 * min_ms * factor^(attempt-1); capped at max_ms either way. A computed wait
 * is a ceiling: the client waits a random 5 to 100% of it (jitter).
 * Used by httpc_run(); exported so that the schedule is unit-tested alone.
 */
long		httpc_backoff_ms(const struct httpc_retry *r, int attempt,
		    long retry_after);

/*
 * For fuzz targets and unit tests: answers every request of h from fn
 * instead of the network. fn gets the call (method, url, form, pages),
 * may append header lines ("Name: value\r\n", Retry-After say) to head
 * (up to 4 KB), appends the body of the answer to body (which holds up to
 * 4 times the client's budget, so that answers over the limits can be
 * given) and returns the HTTP status, or 0 for "could not connect".
 * Everything after the wire runs as in production: header parsing, limits,
 * answer(), retries, done(). fn NULL goes back to the network.
 */
typedef long	(*httpc_transport_fn)(const struct httpc_call *c,
		    struct buf *head, struct buf *body, void *arg);
void		httpc_set_transport(struct httpc *h, httpc_transport_fn fn,
		    void *arg);

#endif
