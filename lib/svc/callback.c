#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/clock.h"
#include "core/hex.h"
#include "core/log.h"
#include "net/httpc.h"
#include "svc/callback.h"

#define SHA256_LEN	32
/* v1 values one header may carry: a rotation needs two. */
#define MAX_V1		8

/*
 * Retries of an event: quick, since the budget is a few seconds; the
 * deadline (the budget) is what ends them.
 */
static const struct httpc_retry event_retry = {
	.max_attempts = 20, .min_ms = 100, .factor = 2, .max_ms = 1000,
};

struct callback {
	const struct callback_opts *o;
	struct httpc		*http;
};

enum err
callback_new(struct callback **out, const struct callback_opts *o)
{
	static const char *const headers[] = { "Content-Type: application/json",
	    "User-Agent: masked/" VERSION, NULL };
	struct httpc_opts	 ho;
	struct callback		*cb;

	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return ERR_NOMEM;
	cb->o = o;
	memset(&ho, 0, sizeof(ho));
	ho.headers = headers;
	ho.ca_file = o->ca_file;
	ho.retry = event_retry;
	ho.budget = 4 * CALLBACK_ANSWER_MAX;
	ho.max_connections = o->max_connections;
	ho.peer = "the operator's backend";
	ho.log_tag = "callback";
	if (httpc_new(&cb->http, &ho) != ERR_OK) {
		free(cb);
		return ERR_NOMEM;
	}
	*out = cb;
	return ERR_OK;
}

void
callback_free(struct callback *cb)
{
	if (cb == NULL)
		return;
	httpc_free(cb->http);
	free(cb);
}

struct httpc *
callback_http(struct callback *cb)
{
	return cb->http;
}

bool
callback_enabled(const struct callback *cb)
{
	return cb != NULL && cb->o->events_url != NULL &&
	    cb->o->events_url[0] != '\0';
}

long
callback_budget_ms(const struct callback *cb)
{
	return cb->o->budget_ms;
}

/* HMAC-SHA256 of "{t}.{body}" keyed with secret, into mac. */
static bool
mac_of(const char *secret, const char *t, const char *body, size_t len,
    unsigned char mac[SHA256_LEN])
{
	unsigned char	*msg;
	unsigned int	 n = 0;
	size_t		 tlen = strlen(t);
	bool		 ok;

	if (secret == NULL)
		secret = "";
	if (len > CALLBACK_BODY_MAX * 16 || (msg = malloc(tlen + 1 + len +
	    1)) == NULL)
		return false;
	memcpy(msg, t, tlen);
	msg[tlen] = '.';
	if (len > 0)
		memcpy(msg + tlen + 1, body, len);
	ok = HMAC(EVP_sha256(), secret, (int)strlen(secret), msg,
	    tlen + 1 + len, mac, &n) != NULL && n == SHA256_LEN;
	free(msg);
	return ok;
}

void
callback_sign(const char *secret, long long t, const char *body, size_t len,
    char *out, size_t outlen)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 mac[SHA256_LEN];
	char			 ts[24], hex[2 * SHA256_LEN + 1];
	size_t			 i;
	int			 n;

	if (outlen == 0)
		return;
	out[0] = '\0';
	snprintf(ts, sizeof(ts), "%lld", t);
	if (!mac_of(secret, ts, body, len, mac))
		return;
	for (i = 0; i < SHA256_LEN; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 0xf];
	}
	hex[2 * SHA256_LEN] = '\0';
	n = snprintf(out, outlen, "t=%s,v1=%s", ts, hex);
	if (n < 0 || (size_t)n >= outlen)
		out[0] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
}

