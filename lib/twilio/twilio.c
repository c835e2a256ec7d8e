#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "app/config.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/utf8.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

/*
 * Per thread: easy handles kept for reuse, and connections kept alive. A
 * 2-party session needs 3 at once and a 10-party one 11; a larger session
 * opens what it needs beyond the cache, which stays small so that a worker
 * that once served 50 parties does not hold 50 TLS connections per thread.
 */
#define SPARE_MAX	16
#define CONNECT_TIMEOUT_MS 5000L

enum call_state { CALL_QUEUED, CALL_RUNNING, CALL_WAITING };

struct twilio {
	const struct config	*c;
	CURLM			*multi;
	CURL			*spare[SPARE_MAX];
	int			 nspare;
	struct twilio_call	*head;		/* every call not yet done */
	struct curl_slist	*headers;
	json_tokener		*tok;		/* reused for every answer */
	/* What libcurl asked to be told about (multi socket interface). */
	struct pollfd		*fds;
	int			 nfds, capfds;
	bool			 fds_failed;	/* out of memory growing fds */
	long long		 timer_at;	/* ms, monotonic; -1: none */
	twilio_transport_fn	 transport;	/* instead of the network */
	void			*transport_arg;
};

/* The call's state, kept in retry_at's sign to stay inside the public struct. */
static enum call_state
call_state(const struct twilio_call *c)
{
	if (c->queued)
		return CALL_QUEUED;
	return c->retry_at > 0 ? CALL_WAITING : CALL_RUNNING;
}

long
twilio_backoff_ms(const struct config *c, int attempt, long retry_after)
{
	double ms;

	if (retry_after >= 0)
		ms = (double)retry_after * 1000;
	else
		ms = (double)c->retry_min_ms * pow(c->retry_factor,
		    attempt > 1 ? attempt - 1 : 0);
	if (ms > (double)c->retry_max_ms)
		ms = (double)c->retry_max_ms;
	return (long)ms;
}

/*
 * The certificates that vouch for Twilio: one store for the whole process,
 * loaded at the first TLS connection and shared by every thread's
 * connections. Left to itself libcurl loads the system's bundle (about a
 * megabyte in memory) once per thread.
 */
static pthread_mutex_t	 ca_lock = PTHREAD_MUTEX_INITIALIZER;
static X509_STORE	*ca_store;
static int		 ca_users;	/* clients alive; the last frees it */

static X509_STORE *
ca_store_get(const struct config *c)
{
	X509_STORE *s;

	pthread_mutex_lock(&ca_lock);
	if (ca_store == NULL && (ca_store = X509_STORE_new()) != NULL) {
		if (c->ca_file != NULL ?
		    X509_STORE_load_file(ca_store, c->ca_file) != 1 :
		    X509_STORE_set_default_paths(ca_store) != 1) {
			log_error("cannot load the CA certificates from %s",
			    c->ca_file != NULL ? c->ca_file :
			    "the system's default locations");
			X509_STORE_free(ca_store);
			ca_store = NULL;
		}
	}
	s = ca_store;
	pthread_mutex_unlock(&ca_lock);
	return s;
}

/* libcurl's hook on each new TLS context: verify against the shared store. */
static CURLcode
on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	struct twilio	*t = arg;
	X509_STORE	*s;

	(void)easy;
	if ((s = ca_store_get(t->c)) == NULL)
		return CURLE_SSL_CACERT_BADFILE;
	SSL_CTX_set1_cert_store(ssl_ctx, s);
	return CURLE_OK;
}

/*
 * libcurl's multi socket interface: it says which sockets to watch for what
 * (on_socket) and when to call it back (on_timer); twilio_run() polls and
 * tells it exactly what happened, so it never scans transfers that have
 * nothing to do.
 */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct twilio	*t = arg;
	struct pollfd	*p;
	int		 i;

	(void)easy;
	(void)sockp;
	for (i = 0; i < t->nfds && t->fds[i].fd != fd; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < t->nfds)
			t->fds[i] = t->fds[--t->nfds];
		return 0;
	}
	if (i == t->nfds) {
		if (t->nfds == t->capfds) {
			int n = t->capfds > 0 ? t->capfds * 2 : 8;

			if ((p = realloc(t->fds, (size_t)n * sizeof(*p))) == NULL) {
				t->fds_failed = true;
				return -1;
			}
			t->fds = p;
			t->capfds = n;
		}
		t->fds[t->nfds++].fd = fd;
	}
	t->fds[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
	    ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	t->fds[i].revents = 0;
	return 0;
}

