#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/form.h"
#include "core/jsoncheck.h"
#include "core/log.h"
#include "core/utf8.h"
#include "svc/callback.h"
#include "svc/filter.h"
#include "svc/preevent.h"
#include "svc/sessattr.h"
#include "twilio/conv.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

/* What the operator's answer may nest. */
#define ANSWER_DEPTH	8
/* Kept back from the budget for the operator: writing the answer. */
#define ANSWER_MARGIN_MS 100

bool
preevent_filter_parse(const char *name, enum preevent_filter *out)
{
	static const struct {
		const char		*name;
		enum preevent_filter	 f;
	} names[] = {
		{ "redact", PREEVENT_FILTER_REDACT },
		{ "block", PREEVENT_FILTER_BLOCK },
		{ "off", PREEVENT_FILTER_OFF },
	};
	size_t	i;

	for (i = 0; name != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].f;
			return true;
		}
	return false;
}

/* The characters of valid UTF-8 text s (len bytes), or -1 when it is not. */
static long
utf8_chars(const char *s, size_t len)
{
	unsigned long	 cp;
	size_t		 i = 0, n;
	long		 chars = 0;

	while (i < len) {
		if ((n = utf8_decode((const unsigned char *)s + i, len - i,
		    &cp)) == 0 || cp == 0)
			return -1;
		i += n;
		chars++;
	}
	return chars;
}

/* Whether text (len bytes) can go back to Twilio as a message body. */
static bool
twilio_body_ok(const char *text, size_t len)
{
	long	chars = utf8_chars(text, len);

	return chars >= 0 && chars <= PREEVENT_BODY_MAX;
}

enum err
preevent_answer_parse(const char *text, size_t len, enum preevent_verdict *v,
    struct buf *body, const char **why)
{
	json_tokener	*tok;
	json_object	*o = NULL, *m;
	const char	*action, *s;
	size_t		 at, slen;
	long		 chars;
	enum err	 e = ERR_PARSE;

	*why = NULL;
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
	    text[len - 1] == '\r' || text[len - 1] == '\n'))
		len--;
	if (len > PREEVENT_ANSWER_MAX) {
		*why = "the answer is over 64 KiB";
		return ERR_PARSE;
	}
	if (len == 0) {
		*v = PREEVENT_ALLOW;
		return ERR_OK;
	}
	if ((e = jsoncheck(text, len, ANSWER_DEPTH, why, &at)) != ERR_OK)
		return e == ERR_NOMEM ? ERR_NOMEM : ERR_PARSE;
	e = ERR_PARSE;
	if ((tok = json_tokener_new()) == NULL)
		goto fail;
	o = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (o == NULL)
		goto fail;	/* jsoncheck passed: only memory can fail here */
	if (!json_object_is_type(o, json_type_object)) {
		*why = "the answer is not a JSON object";
		goto fail;
	}
	if (!json_object_object_get_ex(o, "action", &m) ||
	    !json_object_is_type(m, json_type_string)) {
		*why = "the answer has no \"action\" string";
		goto fail;
	}
	action = json_object_get_string(m);
	if (strcmp(action, "allow") == 0)
		*v = PREEVENT_ALLOW;
	else if (strcmp(action, "block") == 0)
		*v = PREEVENT_BLOCK;
	else if (strcmp(action, "replace") == 0) {
		if (!json_object_object_get_ex(o, "body", &m) ||
		    !json_object_is_type(m, json_type_string)) {
			*why = "\"replace\" without a \"body\" string";
			goto fail;
		}
		s = json_object_get_string(m);
		slen = (size_t)json_object_get_string_len(m);
		chars = utf8_chars(s, slen);
		if (chars < 1 || chars > PREEVENT_BODY_MAX) {
			*why = "the replacement body is empty, over 1600 "
			    "characters, or holds a NUL";
			goto fail;
		}
		buf_reset(body);
		if ((e = buf_append(body, s, slen)) != ERR_OK)
			goto fail;
		*v = PREEVENT_CHANGE;
	} else {
		*why = "\"action\" is not allow, block or replace";
		goto fail;
	}
	e = ERR_OK;
fail:
	if (o == NULL && e == ERR_PARSE && *why == NULL)
		e = ERR_NOMEM;
	json_object_put(o);
	return e;
}

