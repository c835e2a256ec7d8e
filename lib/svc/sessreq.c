#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/e164.h"
#include "core/form.h"
#include "core/jsoncheck.h"
#include "core/utf8.h"
#include "svc/pool.h"
#include "svc/sessreq.h"
#include "twilio/sid.h"

/* A string property of the request and the Twilio parameter it becomes. */
struct prop {
	const char	*key;		/* camelCase, as in the JSON body */
	const char	*param;		/* Twilio's form parameter */
};

static const struct prop props[] = {
	{ "friendlyName",		"FriendlyName" },
	{ "uniqueName",			"UniqueName" },
	{ "attributes",			"Attributes" },
	{ "messagingServiceSid",	"MessagingServiceSid" },
	{ "state",			"State" },
	{ "dateCreated",		"DateCreated" },
	{ "dateUpdated",		"DateUpdated" },
	{ "timers.inactive",		"Timers.Inactive" },
	{ "timers.closed",		"Timers.Closed" },
	{ "bindings.email.address",	"Bindings.Email.Address" },
	{ "bindings.email.name",	"Bindings.Email.Name" },
};
#define NPROPS	(sizeof(props) / sizeof(props[0]))

static enum err
refuse(struct sessreq_error *why, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum err
refuse(struct sessreq_error *why, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->message, sizeof(why->message), fmt, ap);
	va_end(ap);
	utf8_trim(why->message, sizeof(why->message));
	why->field = field;
	return ERR_INVAL;
}

/* Refuses an unknown key: its full name, as sent, is the field. */
static enum err
refuse_key(struct sessreq_error *why, const char *prefix, const char *k)
{
	snprintf(why->field_name, sizeof(why->field_name), "%s%s%.*s",
	    prefix != NULL ? prefix : "", prefix != NULL ? "." : "",
	    (int)utf8_cut(k, 60), k);
	utf8_trim(why->field_name, sizeof(why->field_name));
	refuse(why, NULL, "unknown field \"%s\"", why->field_name);
	why->field = why->field_name;
	return ERR_INVAL;
}

static const struct prop *
find_prop(const char *key)
{
	size_t i;

	for (i = 0; i < NPROPS; i++)
		if (strcmp(props[i].key, key) == 0)
			return &props[i];
	return NULL;
}


/*
 * One string property: checks it and adds its Twilio parameter. seen has a
 * bit per props[] entry, so that a property given both flat and nested
 * ("timers.inactive" and "timers": {"inactive"}) is refused, not sent twice.
 */
static enum err
take_prop(struct sessreq *r, const struct prop *p, json_object *v,
    unsigned *seen, struct sessreq_error *why)
{
	const char	*s;
	unsigned	 bit = 1u << (p - props);
	enum err	 e;

	if (json_object_is_type(v, json_type_null))
		return ERR_OK;		/* as if absent, as JavaScript callers send */
	if (*seen & bit)
		return refuse(why, p->key, "%s is given twice", p->key);
	*seen |= bit;
	if (strcmp(p->key, "attributes") == 0 &&
	    json_object_is_type(v, json_type_object))
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
	else if (!json_object_is_type(v, json_type_string))
		return refuse(why, p->key, "%s must be a string%s", p->key,
		    strcmp(p->key, "attributes") == 0 ? " or an object" : "");
	else
		s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v) &&
	    json_object_is_type(v, json_type_string))
		return refuse(why, p->key, "%s must not contain NUL", p->key);
	if (strcmp(p->key, "state") == 0 && strcmp(s, "active") != 0 &&
	    strcmp(s, "inactive") != 0 && strcmp(s, "closed") != 0)
		return refuse(why, p->key, "state must be active, inactive or "
		    "closed");
	if (strcmp(p->key, "messagingServiceSid") == 0 &&
	    !sid_valid(s, "MG"))
		return refuse(why, p->key, "messagingServiceSid must be MG "
		    "followed by 32 hexadecimal digits");
	if (strcmp(p->key, "uniqueName") == 0) {
		if (strlen(s) > 256)
			return refuse(why, p->key, "uniqueName is too long");
		/* session.c sends it, and needs it should the create fail. */
		return (r->unique_name = strdup(s)) == NULL ? ERR_NOMEM : ERR_OK;
	}
	if ((e = form_add(&r->create_form, p->param, s)) != ERR_OK)
		return e == ERR_TOOBIG ? refuse(why, p->key, "%s is too long",
		    p->key) : e;
	return ERR_OK;
}