static int
on_timer(CURLM *multi, long ms, void *arg)
{
	struct twilio *t = arg;

	(void)multi;
	t->timer_at = ms < 0 ? -1 : clock_now_ms() + ms;
	return 0;
}

/*
 * The headers every request carries, made once: libcurl would otherwise
 * format the credentials and the user agent again for each request.
 */
static enum err
headers_new(struct twilio *t)
{
	const struct config	*c = t->c;
	struct curl_slist	*l;
	const char		*sid = c->account_sid != NULL ? c->account_sid : "";
	const char		*tok = c->auth_token != NULL ? c->auth_token : "";
	char			*cred = NULL, *line = NULL;
	size_t			 n;
	enum err		 e = ERR_NOMEM;

	n = strlen(sid) + 1 + strlen(tok);
	if ((cred = malloc(n + 1)) == NULL ||
	    (line = malloc(sizeof("Authorization: Basic ") + 4 * (n / 3 + 1))) == NULL)
		goto out;
	snprintf(cred, n + 1, "%s:%s", sid, tok);
	memcpy(line, "Authorization: Basic ", sizeof("Authorization: Basic ") - 1);
	EVP_EncodeBlock((unsigned char *)line + sizeof("Authorization: Basic ") - 1,
	    (const unsigned char *)cred, (int)n);
	if ((l = curl_slist_append(NULL, "Accept: application/json")) == NULL)
		goto out;
	t->headers = l;
	if (curl_slist_append(l, "User-Agent: masked/" VERSION) == NULL ||
	    curl_slist_append(l, line) == NULL)
		goto out;
	e = ERR_OK;
out:
	if (cred != NULL)
		OPENSSL_cleanse(cred, n);
	if (line != NULL)
		OPENSSL_cleanse(line, strlen(line));
	free(cred);
	free(line);
	return e;
}

/* Frees the headers, wiping the credentials first. */
static void
headers_free(struct twilio *t)
{
	struct curl_slist *l;

	for (l = t->headers; l != NULL; l = l->next)
		OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(t->headers);
	t->headers = NULL;
}

enum err
twilio_new(struct twilio **out, const struct config *c)
{
	struct twilio *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	t->c = c;
	pthread_mutex_lock(&ca_lock);
	ca_users++;
	pthread_mutex_unlock(&ca_lock);
	if ((t->multi = curl_multi_init()) == NULL)
		goto fail;
	t->timer_at = -1;
	curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)SPARE_MAX);
	curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
	curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
	if (headers_new(t) != ERR_OK)
		goto fail;
	if ((t->tok = json_tokener_new_ex(64)) == NULL)
		goto fail;
	/* What Twilio says may be echoed to the caller: only valid UTF-8. */
	json_tokener_set_flags(t->tok, JSON_TOKENER_VALIDATE_UTF8);
	*out = t;
	return ERR_OK;
fail:
	twilio_free(t);
	return ERR_NOMEM;
}

void
twilio_free(struct twilio *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nspare; i++)
		curl_easy_cleanup(t->spare[i]);
	curl_multi_cleanup(t->multi);
	headers_free(t);
	if (t->tok != NULL)
		json_tokener_free(t->tok);
	free(t->fds);
	free(t);
	pthread_mutex_lock(&ca_lock);
	if (--ca_users == 0 && ca_store != NULL) {
		X509_STORE_free(ca_store);
		ca_store = NULL;
	}
	pthread_mutex_unlock(&ca_lock);
}

const char *
twilio_json_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *
twilio_json_obj(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

json_object *
twilio_json_array(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

long long
twilio_json_int(json_object *o, const char *key, long long def)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return def;
	return (long long)json_object_get_int64(v);
}

long long
twilio_json_time(json_object *o, const char *key)
{
	const char	*s = twilio_json_str(o, key), *end;
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL ||
	    (*end != 'Z' && *end != '\0') || (*end == 'Z' && end[1] != '\0'))
		return -1;
	return (long long)timegm(&tm);
}