/*
 * Step 1: whether the session lets messages through now. Reads the
 * conversation's attributes from Twilio; anything but an answer is no
 * reason to block (logged).
 */
static const char *
session_blocks(struct twilio *t, const char *sid, long long deadline)
{
	struct twilio_call	 c;
	struct sessattr		 keep;
	char			*mine = NULL;
	const char		*why = NULL;
	long long		 cap;

	twilio_call_init(&c);
	if (conv_fetch(&c, t, sid) != ERR_OK)
		goto done;
	cap = clock_now_ms() + PREEVENT_SESSION_MS;
	if (deadline > cap)
		deadline = cap;
	twilio_submit(t, &c);
	twilio_run(t, deadline);
	if (c.http.err != ERR_OK) {
		log_warn("pre-event: cannot read session %s (%s): its mode and "
		    "expiry are not checked for this message", sid,
		    c.http.message);
		goto done;
	}
	if (sessattr_split(twilio_json_str(c.json, "attributes"), &mine,
	    &keep) != ERR_OK)
		goto done;
	if (keep.mode == SESSATTR_MODE_VOICE)
		why = "voice_only";
	else if (keep.expiry > 0 && keep.expiry <= (long long)time(NULL))
		why = "expired";
done:
	free(mine);
	twilio_call_free(&c);
	return why;
}

