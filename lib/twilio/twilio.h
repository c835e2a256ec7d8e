/*
 * twilio: the Twilio REST client (SPEC §3).
 *
 * One client per worker thread, kept for the life of the process: it owns a
 * libcurl multi handle whose connection cache keeps connections to Twilio
 * alive between requests, and a stock of easy handles reused call after
 * call. Calls are described by struct twilio_call, submitted with
 * twilio_submit() and run concurrently by twilio_run(), which returns when
 * every submitted call has finished (or the deadline passed). A call's done()
 * callback runs as soon as that call finishes and may submit further calls
 * (or resubmit the same one), so dependent steps start without waiting for
 * unrelated ones.
 *
 * A call retries by itself, with exponential backoff: on 429 always, and on
 * 5xx and transport errors when it is idempotent (GET, DELETE). A list call
 * (page_key set) follows meta.next_page_url until it is null and gathers
 * the items of every page.
 */
#ifndef TWILIO_H
#define TWILIO_H

#include <stdbool.h>
#include <json-c/json.h>

#include "core/buf.h"

struct config;
struct twilio;

#define TWILIO_BODY_MAX		(1024 * 1024)		/* one response */
#define TWILIO_FORM_MAX		(64 * 1024)		/* one request body */
#define TWILIO_MAX_PAGES	200			/* one list */
/*
 * What one call may receive in all, every page and retry together, unless
 * the call sets its own budget: a list is kept whole in memory (about eight
 * times its size once parsed), and a 50-party session looks up 50 lists at
 * once. An address is in at most one open conversation per pool number, so
 * an honest look-up is far smaller.
 */
#define TWILIO_CALL_BUDGET	(2 * 1024 * 1024)

enum twilio_method { TWILIO_GET, TWILIO_POST, TWILIO_DELETE };

struct twilio_call {
	/* Filled by the caller, before twilio_call_init() or through it. */
	enum twilio_method method;
	struct buf	 url;		/* absolute */
	struct buf	 form;		/* POST body, form-encoded */
	const char	*page_key;	/* list calls: the key of the items array */
	size_t		 budget;	/* bytes, all answers; 0: TWILIO_CALL_BUDGET */
	void		(*done)(struct twilio_call *, void *);
	void		*arg;

	/* The outcome, valid in done() and after twilio_run(). */
	enum err	 err;		/* ERR_OK: a 2xx answer */
	long		 status;	/* HTTP status of the last answer, 0 if none */
	json_object	*json;		/* the parsed body of a 2xx answer (not lists) */
	json_object	*items;		/* lists: every page's items, in order */
	long		 code;		/* Twilio's error code, 0 if none */
	char		 message[256];	/* Twilio's or our description of a failure */
	int		 attempts;	/* requests sent, retries included */
	bool		 unsent;	/* failed before reaching Twilio: no effect */

	/* Private to twilio.c. */
	struct twilio	*t;
	struct buf	 body;
	void		*easy;
	long long	 retry_at;	/* ms, monotonic; 0: not waiting */
	long		 retry_after;	/* the Retry-After header, seconds; -1 none */
	int		 pages;
	int		 tries;		/* attempts at the current page */
	bool		 queued;
	bool		 overflow;	/* the answer went over its limit */
	size_t		 received;	/* bytes of every answer so far */
	struct twilio_call *next;	/* on the client's list */
};

/*
 * Makes a client for the configuration c, which it borrows (it must outlive
 * the client). Returns an allocated client in *out, free with twilio_free().
 * Call curl_global_init() once before the first client.
 */
enum err	twilio_new(struct twilio **out, const struct config *c);
void		twilio_free(struct twilio *t);

/* Resets call c to an empty GET; always call it before first use. */
void		twilio_call_init(struct twilio_call *c);
/* Frees what a call holds; the struct itself is the caller's. c may be NULL. */
void		twilio_call_free(struct twilio_call *c);
/*
 * Sets c's method and URL: "conv:" or "api:" at the start of fmt stands for
 * the Conversations or core API base URL of the configuration.
 */
enum err	twilio_call_url(struct twilio_call *c, const struct twilio *t,
		    enum twilio_method method, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Queues c to run at the next or current twilio_run(). c must stay valid
 * until its done() has run. A call is resubmitted by calling this again
 * from its done() (its outcome is cleared first).
 */
void		twilio_submit(struct twilio *t, struct twilio_call *c);
/*
 * Runs the queued calls concurrently until none is left or the clock
 * (monotonic ms, see clock_now_ms()) passes deadline; calls cut short
 * finish with ERR_TIMEOUT. Every call's done() runs exactly once per submit.
 */
void		twilio_run(struct twilio *t, long long deadline);

/*
 * The wait before retry number attempt (1 for the first retry): the
 * Retry-After value in seconds when there is one (retry_after >= 0), else
 * min * factor^(attempt-1); capped at max either way. A computed wait is a
 * ceiling: the client waits a random 5 to 100% of it (jitter).
 */
long		twilio_backoff_ms(const struct config *c, int attempt,
		    long retry_after);

/*
 * Reading Twilio's JSON, which is outside input like any other: every
 * value may be missing, null or of another type than documented. Each
 * accessor accepts any o (NULL, or not an object, included).
 */
/* The string member key of o, or NULL (absent, null, not a string); borrowed. */
const char	*twilio_json_str(json_object *o, const char *key);
/* The object member key of o, or NULL; borrowed. */
json_object	*twilio_json_obj(json_object *o, const char *key);
/* The array member key of o, or NULL; borrowed. */
json_object	*twilio_json_array(json_object *o, const char *key);
/* The integer member key of o, or def (absent, null, not an integer). */
long long	 twilio_json_int(json_object *o, const char *key, long long def);
/*
 * The date member key of o ("2026-11-28T01:06:18Z", ISO 8601 in UTC, as
 * Twilio writes them) as seconds since the epoch, or -1.
 */
long long	 twilio_json_time(json_object *o, const char *key);
/*
 * How many items a list call gathered, and item i of them (NULL past the
 * end); borrowed. An item is any JSON value: read it with the accessors.
 */
size_t		 twilio_items_len(const struct twilio_call *c);
json_object	*twilio_item(const struct twilio_call *c, size_t i);

/*
 * Answers every request of t from fn instead of the network (fuzz targets
 * and unit tests): fn gets the call (method, url, form), appends the body
 * of the answer to body (which holds up to 4 * TWILIO_CALL_BUDGET bytes, so
 * that answers over the client's limits can be given) and returns the HTTP
 * status, or 0 for "Twilio could not be reached". Everything after the
 * wire runs as in production: retries, paging, budgets, done() callbacks.
 * fn NULL goes back to the network.
 */
typedef long	(*twilio_transport_fn)(const struct twilio_call *c,
		    struct buf *body, void *arg);
void		twilio_set_transport(struct twilio *t, twilio_transport_fn fn,
		    void *arg);

/*
 * Reads Twilio's answer to c (HTTP status, the body in c->body) into c's
 * outcome: err, json or items, code, message; *retryable tells whether
 * another attempt may succeed. Returns false when a list goes on with its
 * next page (c's URL is then that page's). twilio_run() calls it for every
 * answer; it is exported for the fuzz target.
 */
bool		twilio_call_answer(struct twilio *t, struct twilio_call *c,
		    long status, bool *retryable);

#endif