size_t
twilio_items_len(const struct twilio_call *c)
{
	return json_object_is_type(c->items, json_type_array) ?
	    json_object_array_length(c->items) : 0;
}

json_object *
twilio_item(const struct twilio_call *c, size_t i)
{
	return i < twilio_items_len(c) ?
	    json_object_array_get_idx(c->items, i) : NULL;
}

void
twilio_set_transport(struct twilio *t, twilio_transport_fn fn, void *arg)
{
	t->transport = fn;
	t->transport_arg = arg;
}

void
twilio_call_init(struct twilio_call *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->url, 4096);
	buf_init(&c->form, TWILIO_FORM_MAX);
	buf_init(&c->body, TWILIO_BODY_MAX);
	c->retry_after = -1;
}

/* Clears the outcome of an earlier run. */
static void
call_clear(struct twilio_call *c)
{
	json_object_put(c->json);
	json_object_put(c->items);
	c->json = c->items = NULL;
	c->err = ERR_OK;
	c->status = c->code = 0;
	c->message[0] = '\0';
	c->attempts = c->tries = c->pages = 0;
	c->received = 0;
	c->retry_at = 0;
	c->retry_after = -1;
	buf_reset(&c->body);
}

void
twilio_call_free(struct twilio_call *c)
{
	if (c == NULL)
		return;
	call_clear(c);
	buf_free(&c->url);
	buf_free(&c->form);
	buf_free(&c->body);
}

enum err
twilio_call_url(struct twilio_call *c, const struct twilio *t,
    enum twilio_method method, const char *fmt, ...)
{
	va_list	 ap;
	char	*path;
	int	 n;
	enum err e;

	c->method = method;
	buf_reset(&c->url);
	if (strncmp(fmt, "conv:", 5) == 0) {
		e = buf_puts(&c->url, t->c->conversations_url);
		fmt += 5;
	} else if (strncmp(fmt, "api:", 4) == 0) {
		e = buf_puts(&c->url, t->c->api_url);
		fmt += 4;
	} else
		e = ERR_OK;
	if (e != ERR_OK)
		return e;
	va_start(ap, fmt);
	n = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_NOMEM;
	e = buf_append(&c->url, path, (size_t)n);
	free(path);
	return e;
}

void
twilio_submit(struct twilio *t, struct twilio_call *c)
{
	call_clear(c);
	c->t = t;
	c->queued = true;
	c->next = t->head;
	t->head = c;
}

