#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	/*
	 * A copy: field may be a key of the parsed body, which is freed
	 * before the refusal is answered.
	 */
	why->field = NULL;
	if (field != NULL) {
		if (field != why->field_name)
			snprintf(why->field_name, sizeof(why->field_name), "%.*s",
			    (int)utf8_cut(field, 60), field);
		why->field = why->field_name;
	}
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
 * The caller's attributes, s: JSON text (Twilio refuses anything else),
 * kept apart (sessattr joins them with what the service keeps), or for a
 * message, its Attributes parameter.
 */
static enum err
take_attributes(struct sessreq *r, const char *s, struct sessreq_error *why)
{
	const char	*bad;
	size_t		 at, len = strlen(s);
	enum err	 e;

	if (len > 16 * 1024)
		return refuse(why, "attributes", "attributes is too long (over "
		    "16 KiB)");
	if ((e = jsoncheck(s, len, SESSREQ_MAX_DEPTH, &bad, &at)) == ERR_PARSE)
		return refuse(why, "attributes", "attributes must be JSON text: "
		    "%s at byte %zu", bad, at);
	if (e != ERR_OK)
		return e;
	if (r->kind == SESSREQ_SAY) {
		e = form_add(&r->create_form, "Attributes", s);
		return e == ERR_TOOBIG ? refuse(why, "attributes",
		    "attributes is too long") : e;
	}
	return (r->attributes = strdup(s)) == NULL ? ERR_NOMEM : ERR_OK;
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
	if (strcmp(p->key, "attributes") == 0)
		return take_attributes(r, s, why);
	if (strcmp(p->key, "state") == 0)
		r->state = true;
	if (strncmp(p->key, "timers.", 7) == 0)
		r->timers = true;
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

/* One address, s, the i-th of field f: checked, and added to r. */
static enum err
take_address(struct sessreq *r, const char *f, size_t i, json_object *a,
    struct sessreq_error *why)
{
	char		 at[32] = "";
	const char	*s;
	size_t		 j;

	if (strcmp(f, "addresses") == 0)
		snprintf(at, sizeof(at), "[%zu]", i);
	if (!json_object_is_type(a, json_type_string))
		return refuse(why, f, "%s%s must be a string", f, at);
	s = json_object_get_string(a);
	if (strlen(s) != (size_t)json_object_get_string_len(a) || !e164_valid(s))
		return refuse(why, f, "%s%s is not an E.164 number (+ then 2 to "
		    "15 digits, no leading 0)", f, at);
	if (!e164_dialable(s))
		return refuse(why, f, "%s%s has the wrong number of digits for "
		    "its country: +1 and +7 numbers have 10 after the country "
		    "code, others at least 4", f, at);
	for (j = 0; j < r->naddresses; j++)
		if (strcmp(r->addresses[j], s) == 0)
			return refuse(why, f, "%s%s repeats %s", f, at, s);
	if ((r->addresses[r->naddresses] = strdup(s)) == NULL)
		return ERR_NOMEM;
	r->naddresses++;
	return ERR_OK;
}

/* Step 4: "addresses" (an array), or when adding, "address" (one). */
static enum err
take_addresses(struct sessreq *r, json_object *root, json_object *v,
    struct sessreq_error *why)
{
	size_t		 i, n;
	enum err	 e;

	if (json_object_object_get_ex(root, "address", NULL) &&
	    r->kind == SESSREQ_ADD) {
		r->one_address = true;
		return take_address(r, "address", 0, v, why);
	}
	if (!json_object_is_type(v, json_type_array))
		return refuse(why, "addresses", "addresses must be an array of "
		    "E.164 phone numbers");
	n = json_object_array_length(v);
	if (n == 0 || n > SESSREQ_MAX_ADDRESSES)
		return refuse(why, "addresses", "addresses must list 1 to %d "
		    "numbers (got %zu)", SESSREQ_MAX_ADDRESSES, n);
	for (i = 0; i < n; i++)
		if ((e = take_address(r, "addresses", i,
		    json_object_array_get_idx(v, i), why)) != ERR_OK)
			return e;
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

/* Whether s is an integer JSON value in [lo, hi]; its value in *out. */
static bool
int_in(json_object *v, long long lo, long long hi, long long *out)
{
	if (!json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= lo && *out <= hi;
}

/*
 * §10's keys (CREATE and UPDATE): ttl, dateExpiry, expiresIn, mode. A null
 * clears on UPDATE and is as if absent on CREATE. Returns ERR_NOTFOUND for
 * any other key.
 */
static enum err
take_lifetime(struct sessreq *r, const char *k, json_object *v, long long now,
    struct sessreq_error *why)
{
	long long	 n;
	bool		 null = json_object_is_type(v, json_type_null);

	if (strcmp(k, "ttl") == 0) {
		r->set_ttl = !null || r->kind == SESSREQ_UPDATE;
		if (null)
			return ERR_OK;
		if (!json_object_is_type(v, json_type_int))
			return refuse(why, "ttl", "ttl must be an integer number "
			    "of seconds");
		n = json_object_get_int64(v);
		if (n == 0 && r->kind == SESSREQ_CREATE) {
			r->set_ttl = false;	/* Proxy's "no ttl" */
			return ERR_OK;
		}
		if (n < SESSREQ_TTL_MIN || n > SESSREQ_TTL_MAX)
			return refuse(why, "ttl", "ttl must be %d to %ld seconds: "
			    "Twilio's closed timer is at least %d minutes",
			    SESSREQ_TTL_MIN, SESSREQ_TTL_MAX,
			    SESSREQ_TTL_MIN / 60);
		r->keep.ttl = (long)n;
		return ERR_OK;
	}
	if (strcmp(k, "dateExpiry") == 0 || strcmp(k, "expiresIn") == 0) {
		if (r->set_expiry)
			return refuse(why, k, "dateExpiry and expiresIn cannot "
			    "both be given");
		r->set_expiry = !null || r->kind == SESSREQ_UPDATE;
		if (null)
			return ERR_OK;
		if (k[0] == 'e') {
			if (!int_in(v, 1, SESSREQ_TTL_MAX, &n))
				return refuse(why, k, "expiresIn must be an "
				    "integer from 1 to %ld seconds",
				    SESSREQ_TTL_MAX);
			r->keep.expiry = now + n;
			return ERR_OK;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    (n = sessattr_time_parse(json_object_get_string(v))) < 0)
			return refuse(why, k, "dateExpiry must be an ISO 8601 "
			    "date and time, such as 2026-12-31T23:59:59Z");
		if (n <= now)
			return refuse(why, k, "dateExpiry is in the past");
		r->keep.expiry = n;
		return ERR_OK;
	}
	if (strcmp(k, "mode") == 0) {
		r->set_mode = !null || r->kind == SESSREQ_UPDATE;
		if (null)
			return ERR_OK;
		if (!json_object_is_type(v, json_type_string) ||
		    !sessattr_mode_parse(json_object_get_string(v),
		    &r->keep.mode))
			return refuse(why, k, "mode must be voice-and-message, "
			    "voice-only or message-only");
		return ERR_OK;
	}
	return ERR_NOTFOUND;
}

/*
 * §13's "call" (CREATE and UPDATE): {"record": bool, "timeLimit": seconds,
 * "ringTimeout": seconds}, each key optional; null, for a key or the whole
 * object, clears on UPDATE and is as if absent on CREATE. A field is
 * named as "call.timeLimit".
 */
static enum err
take_call(struct sessreq *r, json_object *v, struct sessreq_error *why)
{
	long long	 n;
	bool		 update = r->kind == SESSREQ_UPDATE;

	if (json_object_is_type(v, json_type_null)) {
		if (update)
			r->set_call = SESSREQ_CALL_ALL;
		return ERR_OK;
	}
	if (!json_object_is_type(v, json_type_object))
		return refuse(why, "call", "call must be an object: {\"record\": "
		    "true, \"timeLimit\": seconds, \"ringTimeout\": seconds}");
	json_object_object_foreach(v, k, x) {
		bool null = json_object_is_type(x, json_type_null);

		if (strcmp(k, "record") == 0) {
			if (update)
				r->set_call |= SESSREQ_CALL_RECORD;
			if (null)
				continue;
			if (!json_object_is_type(x, json_type_boolean))
				return refuse(why, "call.record", "call.record "
				    "must be true or false");
			r->set_call |= SESSREQ_CALL_RECORD;
			r->keep.call_record = json_object_get_boolean(x) ? 2 : 1;
		} else if (strcmp(k, "timeLimit") == 0) {
			if (update)
				r->set_call |= SESSREQ_CALL_TIME_LIMIT;
			if (null)
				continue;
			if (!int_in(x, 1, SESSATTR_TIME_LIMIT_MAX, &n))
				return refuse(why, "call.timeLimit", "call.timeLimit "
				    "must be an integer from 1 to %d seconds "
				    "(Twilio's <Dial timeLimit>)",
				    SESSATTR_TIME_LIMIT_MAX);
			r->set_call |= SESSREQ_CALL_TIME_LIMIT;
			r->keep.call_time_limit = (long)n;
		} else if (strcmp(k, "ringTimeout") == 0) {
			if (update)
				r->set_call |= SESSREQ_CALL_RING_TIMEOUT;
			if (null)
				continue;
			if (!int_in(x, SESSATTR_RING_MIN, SESSATTR_RING_MAX, &n))
				return refuse(why, "call.ringTimeout",
				    "call.ringTimeout must be an integer from %d "
				    "to %d seconds (Twilio's <Dial timeout>)",
				    SESSATTR_RING_MIN, SESSATTR_RING_MAX);
			r->set_call |= SESSREQ_CALL_RING_TIMEOUT;
			r->keep.call_ring_timeout = (long)n;
		} else
			return refuse_key(why, "call", k);
	}
	return ERR_OK;
}

/* A message's text: 1 to SESSREQ_BODY_MAX characters. */
static enum err
take_text(struct sessreq *r, const char *k, json_object *v,
    struct sessreq_error *why)
{
	const char	*s;
	size_t		 chars = 0, i;
	enum err	 e;

	if (!json_object_is_type(v, json_type_string))
		return refuse(why, k, "%s must be a string", k);
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return refuse(why, k, "%s must not contain NUL", k);
	for (i = 0; s[i] != '\0'; i++)
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	if (strcmp(k, "author") == 0) {
		if (chars == 0 || chars > 256)
			return refuse(why, k, "author must be 1 to 256 "
			    "characters");
		e = form_add(&r->create_form, "Author", s);
		return e;
	}
	if (chars == 0 || chars > SESSREQ_BODY_MAX)
		return refuse(why, k, "body must be 1 to %d characters (got "
		    "%zu)", SESSREQ_BODY_MAX, chars);
	if ((r->body = strdup(s)) == NULL)
		return ERR_NOMEM;
	if (r->kind == SESSREQ_SAY)
		return form_add(&r->create_form, "Body", s);
	return ERR_OK;
}

/*
 * Step 3: every key of the object, in the order sent: the properties go
 * into r, the addresses ("addresses", or "address" when adding) are left
 * in *addrs (borrowed from root) for step 4, so that a bad property is
 * reported before the addresses are looked at.
 */
static enum err
take_fields(struct sessreq *r, json_object *root, long long now,
    json_object **addrs, struct sessreq_error *why)
{
	const struct prop	*p;
	unsigned		 seen = 0;
	enum err		 e = ERR_OK;
	bool			 session = r->kind == SESSREQ_CREATE ||
				    r->kind == SESSREQ_UPDATE;

	*addrs = NULL;
	json_object_object_foreach(root, k, v) {
		if ((r->kind == SESSREQ_CREATE && strcmp(k, "addresses") == 0) ||
		    (r->kind == SESSREQ_ADD && (strcmp(k, "addresses") == 0 ||
		    strcmp(k, "address") == 0))) {
			if (*addrs != NULL)
				return refuse(why, k, "give address or "
				    "addresses, not both");
			*addrs = v;
		} else if (session && (p = find_prop(k)) != NULL)
			e = take_prop(r, p, v, &seen, why);
		else if (session && (strcmp(k, "timers") == 0 ||
		    strcmp(k, "bindings") == 0))
			e = take_nested(r, k, v, &seen, why);
		else if (session && strcmp(k, "call") == 0)
			e = take_call(r, v, why);
		else if (session &&
		    (e = take_lifetime(r, k, v, now, why)) != ERR_NOTFOUND)
			;
		else if ((r->kind == SESSREQ_SAY || r->kind == SESSREQ_TELL) &&
		    strcmp(k, "body") == 0)
			e = take_text(r, k, v, why);
		else if (r->kind == SESSREQ_SAY && strcmp(k, "author") == 0)
			e = take_text(r, k, v, why);
		else if (r->kind == SESSREQ_SAY && strcmp(k, "attributes") == 0)
			e = json_object_is_type(v, json_type_object) ?
			    take_attributes(r, json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE), why) :
			    json_object_is_type(v, json_type_string) ?
			    take_attributes(r, json_object_get_string(v), why) :
			    refuse(why, k, "attributes must be a string or an "
			    "object");
		else
			e = refuse_key(why, NULL, k);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/*
 * The caller's attributes must leave room for what the service keeps: the
 * top-level key SESSATTR_KEY is the service's, and a session whose ttl,
 * dateExpiry or mode is kept needs attributes that are an object.
 */
static enum err
check_attributes(struct sessreq *r, struct sessreq_error *why)
{
	json_object	*j;
	bool		 object, taken;

	if (r->attributes == NULL)
		return ERR_OK;
	if ((j = json_tokener_parse(r->attributes)) == NULL &&
	    strcmp(r->attributes, "null") != 0)
		return ERR_NOMEM;	/* jsoncheck passed it: only memory */
	object = json_object_is_type(j, json_type_object);
	taken = object && json_object_object_get_ex(j, SESSATTR_KEY, NULL);
	json_object_put(j);
	if (taken)
		return refuse(why, "attributes", "attributes must not have the "
		    "key \"%s\": it is the service's own", SESSATTR_KEY);
	if (!object && sessattr_any(&r->keep))
		return refuse(why, "attributes", "attributes must be a JSON "
		    "object when ttl, dateExpiry, mode or call is set");
	return ERR_OK;
}

/*
 * After every key: what needs them all together. ttl becomes the closed
 * timer; timers on a create go with a State (Twilio's 50382 otherwise).
 */
static enum err
check_whole(struct sessreq *r, json_object *root, json_object *addrs,
    struct sessreq_error *why)
{
	char		 d[32];
	enum err	 e;

	switch (r->kind) {
	case SESSREQ_CREATE:
	case SESSREQ_UPDATE:
		if (r->kind == SESSREQ_UPDATE &&
		    json_object_object_length(root) == 0)
			return refuse(why, NULL, "the body changes nothing");
		if (r->set_ttl && r->keep.ttl != 0 && r->timers)
			return refuse(why, "ttl", "ttl and timers cannot both "
			    "be given: ttl sets the closed timer");
		if (r->set_ttl && r->keep.ttl == 0)
			return refuse(why, "ttl", "ttl must be %d to %ld seconds: "
			    "Twilio's closed timer cannot be removed once set",
			    SESSREQ_TTL_MIN, SESSREQ_TTL_MAX);
		if (r->set_ttl) {
			snprintf(d, sizeof(d), "PT%ldS", r->keep.ttl);
			if ((e = form_add(&r->create_form, "Timers.Closed", d)) !=
			    ERR_OK)
				return e;
			r->timers = true;
		}
		if (r->kind == SESSREQ_CREATE && r->timers && !r->state) {
			if ((e = form_add(&r->create_form, "State", "active")) !=
			    ERR_OK)
				return e;
			r->state = true;
		}
		if (r->kind == SESSREQ_CREATE && addrs == NULL)
			return refuse(why, "addresses", "addresses is required");
		return check_attributes(r, why);
	case SESSREQ_ADD:
		if (addrs == NULL)
			return refuse(why, "addresses", "address or addresses is "
			    "required");
		return ERR_OK;
	case SESSREQ_SAY:
	case SESSREQ_TELL:
		if (r->body == NULL)
			return refuse(why, "body", "body is required");
		return ERR_OK;
	}
	return ERR_OK;
}

enum err
sessreq_parse(struct sessreq *r, const char *body, size_t len,
    struct sessreq_error *why)
{
	return sessreq_parse_as(r, SESSREQ_CREATE, body, len, (long long)time(NULL),
	    why);
}

enum err
sessreq_parse_as(struct sessreq *r, enum sessreq_kind kind, const char *body,
    size_t len, long long now, struct sessreq_error *why)
{
	json_object	*root = NULL, *addrs;
	enum err	 e;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	buf_init(&r->create_form, 16 * 1024);
	why->field = NULL;
	why->message[0] = '\0';

	/* json-c is lenient (duplicate keys, NaN, raw controls): check first. */
	if ((e = check_json(body, len, why)) != ERR_OK)
		goto fail;
	if ((e = parse_object(body, len, &root, why)) != ERR_OK)
		goto fail;
	if ((e = take_fields(r, root, now, &addrs, why)) != ERR_OK)
		goto fail;
	if ((e = check_whole(r, root, addrs, why)) != ERR_OK)
		goto fail;
	if (addrs != NULL && (e = take_addresses(r, root, addrs, why)) !=
	    ERR_OK)
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
	free(r->attributes);
	free(r->body);
	r->unique_name = r->attributes = r->body = NULL;
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
		if (pool_index(p, r->addresses[i]) >= 0 && r->one_address)
			return refuse(why, "address", "address is one of the "
			    "pool's proxy numbers: a proxy number cannot be a "
			    "participant");
		else if (pool_index(p, r->addresses[i]) >= 0)
			return refuse(why, "addresses", "addresses[%zu] is one of "
			    "the pool's proxy numbers: a proxy number cannot be "
			    "a participant", i);
	return ERR_OK;
}
