/*
 * fuzz_sessreq: any body of any kind sessreq_parse_as takes (the first
 * input byte chooses the kind: POST /sessions, POST /sessions/{id},
 * .../participants, .../messages, .../participants/{p}/messages) must
 * parse or be refused cleanly, saying why and naming a field that is
 * still readable; what parses holds together for its kind. The camelCase
 * mapping of any JSON object must not crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/e164.h"
#include "svc/sessreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW	1800000000LL	/* a fixed clock: the same input, the same result */

static void
check_addresses(const struct sessreq *r)
{
	size_t i, k;

	if (r->naddresses < 1 || r->naddresses > SESSREQ_MAX_ADDRESSES)
		abort();
	for (i = 0; i < r->naddresses; i++) {
		if (!e164_valid(r->addresses[i]))
			abort();
		for (k = 0; k < i; k++)
			if (strcmp(r->addresses[i], r->addresses[k]) == 0)
				abort();
	}
}

static void
check_parsed(const struct sessreq *r, enum sessreq_kind kind)
{
	if (r->kind != kind)
		abort();
	switch (kind) {
	case SESSREQ_CREATE:
	case SESSREQ_UPDATE:
		if (kind == SESSREQ_CREATE)
			check_addresses(r);
		else if (r->naddresses != 0)
			abort();
		if (r->body != NULL)
			abort();
		/* §10: a ttl kept is one Twilio can express, as the closed timer. */
		if (r->keep.ttl != 0 && (r->keep.ttl < SESSREQ_TTL_MIN ||
		    r->keep.ttl > SESSREQ_TTL_MAX || !r->set_ttl || !r->timers))
			abort();
		if (r->keep.expiry != 0 && r->keep.expiry <= NOW)
			abort();
		if (r->keep.changed)
			abort();
		/* §13: a call kept is one Twilio takes, and was given. */
		if (r->keep.call_record < 0 || r->keep.call_record > 2 ||
		    r->keep.call_time_limit < 0 ||
		    r->keep.call_time_limit > SESSATTR_TIME_LIMIT_MAX ||
		    (r->keep.call_ring_timeout != 0 &&
		    (r->keep.call_ring_timeout < SESSATTR_RING_MIN ||
		    r->keep.call_ring_timeout > SESSATTR_RING_MAX)))
			abort();
		if ((r->keep.call_record != 0 &&
		    !(r->set_call & SESSREQ_CALL_RECORD)) ||
		    (r->keep.call_time_limit != 0 &&
		    !(r->set_call & SESSREQ_CALL_TIME_LIMIT)) ||
		    (r->keep.call_ring_timeout != 0 &&
		    !(r->set_call & SESSREQ_CALL_RING_TIMEOUT)))
			abort();
		/* Timers on a create always go with a State (Twilio's 50382). */
		if (kind == SESSREQ_CREATE && r->timers && !r->state)
			abort();
		if (r->set_ttl && strstr(buf_str(&r->create_form),
		    "Timers.Closed=PT") == NULL)
			abort();
		break;
	case SESSREQ_ADD:
		check_addresses(r);
		if (r->body != NULL || r->create_form.len != 0 ||
		    r->attributes != NULL || sessattr_any(&r->keep) ||
		    r->set_call != 0)
			abort();
		break;
	case SESSREQ_SAY:
	case SESSREQ_TELL:
		if (r->body == NULL || r->body[0] == '\0' || r->naddresses != 0 ||
		    r->attributes != NULL || sessattr_any(&r->keep))
			abort();
		if (kind == SESSREQ_TELL && r->create_form.len != 0)
			abort();
		if (kind == SESSREQ_SAY &&
		    strstr(buf_str(&r->create_form), "Body=") == NULL)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sessreq		 r;
	struct sessreq_error	 why;
	enum sessreq_kind	 kind = SESSREQ_CREATE;
	const char		*body = (const char *)data;
	size_t			 len = size;
	json_object		*j, *c;
	enum err		 e;

	if (size > 0) {
		kind = (enum sessreq_kind)(data[0] % 5);
		body++;
		len--;
	}
	e = sessreq_parse_as(&r, kind, body, len, NOW, &why);
	if (e == ERR_OK) {
		check_parsed(&r, kind);
		sessreq_free(&r);
		sessreq_free(&r);	/* twice is harmless */
	} else {
		if (e != ERR_INVAL && e != ERR_PARSE && e != ERR_NOMEM)
			abort();
		if (e != ERR_NOMEM && why.message[0] == '\0')
			abort();	/* every refusal says why */
		/* The field named is still there to be read (ASan sees it). */
		if (why.field != NULL && strlen(why.field) > sizeof(why.field_name) + 64)
			abort();
	}

	/* POST /sessions's own entry point is the CREATE kind at time(NULL). */
	if (kind == SESSREQ_CREATE && sessreq_parse(&r, body, len, &why) == ERR_OK) {
		check_addresses(&r);
		sessreq_free(&r);
	}

	if (len < 4096) {
		char *s = strndup(body, len);

		if (s != NULL && (j = json_tokener_parse(s)) != NULL) {
			c = sessreq_camelize(j);
			json_object_put(c);
			json_object_put(j);
		}
		free(s);
	}
	return 0;
}