static void
list_remove(struct twilio *t, struct twilio_call *c)
{
	struct twilio_call **pp;

	for (pp = &t->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->next = NULL;
}

/* The bytes c may still receive, every answer and page counted. */
static size_t
budget_left(const struct twilio_call *c)
{
	size_t budget = c->budget != 0 ? c->budget : TWILIO_CALL_BUDGET;

	return c->received < budget ? budget - c->received : 0;
}

/*
 * Takes n more bytes of c's answer; false when over a limit: c->overflow
 * set, and c->message saying which.
 */
static bool
take_bytes(struct twilio_call *c, const char *p, size_t n)
{
	if (n > budget_left(c)) {
		snprintf(c->message, sizeof(c->message), "Twilio's answers to "
		    "one request are over %zu bytes", c->budget != 0 ?
		    c->budget : (size_t)TWILIO_CALL_BUDGET);
		c->overflow = true;
		return false;
	}
	if (buf_append(&c->body, p, n) != ERR_OK) {
		snprintf(c->message, sizeof(c->message), "Twilio's answer is "
		    "over %d bytes", TWILIO_BODY_MAX);
		c->overflow = true;
		return false;
	}
	c->received += n;
	return true;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	/* Over the limit: returning short makes curl fail with a write error. */
	return take_bytes(arg, p, size * n) ? size * n : 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct twilio_call	*c = arg;
	size_t			 len = size * n;
	char			 v[32];

	if (len > 12 && len < 12 + sizeof(v) &&
	    strncasecmp(p, "Retry-After:", 12) == 0) {
		char *end;
		long  s;

		memcpy(v, p + 12, len - 12);
		v[len - 12] = '\0';
		s = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		/* Only delta-seconds; an HTTP date is treated as absent. */
		if (end != v && *end == '\0' && s >= 0)
			c->retry_after = s;
	}
	return len;
}

/* Finishes call c for good: off the list, done() called. */
static void
call_done(struct twilio *t, struct twilio_call *c)
{
	list_remove(t, c);
	c->queued = false;
	c->retry_at = 0;
	if (c->done != NULL)
		c->done(c, c->arg);
}

static void
release_easy(struct twilio *t, struct twilio_call *c)
{
	CURL *easy = c->easy;

	if (easy == NULL)
		return;
	curl_multi_remove_handle(t->multi, easy);
	c->easy = NULL;
	if (t->nspare < SPARE_MAX)
		t->spare[t->nspare++] = easy;
	else
		curl_easy_cleanup(easy);
}

static void
call_fail(struct twilio *t, struct twilio_call *c, enum err e, const char *msg)
{
	c->err = e;
	if (msg != NULL)
		snprintf(c->message, sizeof(c->message), "%s", msg);
	call_done(t, c);
}

/*
 * A new easy handle with what every request shares. Handles are reused
 * (spare[]) without curl_easy_reset(): call_start() sets all that differs.
 */
static CURL *
easy_new(struct twilio *t)
{
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL)
		return NULL;
	/* Credentials and user agent are in t->headers. */
	if (curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK ||
	    /* Peer and host are verified (the defaults), against ca_store. */
	    curl_easy_setopt(easy, CURLOPT_CAINFO, NULL) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_CAPATH, NULL) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, t) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK) {
		curl_easy_cleanup(easy);
		return NULL;
	}
	return easy;
}

static void	transport_start(struct twilio *, struct twilio_call *,
		    long long);

/* Starts one attempt of c: an easy handle on the multi. */
static void
call_start(struct twilio *t, struct twilio_call *c, long long deadline)
{
	CURL			*easy;
	long long		 left = deadline - clock_now_ms();

	c->queued = false;
	c->retry_at = 0;
	if (left <= 0) {
		call_fail(t, c, ERR_TIMEOUT, "deadline passed before the "
		    "request to Twilio could be sent");
		return;
	}
	if (t->transport != NULL) {
		transport_start(t, c, deadline);
		return;
	}
	if (t->nspare > 0)
		easy = t->spare[--t->nspare];
	else if ((easy = easy_new(t)) == NULL) {
		call_fail(t, c, ERR_NOMEM, "out of memory");
		return;
	}
	c->easy = easy;
	c->retry_after = -1;
	c->overflow = false;
	c->unsent = false;
	buf_reset(&c->body);
	curl_easy_setopt(easy, CURLOPT_URL, buf_str(&c->url));
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    left < CONNECT_TIMEOUT_MS ? (long)left : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, c);
	/* The method, undoing whatever the handle's previous request set. */
	if (c->method == TWILIO_POST) {
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)c->form.len);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, buf_str(&c->form));
	} else {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, -1L);
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
		    c->method == TWILIO_DELETE ? "DELETE" : NULL);
	}
	if (curl_multi_add_handle(t->multi, easy) != CURLM_OK) {
		release_easy(t, c);
		call_fail(t, c, ERR_NOMEM, "cannot start the request to Twilio");
		return;
	}
	c->attempts++;
	c->tries++;
}

/*
 * The whole body as one JSON value, or NULL. What Twilio says may be echoed
 * to the caller, so the body must be strict UTF-8 throughout: json-c's own
 * check lets overlong forms, surrogates and lead bytes past F4 through.
 */
static json_object *
parse_body(struct twilio *t, const struct buf *b)
{
	json_object	*j;
	unsigned long	 cp;
	size_t		 i, k;

	for (i = 0; i < b->len; i += k)
		if ((k = utf8_decode((const unsigned char *)b->data + i,
		    b->len - i, &cp)) == 0)
			return NULL;
	json_tokener_reset(t->tok);
	j = json_tokener_parse_ex(t->tok, buf_str(b), (int)b->len);
	if (j != NULL && (json_tokener_get_error(t->tok) != json_tokener_success ||
	    json_tokener_get_parse_end(t->tok) != b->len)) {
		json_object_put(j);
		j = NULL;
	}
	return j;
}