/* Whether s (n bytes) is 64 hex digits; their bytes into mac. */
static bool
hex_mac(const char *s, size_t n, unsigned char mac[SHA256_LEN])
{
	size_t	i;
	int	hi, lo;

	if (n != 2 * SHA256_LEN)
		return false;
	for (i = 0; i < SHA256_LEN; i++) {
		if ((hi = hex_digit((unsigned char)s[2 * i])) < 0 ||
		    (lo = hex_digit((unsigned char)s[2 * i + 1])) < 0)
			return false;
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

bool
callback_verify(const char *secret, const char *header, const char *body,
    size_t len, long long now, long tolerance_s)
{
	unsigned char	 got[MAX_V1][SHA256_LEN], want[SHA256_LEN];
	const char	*p, *end, *eq, *key;
	char		 ts[20];
	size_t		 klen, vlen, i, nv1 = 0, tlen = 0;
	long long	 t = 0;
	bool		 ok = false;

	if (header == NULL || strlen(header) > CALLBACK_SIG_HEADER_MAX ||
	    (body == NULL && len > 0))
		return false;
	for (p = header;; p = end + 1) {
		end = p + strcspn(p, ",");
		if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL || eq == p)
			return false;	/* empty item, or no key=value */
		key = p;
		klen = (size_t)(eq - p);
		vlen = (size_t)(end - eq - 1);
		for (i = 0; i < klen; i++)
			if (!((key[i] >= 'a' && key[i] <= 'z') ||
			    (key[i] >= '0' && key[i] <= '9')))
				return false;
		if (klen == 1 && key[0] == 't') {
			/* One t, 1 to 18 digits: no sign, no blank. */
			if (tlen > 0 || vlen == 0 || vlen > 18 ||
			    strspn(eq + 1, "0123456789") < vlen)
				return false;
			memcpy(ts, eq + 1, vlen);
			ts[vlen] = '\0';
			tlen = vlen;
			t = strtoll(ts, NULL, 10);
		} else if (klen == 2 && key[0] == 'v' && key[1] == '1') {
			if (nv1 == MAX_V1 || !hex_mac(eq + 1, vlen, got[nv1]))
				return false;
			nv1++;
		}
		if (*end == '\0')
			break;
	}
	if (tlen == 0 || nv1 == 0)
		return false;
	/* A replay, or a clock far off: refused either way. */
	if (t > now + tolerance_s || t < now - tolerance_s)
		return false;
	if (!mac_of(secret, ts, body, len, want))
		return false;
	/* Every value compared, in constant time: no early exit. */
	for (i = 0; i < nv1; i++)
		ok |= CRYPTO_memcmp(got[i], want, SHA256_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/* The event id of (type, id_key), or a random one: "EV" + 32 hex. */
static bool
event_id(const char *type, const char *id_key, char out[35])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[SHA256_LEN];
	unsigned int		 n = 0;
	EVP_MD_CTX		*ctx;
	bool			 ok;
	size_t			 i;

	if (id_key == NULL)
		ok = RAND_bytes(md, 16) == 1;
	else {
		if ((ctx = EVP_MD_CTX_new()) == NULL)
			return false;
		/* The NUL between them: ("a", "bc") is not ("ab", "c"). */
		ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		    EVP_DigestUpdate(ctx, type, strlen(type) + 1) == 1 &&
		    EVP_DigestUpdate(ctx, id_key, strlen(id_key)) == 1 &&
		    EVP_DigestFinal_ex(ctx, md, &n) == 1;
		EVP_MD_CTX_free(ctx);
	}
	if (!ok)
		return false;
	out[0] = 'E';
	out[1] = 'V';
	for (i = 0; i < 16; i++) {
		out[2 + 2 * i] = digits[md[i] >> 4];
		out[3 + 2 * i] = digits[md[i] & 0xf];
	}
	out[34] = '\0';
	return true;
}

/* Now, ISO 8601 in UTC with milliseconds: "2026-12-06T04:20:00.123Z". */
static void
now_iso(char out[32])
{
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

char *
callback_event(const char *type, const char *id_key, const char *session_sid,
    json_object *data)
{
	json_object	*ev = NULL, *d;
	char		 id[35], at[32], *text = NULL;
	const char	*s;

	if (type == NULL || !event_id(type, id_key, id))
		return NULL;
	now_iso(at);
	if ((ev = json_object_new_object()) == NULL)
		return NULL;
	d = data != NULL ? json_object_get(data) : json_object_new_object();
	if (json_object_object_add(ev, "id", json_object_new_string(id)) != 0 ||
	    json_object_object_add(ev, "type", json_object_new_string(type)) !=
	    0 || json_object_object_add(ev, "createdAt",
	    json_object_new_string(at)) != 0 ||
	    json_object_object_add(ev, "sessionSid", session_sid != NULL ?
	    json_object_new_string(session_sid) : NULL) != 0 ||
	    d == NULL || json_object_object_add(ev, "data", d) != 0) {
		json_object_put(d);
		goto out;
	}
	if ((s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		text = strdup(s);
out:
	json_object_put(ev);
	return text;
}

/*
 * One signed POST of body to url, run to its end by deadline; repeatable
 * says whether it may be sent again on 5xx and transport errors. The
 * outcome is in c (the caller's, initialised: free with httpc_call_free()).
 */
static enum err
post(struct callback *cb, struct httpc_call *c, const char *url,
    const char *body, size_t len, bool repeatable, long long deadline)
{
	char	 sig[CALLBACK_SIG_MAX], line[sizeof(CALLBACK_SIG_HEADER) + 2 +
		    CALLBACK_SIG_MAX];
	enum err e;

	if (len > CALLBACK_BODY_MAX)
		return ERR_TOOBIG;
	c->method = HTTPC_POST;
	c->repeatable = repeatable;
	if ((e = buf_puts(&c->url, url)) != ERR_OK ||
	    (e = buf_append(&c->form, body, len)) != ERR_OK)
		return e;
	callback_sign(cb->o->secret, (long long)time(NULL), body, len, sig,
	    sizeof(sig));
	if (sig[0] == '\0')
		return ERR_NOMEM;
	snprintf(line, sizeof(line), CALLBACK_SIG_HEADER ": %s", sig);
	c->header = line;
	httpc_submit(cb->http, c);
	httpc_run(cb->http, deadline);
	c->header = NULL;
	OPENSSL_cleanse(line, sizeof(line));
	return ERR_OK;
}

/* The id and type of event (text), for a log line: into id and type. */
static void
event_names(const char *event, char id[40], char type[40])
{
	json_object	*j = json_tokener_parse(event), *v;

	snprintf(id, 40, "?");
	snprintf(type, 40, "?");
	if (json_object_object_get_ex(j, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(id, 40, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(j, "type", &v) &&
	    json_object_is_type(v, json_type_string))
		snprintf(type, 40, "%s", json_object_get_string(v));
	json_object_put(j);
}

enum err
callback_send(struct callback *cb, const char *event, size_t len,
    long long deadline)
{
	struct httpc_call	 c;
	long long		 end;
	char			 id[40], type[40];
	enum err		 e;

	if (!callback_enabled(cb))
		return ERR_OK;
	end = clock_now_ms() + cb->o->budget_ms;
	if (deadline < end)
		end = deadline;
	httpc_call_init(&c);
	/* Only the status matters: any 2xx. */
	c.budget = 4 * CALLBACK_ANSWER_MAX;
	if ((e = post(cb, &c, cb->o->events_url, event, len, true, end)) ==
	    ERR_OK)
		e = c.err;
	if (e != ERR_OK) {
		event_names(event, id, type);
		log_warn("callback: event %s (%s) not delivered after %d "
		    "attempt%s: %s", id, type, c.attempts, c.attempts == 1 ?
		    "" : "s", c.message[0] != '\0' ? c.message : err_str(e));
	} else
		log_debug("callback: event delivered in %d attempt%s",
		    c.attempts, c.attempts == 1 ? "" : "s");
	httpc_call_free(&c);
	return e;
}

enum err
callback_deliver(struct callback *cb, const char *type, const char *id_key,
    const char *session_sid, json_object *data, long long deadline)
{
	char		*event;
	enum err	 e;

	if (!callback_enabled(cb))
		return ERR_OK;
	if ((event = callback_event(type, id_key, session_sid, data)) == NULL) {
		log_error("callback: out of memory making a %s event", type);
		return ERR_NOMEM;
	}
	e = callback_send(cb, event, strlen(event), deadline);
	free(event);
	return e;
}

enum err
callback_ask(struct callback *cb, const char *url, const char *json,
    size_t len, long long deadline, long *status, struct buf *answer,
    char *why, size_t whylen)
{
	struct httpc_call	 c;
	enum err		 e;

	*status = 0;
	if (whylen > 0)
		why[0] = '\0';
	if (cb == NULL || url == NULL) {
		snprintf(why, whylen, "no callback URL");
		return ERR_INVAL;
	}
	httpc_call_init(&c);
	c.budget = CALLBACK_ANSWER_MAX;
	if ((e = post(cb, &c, url, json, len, false, deadline)) != ERR_OK) {
		snprintf(why, whylen, "%s", e == ERR_TOOBIG ?
		    "the request or its URL is too long" : err_str(e));
		goto out;
	}
	/* Any answer will do: its status is the caller's to read. */
	if (c.status == 0) {
		e = c.err != ERR_OK ? c.err : ERR_TRANSPORT;
		snprintf(why, whylen, "%s", c.message[0] != '\0' ? c.message :
		    err_str(e));
		goto out;
	}
	*status = c.status;
	if ((e = buf_append(answer, buf_str(&c.body), c.body.len)) != ERR_OK)
		snprintf(why, whylen, "the answer is over %d bytes",
		    CALLBACK_ANSWER_MAX);
out:
	httpc_call_free(&c);
	return e;
}
