/*
 * twilio: the Twilio REST client (SPEC §3), on the HTTP engine net/httpc.
 *
 * What is Twilio's and not plain HTTP lives here: the account's credentials
 * (sent as one Authorization header made once), the two base URLs a path is
 * written against ("conv:" and "api:"), Twilio's error body {code, message},
 * answers that must be strict UTF-8 JSON objects, and lists: a list call
 * (page_key set) follows meta.next_page_url, only on the configured base
 * URLs and for at most TWILIO_MAX_PAGES pages, and gathers the items of
 * every page. What each Conversations request says is twilio/conv's.
 *
 * One client per worker thread, kept for the life of the process. Calls run
 * concurrently (twilio_submit(), twilio_run()); each retries by itself as
 * httpc.h says, under the retry policy of the options.
 */
#ifndef TWILIO_H
#define TWILIO_H

#include <stdbool.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "net/httpc.h"

struct twilio;

#define TWILIO_BODY_MAX		HTTPC_BODY_MAX		/* one response */
#define TWILIO_FORM_MAX		HTTPC_FORM_MAX		/* one request body */
#define TWILIO_MAX_PAGES	200			/* one list */
/*
 * What one call may receive in all, every page and retry together, unless
 * the call sets its own budget: a list is kept whole in memory (about eight
 * times its size once parsed), and a 50-party session looks up 50 lists at
 * once. An address is in at most one open conversation per pool number, so
 * an honest look-up is far smaller.
 */
#define TWILIO_CALL_BUDGET	(2 * 1024 * 1024)

/* What the client needs; the strings are the owner's (config). */
struct twilio_opts {
	char		*account_sid;
	char		*auth_token;
	char		*conversations_url;	/* no trailing slash */
	char		*api_url;		/* no trailing slash */
	char		*ca_file;		/* CAs for Twilio's TLS; NULL: the system's */
	/* retries on 429 (and 5xx for idempotent calls) */
	struct httpc_retry retry;
	long		 max_connections;	/* httpc_opts' */
};

struct twilio_call {
	/*
	 * The HTTP call: method, url, form and budget are set by the caller
	 * (through twilio_call_url() or twilio/conv); the outcome is its err,
	 * status, message, attempts, unsent (httpc.h).
	 */
	struct httpc_call http;
	const char	*page_key;	/* list calls: the key of the items array */
	bool		 one_page;	/* lists: this page only, not the ones after */
	void		(*done)(struct twilio_call *, void *);
	void		*arg;

	/* Twilio's reading of the outcome, valid in done() and after twilio_run(). */
	json_object	*json;		/* the parsed body of a 2xx answer (not lists) */
	json_object	*items;		/* lists: every page's items, in order */
	long		 code;		/* Twilio's error code, 0 if none */
	/*
	 * one_page lists: the page after this one (Twilio's next_page_url,
	 * on a configured base URL), or NULL on the last page.
	 */
	char		*next_page;

	/* Private to twilio.c. */
	struct twilio	*t;
};

/*
 * Makes a client for the options o, which it borrows (they must outlive
 * the client). Returns an allocated client in *out, free with twilio_free().
 * Call curl_global_init() once before the first client.
 */
enum err	twilio_new(struct twilio **out, const struct twilio_opts *o);
/* Frees t; t may be NULL. */
void		twilio_free(struct twilio *t);
/* The account SID of t's options: borrowed, valid as long as the options. */
const char	*twilio_account_sid(const struct twilio *t);
/*
 * The HTTP engine under t: borrowed, valid until twilio_free(t). For unit
 * tests and fuzz targets, which replace the wire (httpc_set_transport()).
 */
struct httpc	*twilio_http(struct twilio *t);

/* Resets call c to an empty GET; always call it before first use. */
void		twilio_call_init(struct twilio_call *c);
/* Frees what a call holds; the struct itself is the caller's. c may be NULL. */
void		twilio_call_free(struct twilio_call *c);
/*
 * Sets c's method and URL: "conv:" or "api:" at the start of fmt stands for
 * the Conversations or core API base URL of the options. ERR_TOOBIG over
 * HTTPC_URL_MAX, ERR_NOMEM.
 */
enum err	twilio_call_url(struct twilio_call *c, const struct twilio *t,
		    enum httpc_method method, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Queues c to run at the next or current twilio_run(); its outcome is
 * cleared first. c is borrowed until its done() has run. A call is
 * resubmitted by calling this again from its done().
 */
void		twilio_submit(struct twilio *t, struct twilio_call *c);
/* Runs the queued calls until none is left or deadline passes (httpc_run()). */
void		twilio_run(struct twilio *t, long long deadline);

/*
 * Reading Twilio's JSON, which is outside input like any other: every
 * value may be missing, null or of another type than documented. Each
 * accessor accepts any o (NULL, or not an object, included).
 */
/* The string member key of o, or NULL (absent, null, not a string); borrowed. */
const char	*twilio_json_str(json_object *o, const char *key);
/* The object member key of o, or NULL; borrowed. */
json_object	*twilio_json_obj(json_object *o, const char *key);
/* The integer member key of o, or def (absent, null, not an integer). */
long long	 twilio_json_int(json_object *o, const char *key, long long def);
/*
 * The date member key of o ("2026-11-28T01:06:18Z", ISO 8601 in UTC, as
 * Twilio writes them) as seconds since the epoch, or -1. The one reader of
 * Twilio's dates.
 */
long long	 twilio_json_time(json_object *o, const char *key);
/*
 * How many items a list call gathered, and item i of them (NULL past the
 * end); borrowed, valid until c is resubmitted or freed. An item is any
 * JSON value: read it with the accessors.
 */
size_t		 twilio_items_len(const struct twilio_call *c);
json_object	*twilio_item(const struct twilio_call *c, size_t i);

/*
 * Reads Twilio's answer to c (c->http.status, the body in c->http.body)
 * into c's outcome: err and message, json or items, code. Returns
 * HTTPC_NEXT when a list goes on with its next page (c's URL is then that
 * page's), HTTPC_AGAIN for a 2xx that is not a JSON object. It is every
 * call's answer() hook; exported for the fuzz target, which feeds it
 * answers without a client run.
 */
enum httpc_verdict twilio_call_answer(struct twilio *t, struct twilio_call *c);

#endif