/* Reads Twilio's error body {"code", "message", ...} into c, if it is one. */
static void
parse_error(struct twilio *t, struct twilio_call *c)
{
	json_object	*j, *v;
	const char	*msg = NULL;

	c->code = 0;
	if ((j = parse_body(t, &c->body)) != NULL &&
	    json_object_is_type(j, json_type_object)) {
		if (json_object_object_get_ex(j, "code", &v) &&
		    json_object_is_type(v, json_type_int))
			c->code = (long)json_object_get_int64(v);
		if (json_object_object_get_ex(j, "message", &v) &&
		    json_object_is_type(v, json_type_string))
			msg = json_object_get_string(v);
	}
	if (msg != NULL) {
		snprintf(c->message, sizeof(c->message), "%s", msg);
		/* It reaches our own answers: never cut inside a character. */
		utf8_trim(c->message, sizeof(c->message));
	} else
		snprintf(c->message, sizeof(c->message), "HTTP %ld from Twilio",
		    c->status);
	json_object_put(j);
}

/* Whether next_page_url stays on the base URL the call was made to. */
static bool
same_origin(const struct twilio *t, const char *url)
{
	const char *bases[2] = { t->c->conversations_url, t->c->api_url };
	size_t      i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(bases[i]);
		if (strncmp(url, bases[i], n) == 0 && url[n] == '/')
			return true;
	}
	return false;
}

/*
 * A 2xx answer: parse it; for a list, gather the page's items and queue the
 * next page. Returns true when the call is finished.
 */
static bool
take_answer(struct twilio *t, struct twilio_call *c, bool *retryable)
{
	json_object	*j, *arr, *meta, *next;
	size_t		 i, n;

	if (c->body.len == 0 && c->method == TWILIO_DELETE) {
		c->err = ERR_OK;		/* its 204 */
		return true;
	}
	if ((j = parse_body(t, &c->body)) == NULL ||
	    !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		c->err = ERR_TRANSPORT;
		*retryable = true;
		snprintf(c->message, sizeof(c->message), "Twilio's answer is "
		    "not a JSON object");
		return true;
	}
	if (c->page_key == NULL) {
		json_object_put(c->json);
		c->json = j;
		c->err = ERR_OK;
		return true;
	}
	if (!json_object_object_get_ex(j, c->page_key, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(j);
		c->err = ERR_TRANSPORT;
		snprintf(c->message, sizeof(c->message), "Twilio's list has no "
		    "\"%s\" array", c->page_key);
		return true;
	}
	if (c->items == NULL && (c->items = json_object_new_array()) == NULL)
		goto nomem;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++)
		if (json_object_array_add(c->items,
		    json_object_get(json_object_array_get_idx(arr, i))) != 0)
			goto nomem;
	c->pages++;
	if (json_object_object_get_ex(j, "meta", &meta) &&
	    json_object_object_get_ex(meta, "next_page_url", &next) &&
	    json_object_is_type(next, json_type_string)) {
		const char *url = json_object_get_string(next);

		if (!same_origin(t, url)) {
			c->err = ERR_TRANSPORT;
			snprintf(c->message, sizeof(c->message), "Twilio's "
			    "next_page_url leaves the configured base URL");
		} else if (c->pages >= TWILIO_MAX_PAGES) {
			/* An answer that cannot be used, like one over budget. */
			c->err = ERR_TRANSPORT;
			snprintf(c->message, sizeof(c->message), "more than %d "
			    "pages in one Twilio list", TWILIO_MAX_PAGES);
		} else {
			buf_reset(&c->url);
			if (buf_puts(&c->url, url) != ERR_OK) {
				c->err = ERR_TRANSPORT;
				snprintf(c->message, sizeof(c->message),
				    "next_page_url too long");
			} else {
				json_object_put(j);
				c->queued = true;	/* the next page, same call */
				c->tries = 0;
				return false;
			}
		}
		json_object_put(j);
		return true;
	}
	json_object_put(j);
	c->err = ERR_OK;
	return true;
nomem:
	json_object_put(j);
	c->err = ERR_NOMEM;
	snprintf(c->message, sizeof(c->message), "out of memory");
	return true;
}