/* A nested object ("timers": {"inactive": ...}) seen as its flat keys. */
static enum err
take_nested(struct sessreq *r, const char *prefix, json_object *obj,
    unsigned *seen, struct sessreq_error *why)
{
	char			 key[64];
	const struct prop	*p;
	enum err		 e;

	if (json_object_is_type(obj, json_type_null))
		return ERR_OK;
	if (!json_object_is_type(obj, json_type_object))
		return refuse(why, strcmp(prefix, "timers") == 0 ? "timers" :
		    strcmp(prefix, "bindings") == 0 ? "bindings" :
		    "bindings.email", "%s must be an object", prefix);
	json_object_object_foreach(obj, k, v) {
		snprintf(key, sizeof(key), "%s.%s", prefix, k);
		if ((p = find_prop(key)) != NULL)
			e = take_prop(r, p, v, seen, why);
		else if (strcmp(key, "bindings.email") == 0)
			e = take_nested(r, "bindings.email", v, seen, why);
		else
			return refuse_key(why, prefix, k);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

static enum err
take_addresses(struct sessreq *r, json_object *v, struct sessreq_error *why)
{
	size_t		 i, j, n;
	json_object	*a;
	const char	*s;

	if (!json_object_is_type(v, json_type_array))
		return refuse(why, "addresses", "addresses must be an array of "
		    "E.164 phone numbers");
	n = json_object_array_length(v);
	if (n == 0 || n > SESSREQ_MAX_ADDRESSES)
		return refuse(why, "addresses", "addresses must list 1 to %d "
		    "numbers (got %zu)", SESSREQ_MAX_ADDRESSES, n);
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(v, i);
		if (!json_object_is_type(a, json_type_string))
			return refuse(why, "addresses", "addresses[%zu] must be "
			    "a string", i);
		s = json_object_get_string(a);
		if (strlen(s) != (size_t)json_object_get_string_len(a) ||
		    !e164_valid(s))
			return refuse(why, "addresses", "addresses[%zu] is not "
			    "an E.164 number (+ then 2 to 15 digits, no leading "
			    "0)", i);
		if (!e164_dialable(s))
			return refuse(why, "addresses", "addresses[%zu] has the "
			    "wrong number of digits for its country: +1 and +7 "
			    "numbers have 10 after the country code, others at "
			    "least 4", i);
		for (j = 0; j < r->naddresses; j++)
			if (strcmp(r->addresses[j], s) == 0)
				return refuse(why, "addresses", "addresses[%zu] "
				    "repeats %s", i, s);
		if ((r->addresses[r->naddresses] = strdup(s)) == NULL)
			return ERR_NOMEM;
		r->naddresses++;
	}
	return ERR_OK;
}

/*
 * Whether valid JSON text s holds an escaped NUL anywhere. The properties
 * refuse one in their values, naming the field; this catches the rest, above
 * all object keys, which json-c cuts at a NUL: "friendlyName\u0000x" would
 * otherwise pass for friendlyName.
 */
static bool
has_nul_escape(const char *s, size_t len)
{
	size_t i;

	/* In valid JSON every backslash opens an escape of the next character. */
	for (i = 0; i + 6 <= len; i++) {
		if (s[i] != '\\')
			continue;
		if (memcmp(s + i + 1, "u0000", 5) == 0)
			return true;
		i++;		/* the escaped character */
	}
	return false;
}

/*
 * Step 1: the strict check, before json-c sees the text. ERR_PARSE with the
 * problem and its offset in why; ERR_NOMEM when the check ran out of memory.
 */
static enum err
check_json(const char *body, size_t len, struct sessreq_error *why)
{
	const char	*bad;
	size_t		 at;
	enum err	 e;

	if ((e = jsoncheck(body, len, SESSREQ_MAX_DEPTH, &bad, &at)) ==
	    ERR_PARSE)
		snprintf(why->message, sizeof(why->message), "the body is not "
		    "valid JSON: %s at byte %zu", bad, at);
	return e;
}

/* Whether the JSON text's value, after any blanks, opens an object. */
static bool
opens_object(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'); i++)
		;
	return i < len && body[i] == '{';
}

/*
 * Step 2: json-c's parse of a text jsoncheck passed, into *root (an
 * allocated object, free with json_object_put()). ERR_INVAL when the body
 * is JSON but not an object, ERR_PARSE when json-c refuses it, ERR_NOMEM.
 */
static enum err
parse_object(const char *body, size_t len, json_object **root,
    struct sessreq_error *why)
{
	json_tokener			*tok = NULL;
	enum json_tokener_error		 je;
	enum err			 e = ERR_OK;

	*root = NULL;
	if (!opens_object(body, len))
		return refuse(why, NULL, "the body must be a JSON object");
	if ((tok = json_tokener_new_ex(SESSREQ_MAX_DEPTH + 1)) == NULL)
		return ERR_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*root = json_tokener_parse_ex(tok, body, (int)len);
	je = json_tokener_get_error(tok);
	if (*root == NULL || je != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		if (je == json_tokener_success || je == json_tokener_continue)
			snprintf(why->message, sizeof(why->message), "the body "
			    "is not one complete JSON value");
		else
			snprintf(why->message, sizeof(why->message), "the body "
			    "is not valid JSON: %s", json_tokener_error_desc(je));
		e = ERR_PARSE;
		goto fail;
	}
	if (!json_object_is_type(*root, json_type_object)) {
		e = refuse(why, NULL, "the body must be a JSON object");
		goto fail;
	}
	json_tokener_free(tok);
	return ERR_OK;
fail:
	json_object_put(*root);
	*root = NULL;
	json_tokener_free(tok);
	return e;
}

/*
 * Step 3: every key of the object, in the order sent: the properties go
 * into r, "addresses" is left in *addrs (borrowed from root) for step 4,
 * so that a bad property is reported before the addresses are looked at.
 */
static enum err
take_fields(struct sessreq *r, json_object *root, json_object **addrs,
    struct sessreq_error *why)
{
	const struct prop	*p;
	unsigned		 seen = 0;
	enum err		 e = ERR_OK;

	*addrs = NULL;
	json_object_object_foreach(root, k, v) {
		if (strcmp(k, "addresses") == 0)
			*addrs = v;
		else if ((p = find_prop(k)) != NULL)
			e = take_prop(r, p, v, &seen, why);
		else if (strcmp(k, "timers") == 0 || strcmp(k, "bindings") == 0)
			e = take_nested(r, k, v, &seen, why);
		else
			e = refuse_key(why, NULL, k);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

enum err
sessreq_parse(struct sessreq *r, const char *body, size_t len,
    struct sessreq_error *why)
{
	json_object	*root = NULL, *addrs;
	enum err	 e;

	memset(r, 0, sizeof(*r));
	buf_init(&r->create_form, 16 * 1024);
	why->field = NULL;
	why->message[0] = '\0';

	/* json-c is lenient (duplicate keys, NaN, raw controls): check first. */
	if ((e = check_json(body, len, why)) != ERR_OK)
		goto fail;
	if ((e = parse_object(body, len, &root, why)) != ERR_OK)
		goto fail;
	if ((e = take_fields(r, root, &addrs, why)) != ERR_OK)
		goto fail;
	if (addrs == NULL) {
		e = refuse(why, "addresses", "addresses is required");
		goto fail;
	}
	if ((e = take_addresses(r, addrs, why)) != ERR_OK)
		goto fail;
	if (has_nul_escape(body, len)) {
		e = refuse(why, NULL, "the body must not contain \\u0000 (NUL)");
		goto fail;
	}
	json_object_put(root);
	return ERR_OK;
fail:
	json_object_put(root);
	sessreq_free(r);
	return e;
}

void
sessreq_free(struct sessreq *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->naddresses; i++)
		free(r->addresses[i]);
	r->naddresses = 0;
	buf_free(&r->create_form);
	free(r->unique_name);
	r->unique_name = NULL;
}

json_object *
sessreq_camelize(json_object *j)
{
	json_object	*out;
	char		 key[128];
	const char	*s;
	size_t		 n;
	bool		 up;

	if (!json_object_is_type(j, json_type_object) ||
	    (out = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_foreach(j, k, v) {
		for (s = k, n = 0, up = false; *s != '\0' && n < sizeof(key) - 1;
		    s++) {
			if (*s == '_' && n > 0) {
				up = true;
				continue;
			}
			key[n++] = up ? (char)toupper((unsigned char)*s) : *s;
			up = false;
		}
		key[n] = '\0';
		utf8_trim(key, sizeof(key));
		if (json_object_object_add(out, key, json_object_get(v)) != 0) {
			json_object_put(v);
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

enum err
sessreq_check_pool(const struct sessreq *r, const struct pool *p,
    struct sessreq_error *why)
{
	size_t i;

	for (i = 0; i < r->naddresses; i++)
		if (pool_index(p, r->addresses[i]) >= 0)
			return refuse(why, "addresses", "addresses[%zu] is one of "
			    "the pool's proxy numbers: a proxy number cannot be "
			    "a participant", i);
	return ERR_OK;
}
