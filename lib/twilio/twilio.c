#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "core/utf8.h"
#include "twilio/twilio.h"

#define AUTH_PREFIX	"Authorization: Basic "

struct twilio {
	const struct twilio_opts *o;
	struct httpc		*http;
	json_tokener		*tok;		/* reused for every answer */
};

/*
 * The Authorization line of the account's credentials, into an allocated
 * *line (free with OPENSSL_cleanse() then free()).
 */
static enum err
auth_line(const struct twilio_opts *o, char **line)
{
	const char	*sid = o->account_sid != NULL ? o->account_sid : "";
	const char	*tok = o->auth_token != NULL ? o->auth_token : "";
	char		*cred = NULL;
	size_t		 n = strlen(sid) + 1 + strlen(tok);
	enum err	 e = ERR_NOMEM;

	*line = NULL;
	if ((cred = malloc(n + 1)) == NULL ||
	    (*line = malloc(sizeof(AUTH_PREFIX) + 4 * (n / 3 + 1))) == NULL)
		goto out;
	snprintf(cred, n + 1, "%s:%s", sid, tok);
	memcpy(*line, AUTH_PREFIX, sizeof(AUTH_PREFIX) - 1);
	EVP_EncodeBlock((unsigned char *)*line + sizeof(AUTH_PREFIX) - 1,
	    (const unsigned char *)cred, (int)n);
	e = ERR_OK;
out:
	if (cred != NULL)
		OPENSSL_cleanse(cred, n);
	free(cred);
	return e;
}

/* The HTTP engine for Twilio: its headers, CAs, retries and budget. */
static enum err
http_new(struct twilio *t)
{
	struct httpc_opts	 ho;
	const char		*headers[4];
	char			*line = NULL;
	enum err		 e;

	if ((e = auth_line(t->o, &line)) != ERR_OK)
		goto out;
	headers[0] = "Accept: application/json";
	headers[1] = "User-Agent: masked/" VERSION;
	headers[2] = line;
	headers[3] = NULL;
	memset(&ho, 0, sizeof(ho));
	ho.headers = headers;
	ho.ca_file = t->o->ca_file;
	ho.retry = t->o->retry;
	ho.budget = TWILIO_CALL_BUDGET;
	ho.max_connections = t->o->max_connections;
	ho.peer = "Twilio";
	ho.log_tag = "twilio";
	e = httpc_new(&t->http, &ho);
out:
	if (line != NULL)
		OPENSSL_cleanse(line, strlen(line));
	free(line);
	return e;
}