/* The path of url, for logs: the host is the configuration's, the query may hold a number. */
static const char *
path_of(const char *url)
{
	const char *p = strstr(url, "://");

	return p != NULL && (p = strchr(p + 3, '/')) != NULL ? p : url;
}

bool
twilio_call_answer(struct twilio *t, struct twilio_call *c, long status,
    bool *retryable)
{
	bool idempotent = c->method != TWILIO_POST;

	c->status = status;
	*retryable = false;
	if (status >= 200 && status < 300) {
		if (!take_answer(t, c, retryable))
			return false;
		*retryable = *retryable && idempotent;
	} else {
		c->err = ERR_TWILIO;
		parse_error(t, c);
		*retryable = status == 429 || (status >= 500 && idempotent);
	}
	return true;
}

/* A random wait from 5% to 100% of ceiling. */
static long
jitter(long ceiling)
{
	static __thread unsigned int seed;

	if (seed == 0)
		seed = (unsigned int)clock_now_ms() ^ (unsigned int)(uintptr_t)&seed;
	return ceiling / 20 + (long)((double)rand_r(&seed) / RAND_MAX *
	    (double)(ceiling - ceiling / 20));
}

/* One attempt of c ended with result res: retry, page on, or finish. */
static void
attempt_ended(struct twilio *t, struct twilio_call *c, CURLcode res,
    long long deadline)
{
	bool	 idempotent = c->method != TWILIO_POST, retryable = false;
	long long now;
	long	 wait;

	if (res != CURLE_OK) {
		c->status = 0;
		if (res == CURLE_WRITE_ERROR && c->overflow) {
			/* take_bytes() said why; the same again would be as big. */
			c->err = ERR_TRANSPORT;
		} else {
			c->err = res == CURLE_OPERATION_TIMEDOUT &&
			    clock_now_ms() >= deadline ? ERR_TIMEOUT :
			    ERR_TRANSPORT;
			snprintf(c->message, sizeof(c->message), "Twilio could "
			    "not be reached: %s", curl_easy_strerror(res));
			/* Not connected: nothing was sent, so even a create may retry. */
			c->unsent = res == CURLE_COULDNT_CONNECT ||
			    res == CURLE_COULDNT_RESOLVE_HOST ||
			    res == CURLE_COULDNT_RESOLVE_PROXY;
			retryable = idempotent || c->unsent;
		}
	} else if (!twilio_call_answer(t, c, c->status, &retryable))
		return;		/* queued for its next page */

	if (c->err == ERR_OK || !retryable ||
	    c->tries > t->c->retry_max_attempts) {
		call_done(t, c);
		return;
	}
	wait = twilio_backoff_ms(t->c, c->tries, c->retry_after);
	/*
	 * A computed wait is a ceiling, of which a random 5 to 100% is
	 * waited ("jitter"): workers throttled together by Twilio's rate limit
	 * then do not all retry in the same instant. Retry-After is obeyed as
	 * said.
	 */
	if (c->retry_after < 0)
		wait = jitter(wait);
	now = clock_now_ms();
	if (now + wait >= deadline) {
		/* Waiting would overrun the deadline: give up with what is known. */
		call_done(t, c);
		return;
	}
	c->retry_at = now + (wait > 0 ? wait : 0) + 1;
}

/* One attempt of c over libcurl ended with res. */
static void
call_finished(struct twilio *t, struct twilio_call *c, CURLcode res,
    long long deadline)
{
	const char *path;
	double	 total = 0;
	long	 conns = 0;

	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &conns);
	curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME, &total);
	path = path_of(buf_str(&c->url));
	/* The path only: a query may hold a phone number. */
	log_debug("twilio %s %.*s: %ld in %.1f ms%s", c->method == TWILIO_GET ?
	    "GET" : c->method == TWILIO_POST ? "POST" : "DELETE",
	    (int)strcspn(path, "?"), path, c->status, total * 1000,
	    conns > 0 ? " (new connection)" : "");
	release_easy(t, c);
	attempt_ended(t, c, res, deadline);
}