/* The intercept request: the message as JSON, appended to out. */
static enum err
intercept_json(const struct preevent_result *r, const char *body,
    const char *source, struct buf *out)
{
	json_object	*o, *msg;
	const char	*s;
	enum err	 e = ERR_NOMEM;

	if ((o = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	if ((msg = json_object_new_object()) == NULL)
		goto fail;
	json_object_object_add(o, "type", json_object_new_string(
	    "message.intercept"));
	json_object_object_add(o, "sessionSid", json_object_new_string(r->sid));
	json_object_object_add(msg, "author", r->author == NULL ? NULL :
	    json_object_new_string(r->author));
	json_object_object_add(msg, "participantSid", r->participant == NULL ?
	    NULL : json_object_new_string(r->participant));
	json_object_object_add(msg, "source", source == NULL ? NULL :
	    json_object_new_string(source));
	json_object_object_add(msg, "body", json_object_new_string(body));
	json_object_object_add(msg, "originalBody", r->original == NULL ? NULL :
	    json_object_new_string(r->original));
	json_object_object_add(msg, "redactions",
	    json_object_new_int64((int64_t)r->redactions));
	json_object_object_add(o, "message", msg);
	if ((s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		e = buf_puts(out, s);
fail:
	json_object_put(o);
	return e;
}

/*
 * Step 3: asks the operator what to do with the message (body as it
 * stands) and applies the answer to r; the fail mode when there is none.
 */
static enum err
ask_operator(struct callback *cb, const struct preevent_opts *o,
    const char *body, const char *source, long long deadline,
    struct preevent_result *r)
{
	struct buf		 req, answer, repl;
	enum preevent_verdict	 v;
	const char		*why = NULL;
	char			 failure[200];
	long			 status = 0;
	long long		 until;
	enum err		 e;

	buf_init(&req, PREEVENT_ANSWER_MAX);
	buf_init(&answer, PREEVENT_ANSWER_MAX);
	buf_init(&repl, PREEVENT_BODY_MAX * 4);
	if ((e = intercept_json(r, body, source, &req)) != ERR_OK)
		goto done;
	until = clock_now_ms() + o->intercept_ms;
	if (until > deadline - ANSWER_MARGIN_MS)
		until = deadline - ANSWER_MARGIN_MS;
	r->asked = true;
	failure[0] = '\0';
	e = callback_ask(cb, o->intercept_url, buf_str(&req), req.len, until,
	    &status, &answer, failure, sizeof(failure));
	if (e == ERR_NOMEM)
		goto done;
	if (e != ERR_OK)
		snprintf(r->operator_failure, sizeof(r->operator_failure),
		    "%s", failure[0] != '\0' ? failure : err_str(e));
	else if (status < 200 || status > 299)
		snprintf(r->operator_failure, sizeof(r->operator_failure),
		    "answered HTTP %ld", status);
	else if ((e = preevent_answer_parse(buf_str(&answer), answer.len, &v,
	    &repl, &why)) == ERR_NOMEM)
		goto done;
	else if (e != ERR_OK)
		snprintf(r->operator_failure, sizeof(r->operator_failure),
		    "answered what is not an intercept answer: %s", why);
	e = ERR_OK;
	if (r->operator_failure[0] != '\0') {
		utf8_trim(r->operator_failure, sizeof(r->operator_failure));
		log_warn("pre-event: the operator's intercept callback failed "
		    "(%s): message %s (INTERCEPT_FAIL=%s) in %s",
		    r->operator_failure, o->fail_closed ? "blocked" : "allowed",
		    o->fail_closed ? "closed" : "open", r->sid);
		if (o->fail_closed) {
			r->verdict = PREEVENT_BLOCK;
			r->reason = "operator_unavailable";
		}
		goto done;
	}
	switch (v) {
	case PREEVENT_BLOCK:
		r->verdict = PREEVENT_BLOCK;
		r->reason = "operator";
		break;
	case PREEVENT_CHANGE:
		buf_reset(&r->body);
		if ((e = buf_append(&r->body, repl.data, repl.len)) != ERR_OK)
			goto done;
		r->verdict = PREEVENT_CHANGE;
		r->reason = "operator";
		break;
	default:
		break;	/* allow: the message as it stands */
	}
done:
	buf_free(&req);
	buf_free(&answer);
	buf_free(&repl);
	return e;
}

enum err
preevent_decide(struct twilio *t, struct callback *cb,
    const struct preevent_opts *o, const struct form *f, long long deadline,
    struct preevent_result *r)
{
	const char	*type, *source, *body, *why;
	long long	 cap = clock_now_ms() + PREEVENT_BUDGET_MS;
	enum err	 e;

	memset(r, 0, sizeof(*r));
	/* Room for a 1600-character text whose every digit run is marked. */
	buf_init(&r->body, 64 * 1024);
	if (deadline > cap)
		deadline = cap;
	r->sid = form_get(f, "ConversationSid");
	r->author = form_get(f, "Author");
	r->participant = form_get(f, "ParticipantSid");
	r->original = body = form_get(f, "Body");
	type = form_get(f, "EventType");
	source = form_get(f, "Source");
	if (type == NULL || strcmp(type, "onMessageAdd") != 0) {
		r->verdict = PREEVENT_IGNORED;
		return ERR_OK;
	}
	if (!sid_valid(r->sid, "CH")) {
		r->verdict = PREEVENT_BAD_SID;
		return ERR_OK;
	}
	r->verdict = PREEVENT_ALLOW;
	/* The operator's own messages (the REST API) are theirs. */
	if (source != NULL && strcasecmp(source, "API") == 0)
		return ERR_OK;
	if ((why = session_blocks(t, r->sid, deadline)) != NULL) {
		r->verdict = PREEVENT_BLOCK;
		r->reason = why;
		return ERR_OK;
	}
	if (body == NULL)
		body = "";	/* media alone: nothing to filter */
	if (o->filter != PREEVENT_FILTER_OFF) {
		e = filter_redact(body, strlen(body), o->mark, &r->body,
		    &r->redactions);
		if (e == ERR_TOOBIG || (e == ERR_OK && r->redactions > 0 &&
		    !twilio_body_ok(r->body.data, r->body.len))) {
			/*
			 * Redacted, it would be longer than Twilio takes (or,
			 * not being UTF-8, cannot be written back).
			 */
			r->redactions = filter_scan(body, strlen(body), NULL, 0);
			r->verdict = PREEVENT_BLOCK;
			r->reason = "contact_details";
			return ERR_OK;
		}
		if (e != ERR_OK)
			return e;
		if (r->redactions > 0 && o->filter == PREEVENT_FILTER_BLOCK) {
			r->verdict = PREEVENT_BLOCK;
			r->reason = "contact_details";
			return ERR_OK;
		}
		if (r->redactions > 0) {
			r->verdict = PREEVENT_CHANGE;
			r->reason = "contact_details";
			body = buf_str(&r->body);
		}
	}
	if (cb != NULL && o->intercept_url != NULL)
		return ask_operator(cb, o, body, source, deadline, r);
	return ERR_OK;
}

void
preevent_result_free(struct preevent_result *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
}