enum err
twilio_new(struct twilio **out, const struct twilio_opts *o)
{
	struct twilio	*t;
	enum err	 e = ERR_NOMEM;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	t->o = o;
	if ((e = http_new(t)) != ERR_OK)
		goto fail;
	if ((t->tok = json_tokener_new_ex(64)) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	/* What Twilio says may be echoed to the caller: only valid UTF-8. */
	json_tokener_set_flags(t->tok, JSON_TOKENER_VALIDATE_UTF8);
	*out = t;
	return ERR_OK;
fail:
	twilio_free(t);
	return e;
}

void
twilio_free(struct twilio *t)
{
	if (t == NULL)
		return;
	httpc_free(t->http);
	if (t->tok != NULL)
		json_tokener_free(t->tok);
	free(t);
}

const char *
twilio_account_sid(const struct twilio *t)
{
	return t->o->account_sid;
}

struct httpc *
twilio_http(struct twilio *t)
{
	return t->http;
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

static enum httpc_verdict
on_answer(struct httpc_call *h, void *arg)
{
	struct twilio_call *c = arg;

	(void)h;
	return twilio_call_answer(c->t, c);
}

static void
on_done(struct httpc_call *h, void *arg)
{
	struct twilio_call *c = arg;

	(void)h;
	if (c->done != NULL)
		c->done(c, c->arg);
}

void
twilio_call_init(struct twilio_call *c)
{
	memset(c, 0, sizeof(*c));
	httpc_call_init(&c->http);
	c->http.answer = on_answer;
	c->http.done = on_done;
	c->http.arg = c;
}

/* Clears Twilio's reading of an earlier run. */
static void
call_clear(struct twilio_call *c)
{
	json_object_put(c->json);
	json_object_put(c->items);
	c->json = c->items = NULL;
	c->code = 0;
	free(c->next_page);
	c->next_page = NULL;
}

void
twilio_call_free(struct twilio_call *c)
{
	if (c == NULL)
		return;
	call_clear(c);
	httpc_call_free(&c->http);
}

enum err
twilio_call_url(struct twilio_call *c, const struct twilio *t,
    enum httpc_method method, const char *fmt, ...)
{
	va_list	 ap;
	char	*path;
	int	 n;
	enum err e = ERR_OK;

	c->http.method = method;
	buf_reset(&c->http.url);
	if (strncmp(fmt, "conv:", 5) == 0) {
		e = buf_puts(&c->http.url, t->o->conversations_url);
		fmt += 5;
	} else if (strncmp(fmt, "api:", 4) == 0) {
		e = buf_puts(&c->http.url, t->o->api_url);
		fmt += 4;
	}
	if (e != ERR_OK)
		return e;
	va_start(ap, fmt);
	n = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_NOMEM;
	e = buf_append(&c->http.url, path, (size_t)n);
	free(path);
	return e;
}

void
twilio_submit(struct twilio *t, struct twilio_call *c)
{
	call_clear(c);
	c->t = t;
	httpc_submit(t->http, &c->http);
}

void
twilio_run(struct twilio *t, long long deadline)
{
	httpc_run(t->http, deadline);
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
	json_object	*j;
	const char	*msg = NULL;
	char		*m = c->http.message;

	c->code = 0;
	if ((j = parse_body(t, &c->http.body)) != NULL) {
		c->code = (long)twilio_json_int(j, "code", 0);
		msg = twilio_json_str(j, "message");
	}
	if (msg != NULL) {
		snprintf(m, sizeof(c->http.message), "%s", msg);
		/* It reaches our own answers: never cut inside a character. */
		utf8_trim(m, sizeof(c->http.message));
	} else
		snprintf(m, sizeof(c->http.message), "HTTP %ld from Twilio",
		    c->http.status);
	json_object_put(j);
}

/* Whether next_page_url stays on the base URL the call was made to. */
static bool
same_origin(const struct twilio *t, const char *url)
{
	const char *bases[2] = { t->o->conversations_url, t->o->api_url };
	size_t      i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(bases[i]);
		if (strncmp(url, bases[i], n) == 0 && url[n] == '/')
			return true;
	}
	return false;
}

/* Fails c for an answer that cannot be used, saying why. */
static enum httpc_verdict
unusable(struct twilio_call *c, enum err e, const char *why)
{
	c->http.err = e;
	snprintf(c->http.message, sizeof(c->http.message), "%s", why);
	return HTTPC_DONE;
}

/* Adds the items of page arr to c's; ERR_NOMEM. */
static enum err
gather(struct twilio_call *c, json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	if (c->items == NULL && (c->items = json_object_new_array()) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (json_object_array_add(c->items,
		    json_object_get(json_object_array_get_idx(arr, i))) != 0)
			return ERR_NOMEM;
	return ERR_OK;
}

/* A list's page j, whose items are gathered: finished, or on to the next. */
static enum httpc_verdict
take_page(struct twilio *t, struct twilio_call *c, json_object *j)
{
	json_object	*arr = NULL;
	const char	*next;
	char		 why[128];

	if (!json_object_object_get_ex(j, c->page_key, &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		snprintf(why, sizeof(why), "Twilio's list has no \"%s\" array",
		    c->page_key);
		return unusable(c, ERR_TRANSPORT, why);
	}
	if (gather(c, arr) != ERR_OK)
		return unusable(c, ERR_NOMEM, "out of memory");
	if ((next = twilio_json_str(twilio_json_obj(j, "meta"),
	    "next_page_url")) == NULL) {
		c->http.err = ERR_OK;
		return HTTPC_DONE;
	}
	if (!same_origin(t, next))
		return unusable(c, ERR_TRANSPORT, "Twilio's next_page_url "
		    "leaves the configured base URL");
	if (c->one_page) {
		if ((c->next_page = strdup(next)) == NULL)
			return unusable(c, ERR_NOMEM, "out of memory");
		c->http.err = ERR_OK;
		return HTTPC_DONE;
	}
	/* This page is number pages + 1. */
	if (c->http.pages + 1 >= TWILIO_MAX_PAGES) {
		/* An answer that cannot be used, like one over budget. */
		snprintf(why, sizeof(why), "more than %d pages in one Twilio "
		    "list", TWILIO_MAX_PAGES);
		return unusable(c, ERR_TRANSPORT, why);
	}
	buf_reset(&c->http.url);
	if (buf_puts(&c->http.url, next) != ERR_OK)
		return unusable(c, ERR_TRANSPORT, "next_page_url too long");
	return HTTPC_NEXT;
}

/* A 2xx answer: parse it; for a list, gather the page's items. */
static enum httpc_verdict
take_answer(struct twilio *t, struct twilio_call *c)
{
	json_object		*j;
	enum httpc_verdict	 v;

	if (c->http.body.len == 0 && c->http.method == HTTPC_DELETE) {
		c->http.err = ERR_OK;		/* its 204 */
		return HTTPC_DONE;
	}
	if ((j = parse_body(t, &c->http.body)) == NULL ||
	    !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		unusable(c, ERR_TRANSPORT, "Twilio's answer is not a JSON object");
		return HTTPC_AGAIN;
	}
	if (c->page_key == NULL) {
		json_object_put(c->json);
		c->json = j;
		c->http.err = ERR_OK;
		return HTTPC_DONE;
	}
	v = take_page(t, c, j);
	json_object_put(j);
	return v;
}

enum httpc_verdict
twilio_call_answer(struct twilio *t, struct twilio_call *c)
{
	long status = c->http.status;

	if (status >= 200 && status < 300)
		return take_answer(t, c);
	c->http.err = ERR_TWILIO;
	parse_error(t, c);
	return HTTPC_DONE;
}