/*
 * One attempt of c answered by t->transport (twilio_set_transport()): the
 * answer goes through the same limits as one from the network.
 */
static void
transport_start(struct twilio *t, struct twilio_call *c, long long deadline)
{
	struct buf	 answer;
	long		 status;
	CURLcode	 res = CURLE_OK;

	c->retry_after = -1;
	c->overflow = false;
	c->unsent = false;
	buf_reset(&c->body);
	c->attempts++;
	c->tries++;
	/* Room past the limits, so that an answer over them is seen as such. */
	buf_init(&answer, 4 * TWILIO_CALL_BUDGET);
	status = t->transport(c, &answer, t->transport_arg);
	if (status == 0)
		res = CURLE_COULDNT_CONNECT;
	else if (!take_bytes(c, buf_str(&answer), answer.len))
		res = CURLE_WRITE_ERROR;
	buf_free(&answer);
	c->status = status;
	attempt_ended(t, c, res, deadline);
}

/* Hands every finished transfer to call_finished(). */
static void
collect(struct twilio *t, long long deadline)
{
	struct twilio_call	*c;
	struct CURLMsg		*msg;
	int			 left;

	while ((msg = curl_multi_info_read(t->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		c = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		if (c != NULL)
			call_finished(t, c, msg->data.result, deadline);
	}
}

/* Tells libcurl what poll() saw on the sockets it watches. */
static void
dispatch(struct twilio *t)
{
	struct pollfd	 ready[16];
	int		 i, n, running;

	/* Copied first: the callbacks change t->fds under the loop. */
	for (i = 0, n = 0; i < t->nfds && n < (int)(sizeof(ready) /
	    sizeof(ready[0])); i++)
		if (t->fds[i].revents != 0)
			ready[n++] = t->fds[i];
	for (i = 0; i < n; i++) {
		int ev = 0;

		if (ready[i].revents & (POLLIN | POLLHUP))
			ev |= CURL_CSELECT_IN;
		if (ready[i].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (ready[i].revents & (POLLERR | POLLNVAL))
			ev |= CURL_CSELECT_ERR;
		curl_multi_socket_action(t->multi, ready[i].fd, ev, &running);
	}
}

void
twilio_run(struct twilio *t, long long deadline)
{
	struct twilio_call	*c;
	long long		 now, wake;
	int			 again, running, i;

	for (;;) {
		/* Start what is queued and what has waited long enough. */
		do {
			again = 0;
			now = clock_now_ms();
			for (c = t->head; c != NULL; c = c->next) {
				enum call_state s = call_state(c);

				if (s == CALL_QUEUED ||
				    (s == CALL_WAITING && c->retry_at <= now)) {
					call_start(t, c, deadline);
					again = 1;	/* done() may have changed the list */
					break;
				}
			}
		} while (again);
		if (t->head == NULL)
			break;

		/* libcurl's timer first: new transfers start there. */
		if (t->timer_at >= 0 && t->timer_at <= now) {
			t->timer_at = -1;
			curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0,
			    &running);
			collect(t, deadline);
			continue;
		}
		if (t->fds_failed) {
			/* libcurl lost track of a socket: nothing can be trusted. */
			t->fds_failed = false;
			while ((c = t->head) != NULL) {
				release_easy(t, c);
				call_fail(t, c, ERR_NOMEM, "out of memory");
			}
			break;
		}
		if (now >= deadline) {
			while ((c = t->head) != NULL) {
				release_easy(t, c);
				call_fail(t, c, ERR_TIMEOUT, "the request's "
				    "deadline passed while waiting for Twilio");
			}
			break;
		}
		wake = deadline;
		if (t->timer_at >= 0 && t->timer_at < wake)
			wake = t->timer_at;
		for (c = t->head; c != NULL; c = c->next) {
			if (call_state(c) == CALL_QUEUED)
				wake = now;
			else if (call_state(c) == CALL_WAITING && c->retry_at < wake)
				wake = c->retry_at;
		}
		for (i = 0; i < t->nfds; i++)
			t->fds[i].revents = 0;
		if (poll(t->fds, (nfds_t)t->nfds, (int)(wake > now ? wake - now : 0)) > 0)
			dispatch(t);
		collect(t, deadline);
	}
}
