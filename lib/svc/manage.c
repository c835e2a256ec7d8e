#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/e164.h"
#include "core/form.h"
#include "core/log.h"
#include "svc/manage.h"
#include "svc/mark.h"
#include "svc/pagetok.h"
#include "svc/sessattr.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "twilio/conv.h"
#include "twilio/sid.h"
#include "twilio/sms.h"
#include "twilio/twilio.h"

/* A refusal of the service's own: status, error code and a sentence. */
static enum err
refuse(struct session_result *res, enum err e, int status, const char *error,
    const char *fmt, const char *arg)
{
	res->status = status;
	res->error = error;
	snprintf(res->message, sizeof(res->message), fmt, arg);
	return e;
}

/*
 * A Twilio call that failed: a conversation (or participant) Twilio does
 * not know is a 404 of ours; anything else keeps Twilio's reading.
 */
static enum err
failed(struct session_result *res, const struct twilio_call *c,
    const char *id)
{
	if (conv_gone(c))
		return refuse(res, ERR_NOTFOUND, 404, "session_not_found",
		    "no session %s", id);
	res->twilio_status = c->http.status;
	res->twilio_code = c->code;
	snprintf(res->message, sizeof(res->message), "%s", c->http.message);
	return c->http.err != ERR_OK ? c->http.err : ERR_TRANSPORT;
}

/* Submits the calls (NULL ends the list) and runs them together. */
static void
run(struct twilio *t, long long deadline, struct twilio_call *a,
    struct twilio_call *b)
{
	twilio_submit(t, a);
	if (b != NULL)
		twilio_submit(t, b);
	twilio_run(t, deadline);
}

/* Adds key: a copy of string s (NULL: null) to o. ERR_NOMEM. */
static enum err
put_str(json_object *o, const char *key, const char *s)
{
	json_object *v = NULL;

	if (s != NULL && (v = json_object_new_string(s)) == NULL)
		return ERR_NOMEM;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

/* Item i of a participant list as /sessions shows it; NULL: not SMS, or no memory. */
static json_object *
participant_view(const struct twilio_call *list, size_t i)
{
	json_object	*o;
	const char	*address, *proxy;

	if (!conv_sms_binding(list, i, &address, &proxy) ||
	    (o = json_object_new_object()) == NULL)
		return NULL;
	if (put_str(o, "sid", conv_participant_sid(list, i)) != ERR_OK ||
	    put_str(o, "address", address) != ERR_OK ||
	    put_str(o, "proxyAddress", proxy) != ERR_OK) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The SMS participants of a list, as an array; NULL when memory runs out. */
static json_object *
participants_view(const struct twilio_call *list)
{
	json_object	*arr, *o;
	size_t		 i, n = twilio_items_len(list);

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *a, *p;

		if (!conv_sms_binding(list, i, &a, &p))
			continue;
		if ((o = participant_view(list, i)) == NULL ||
		    json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* The session: the conversation conv with the participants of list. */
static enum err
session_answer(struct session_result *res, json_object *conv,
    const struct twilio_call *list)
{
	json_object *out, *parts;

	if ((out = session_view(conv)) == NULL)
		return ERR_NOMEM;
	if ((parts = participants_view(list)) == NULL ||
	    json_object_object_add(out, "participants", parts) != 0) {
		json_object_put(parts);
		json_object_put(out);
		return ERR_NOMEM;
	}
	res->conversation = out;
	return ERR_OK;
}

/*
 * The answer of a call that returned the conversation (a fetch, an update)
 * and of its participant list: the session, or the first failure.
 */
static enum err
session_of(struct session_result *res, const struct twilio_call *conv,
    const struct twilio_call *parts, const char *id)
{
	if (conv->http.err != ERR_OK)
		return failed(res, conv, id);
	if (parts->http.err != ERR_OK)
		return failed(res, parts, id);
	return session_answer(res, conv->json, parts);
}

/*
 * Item i of list whose sid or address is who (an MB SID or E.164), or -1.
 * Only SMS participants have an address.
 */
static long
find_participant(const struct twilio_call *list, const char *who)
{
	const char	*address, *proxy, *sid;
	size_t		 i, n = twilio_items_len(list);

	for (i = 0; i < n; i++) {
		sid = conv_participant_sid(list, i);
		if (sid != NULL && strcmp(sid, who) == 0)
			return (long)i;
		if (conv_sms_binding(list, i, &address, &proxy) &&
		    strcmp(address, who) == 0)
			return (long)i;
	}
	return -1;
}

enum err
manage_fetch(struct twilio *t, const struct session_opts *o, const char *id,
    long long deadline, struct session_result *res)
{
	struct twilio_call	 conv, parts;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&conv);
	twilio_call_init(&parts);
	if ((e = conv_fetch(&conv, t, id)) != ERR_OK ||
	    (e = conv_participants(&parts, t, id)) != ERR_OK)
		goto out;
	run(t, deadline, &conv, &parts);
	e = session_of(res, &conv, &parts, id);
out:
	twilio_call_free(&conv);
	twilio_call_free(&parts);
	return e;
}

/*
 * A list item of ParticipantConversations (conversation_* keys, and the
 * person's participant_*) as the conversation it is about, in Twilio's
 * own snake case, ready for session_view(). NULL when memory runs out.
 */
static json_object *
unprefix(json_object *item)
{
	json_object	*out;
	const char	*pre = "conversation_";
	size_t		 n = strlen(pre);

	if ((out = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_foreach(item, k, v) {
		if (strncmp(k, pre, n) != 0 || k[n] == '\0')
			continue;
		if (json_object_object_add(out, strcmp(k + n, "sid") == 0 ?
		    "sid" : k + n, json_object_get(v)) != 0) {
			json_object_put(v);
			json_object_put(out);
			return NULL;
		}
	}
	return out;
}

/* Item i of a list as /sessions shows it. NULL: skip it (or no memory: *e). */
static json_object *
list_item(const struct twilio_call *list, size_t i, const struct manage_query *q,
    enum err *e)
{
	json_object	*item = twilio_item(list, i), *raw, *out;
	const char	*state;

	*e = ERR_OK;
	if (!json_object_is_type(item, json_type_object))
		return NULL;
	if (q->address == NULL)
		raw = json_object_get(item);
	else if ((raw = unprefix(item)) == NULL) {
		*e = ERR_NOMEM;
		return NULL;
	}
	/* A person's list cannot be filtered by Twilio: done here. */
	state = twilio_json_str(raw, "state");
	if (q->address != NULL && (q->state != NULL ? state == NULL ||
	    strcmp(state, q->state) != 0 : state != NULL &&
	    strcmp(state, "closed") == 0)) {
		json_object_put(raw);
		return NULL;
	}
	if ((out = session_view(raw)) == NULL)
		*e = ERR_NOMEM;
	else if (q->address != NULL && (put_str(out, "participantSid",
	    twilio_json_str(item, "participant_sid")) != ERR_OK ||
	    put_str(out, "proxyAddress", twilio_json_str(twilio_json_obj(item,
	    "participant_messaging_binding"), "proxy_address")) != ERR_OK)) {
		*e = ERR_NOMEM;
		json_object_put(out);
		out = NULL;
	}
	json_object_put(raw);
	return out;
}

/*
 * Reads the page token q carries for a list of kind and scope into p, or
 * starts p at the first page. ERR_INVAL (res says so) for a token that is
 * not ours, or is another list's.
 */
static enum err
page_start(const struct session_opts *o, const struct manage_query *q,
    char kind, const char *scope, struct pagetok *p,
    struct session_result *res)
{
	memset(p, 0, sizeof(*p));
	if (q->token == NULL) {
		p->kind = kind;
		snprintf(p->scope, sizeof(p->scope), "%s", scope);
		p->size = q->size;
		return ERR_OK;
	}
	if (pagetok_decode(p, o->page_key, sizeof(o->page_key), q->token) !=
	    ERR_OK)
		return refuse(res, ERR_INVAL, 400, "invalid_page_token",
		    "pageToken is not a token this service gave%s", "");
	if (p->kind != kind || strcmp(p->scope, scope) != 0)
		return refuse(res, ERR_INVAL, 400, "invalid_page_token",
		    "pageToken belongs to another list%s", "");
	return ERR_OK;
}

/*
 * The answer of a list: {key: [items], "nextPageToken": token or null}.
 * view makes each item (NULL: left out).
 */
static enum err
page_answer(const struct session_opts *o, const struct twilio_call *list,
    const char *key, struct pagetok *p, const struct manage_query *q,
    json_object *(*view)(const struct twilio_call *, size_t,
    const struct manage_query *, enum err *), struct session_result *res)
{
	json_object	*out, *arr, *v;
	char		 token[PAGETOK_MAX];
	size_t		 i, n = twilio_items_len(list);
	enum err	 e = ERR_OK;

	if ((out = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	if ((arr = json_object_new_array()) == NULL ||
	    json_object_object_add(out, key, arr) != 0) {
		json_object_put(arr);
		goto nomem;
	}
	for (i = 0; i < n; i++) {
		if ((v = view(list, i, q, &e)) == NULL) {
			if (e != ERR_OK)
				goto nomem;
			continue;
		}
		if (json_object_array_add(arr, v) != 0) {
			json_object_put(v);
			goto nomem;
		}
	}
	token[0] = '\0';
	if (list->next_page != NULL) {
		if (pagetok_from_url(p, list->next_page) != ERR_OK ||
		    pagetok_encode(p, o->page_key, sizeof(o->page_key), token,
		    sizeof(token)) != ERR_OK) {
			/* Twilio's next page cannot be named: say so, not "last page". */
			json_object_put(out);
			snprintf(res->message, sizeof(res->message), "Twilio's "
			    "next page cannot be read: %.200s", list->next_page);
			return ERR_TRANSPORT;
		}
	}
	if (put_str(out, "nextPageToken", token[0] != '\0' ? token : NULL) !=
	    ERR_OK)
		goto nomem;
	res->conversation = out;
	return ERR_OK;
nomem:
	json_object_put(out);
	return ERR_NOMEM;
}

/* The conv_page p stands for. */
static void
conv_page_of(const struct pagetok *p, struct conv_page *cp)
{
	cp->size = p->size;
	cp->page = p->page;
	cp->token = p->twilio_token[0] != '\0' || p->page > 0 ?
	    p->twilio_token : NULL;
}

enum err
manage_list(struct twilio *t, const struct session_opts *o,
    const struct manage_query *q, long long deadline,
    struct session_result *res)
{
	struct twilio_call	 list;
	struct pagetok		 p;
	struct conv_page	 cp;
	char			 scope[64];
	enum err		 e;

	memset(res, 0, sizeof(*res));
	twilio_call_init(&list);
	snprintf(scope, sizeof(scope), "%s|%s", q->address != NULL ?
	    q->address : "", q->state != NULL ? q->state : "");
	if ((e = page_start(o, q, q->address != NULL ? 'p' : 'a', scope, &p,
	    res)) != ERR_OK)
		goto out;
	conv_page_of(&p, &cp);
	if ((e = q->address != NULL ? conv_of_address_page(&list, t,
	    q->address, &cp) : conv_list(&list, t, q->state, &cp)) != ERR_OK)
		goto out;
	run(t, deadline, &list, NULL);
	if (list.http.err != ERR_OK)
		e = failed(res, &list, "");
	else
		e = page_answer(o, &list, "sessions", &p, q, list_item, res);
out:
	twilio_call_free(&list);
	return e;
}

/*
 * The Attributes an update sends: the caller's new attributes (or, when
 * not given, those the conversation has) joined with what the service
 * keeps, changed by r. into out. ERR_INVAL (res says why), ERR_NOMEM.
 */
static enum err
update_attributes(const struct sessreq *r, json_object *conv, struct buf *out,
    struct session_result *res)
{
	struct sessattr	 keep;
	char		*mine = NULL;
	const char	*text, *why = NULL;
	enum err	 e;

	if ((e = sessattr_split(twilio_json_str(conv, "attributes"), &mine,
	    &keep)) != ERR_OK)
		return e;
	if (r->set_ttl)
		keep.ttl = r->keep.ttl;
	if (r->set_expiry)
		keep.expiry = r->keep.expiry;
	if (r->set_mode)
		keep.mode = r->keep.mode;
	if (r->set_call & SESSREQ_CALL_RECORD)
		keep.call_record = r->keep.call_record;
	if (r->set_call & SESSREQ_CALL_TIME_LIMIT)
		keep.call_time_limit = r->keep.call_time_limit;
	if (r->set_call & SESSREQ_CALL_RING_TIMEOUT)
		keep.call_ring_timeout = r->keep.call_ring_timeout;
	text = r->attributes != NULL ? r->attributes : mine;
	if ((e = sessattr_join(text, strlen(text), &keep, out, &why)) ==
	    ERR_INVAL)
		refuse(res, e, 400, "invalid_request", "%s", why != NULL ?
		    why : "attributes cannot keep the session's settings");
	free(mine);
	return e;
}

/*
 * Whether the update needs the conversation read first: it touches the
 * attributes (the service's part is kept), or it renames a session named
 * by its unique name (the participants are then listed before, not while,
 * the name changes).
 */
static bool
reads_first(const char *id, const struct sessreq *r)
{
	return r->attributes != NULL || r->set_ttl || r->set_expiry ||
	    r->set_mode || r->set_call != 0 ||
	    (r->unique_name != NULL && !sid_valid(id, "CH"));
}

/* Whether the update touches the attributes. */
static bool
touches_attributes(const struct sessreq *r)
{
	return r->attributes != NULL || r->set_ttl || r->set_expiry ||
	    r->set_mode || r->set_call != 0;
}

enum err
manage_update(struct twilio *t, const struct session_opts *o, const char *id,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	struct twilio_call	 conv, parts, upd;
	struct buf		 form, attrs;
	const char		*sid = id;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&conv);
	twilio_call_init(&parts);
	twilio_call_init(&upd);
	buf_init(&form, TWILIO_FORM_MAX);
	buf_init(&attrs, TWILIO_FORM_MAX);
	if ((e = conv_participants(&parts, t, id)) != ERR_OK ||
	    (e = buf_append(&form, r->create_form.data, r->create_form.len)) !=
	    ERR_OK)
		goto out;
	if (r->unique_name != NULL &&
	    (e = form_add(&form, "UniqueName", r->unique_name)) != ERR_OK)
		goto out;
	if (reads_first(id, r)) {
		/* Round trip 1: what the conversation keeps now. */
		if ((e = conv_fetch(&conv, t, id)) != ERR_OK)
			goto out;
		run(t, deadline, &conv, &parts);
		if (conv.http.err != ERR_OK) {
			e = failed(res, &conv, id);
			goto out;
		}
		if ((sid = conv_sid(&conv)) == NULL)
			sid = id;
		if (parts.http.err != ERR_OK) {
			e = failed(res, &parts, id);
			goto out;
		}
		if (touches_attributes(r) && ((e = update_attributes(r, conv.json,
		    &attrs, res)) != ERR_OK || (e = form_add(&form, "Attributes",
		    buf_str(&attrs))) != ERR_OK))
			goto out;
		if ((e = conv_update(&upd, t, sid, &form)) != ERR_OK)
			goto out;
		run(t, deadline, &upd, NULL);
	} else {
		if ((e = conv_update(&upd, t, id, &form)) != ERR_OK)
			goto out;
		run(t, deadline, &upd, &parts);
	}
	e = session_of(res, &upd, &parts, id);
out:
	buf_free(&form);
	buf_free(&attrs);
	twilio_call_free(&conv);
	twilio_call_free(&parts);
	twilio_call_free(&upd);
	return e;
}

enum err
manage_delete(struct twilio *t, const struct session_opts *o, const char *id,
    long long deadline, struct session_result *res)
{
	struct twilio_call	 del;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&del);
	if ((e = conv_delete(&del, t, id)) == ERR_OK) {
		run(t, deadline, &del, NULL);
		if (del.http.err != ERR_OK)
			e = failed(res, &del, id);
		else
			log_info("session %s deleted", id);
	}
	twilio_call_free(&del);
	return e;
}

enum err
manage_participants(struct twilio *t, const struct session_opts *o,
    const char *id, long long deadline, struct session_result *res)
{
	struct twilio_call	 parts;
	json_object		*out, *arr;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&parts);
	if ((e = conv_participants(&parts, t, id)) != ERR_OK)
		goto out;
	run(t, deadline, &parts, NULL);
	if (parts.http.err != ERR_OK) {
		e = failed(res, &parts, id);
		goto out;
	}
	e = ERR_NOMEM;
	if ((out = json_object_new_object()) == NULL)
		goto out;
	if ((arr = participants_view(&parts)) == NULL ||
	    json_object_object_add(out, "participants", arr) != 0) {
		json_object_put(arr);
		json_object_put(out);
		goto out;
	}
	res->conversation = out;
	e = ERR_OK;
out:
	twilio_call_free(&parts);
	return e;
}

/*
 * Whether removing participant i leaves a session the reaper could take
 * for half-made: it was one of those the session was created with, and
 * the conversation does not say yet that it was changed on purpose.
 */
static bool
needs_change_mark(const struct twilio_call *parts, size_t i,
    const struct sessattr *keep)
{
	return !keep->changed && mark_parties(conv_attributes(parts, i)) > 0;
}

enum err
manage_remove(struct twilio *t, const struct session_opts *o, const char *id,
    const char *who, long long deadline, struct session_result *res)
{
	struct twilio_call	 conv, parts, upd, del;
	struct sessattr		 keep;
	struct buf		 form, attrs;
	char			*mine = NULL, masked[LOG_MASK_LEN];
	const char		*sid, *psid, *why;
	long			 i;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&conv);
	twilio_call_init(&parts);
	twilio_call_init(&upd);
	twilio_call_init(&del);
	buf_init(&form, TWILIO_FORM_MAX);
	buf_init(&attrs, TWILIO_FORM_MAX);
	/* Round trip 1: the session, and who is in it. */
	if ((e = conv_fetch(&conv, t, id)) != ERR_OK ||
	    (e = conv_participants(&parts, t, id)) != ERR_OK)
		goto out;
	run(t, deadline, &conv, &parts);
	if (conv.http.err != ERR_OK || parts.http.err != ERR_OK) {
		e = failed(res, conv.http.err != ERR_OK ? &conv : &parts, id);
		goto out;
	}
	if ((sid = conv_sid(&conv)) == NULL)
		sid = id;
	if ((i = find_participant(&parts, who)) < 0 ||
	    (psid = conv_participant_sid(&parts, (size_t)i)) == NULL) {
		e = refuse(res, ERR_NOTFOUND, 404, "participant_not_found",
		    "%s is not in the session", who);
		goto out;
	}
	if ((e = sessattr_split(twilio_json_str(conv.json, "attributes"), &mine,
	    &keep)) != ERR_OK)
		goto out;
	/*
	 * Round trip 2, the first time one of the session's first members
	 * leaves: the conversation says it was changed on purpose, before the
	 * participant goes, so that the reaper never sees it otherwise.
	 */
	if (needs_change_mark(&parts, (size_t)i, &keep)) {
		keep.changed = true;
		why = NULL;
		if ((e = sessattr_join(mine, strlen(mine), &keep, &attrs,
		    &why)) != ERR_OK ||
		    (e = form_add(&form, "Attributes", buf_str(&attrs))) !=
		    ERR_OK || (e = conv_update(&upd, t, sid, &form)) != ERR_OK) {
			/* Attributes that cannot carry the mark: not ours to change. */
			if (e == ERR_INVAL)
				log_warn("session %s: the change cannot be marked: "
				    "%s", sid, why != NULL ? why : "");
			if (e != ERR_INVAL)
				goto out;
		} else {
			run(t, deadline, &upd, NULL);
			if (upd.http.err != ERR_OK) {
				e = failed(res, &upd, id);
				goto out;
			}
		}
	}
	/* Round trip 2 (or 3): the participant goes. */
	if ((e = conv_participant_delete(&del, t, sid, psid)) != ERR_OK)
		goto out;
	run(t, deadline, &del, NULL);
	if (del.http.err != ERR_OK) {
		e = conv_gone(&del) ? refuse(res, ERR_NOTFOUND, 404,
		    "participant_not_found", "%s is not in the session", who) :
		    failed(res, &del, id);
		goto out;
	}
	log_info("participant %s removed from %s", e164_valid(who) ?
	    log_mask(masked, who) : who, sid);
	e = ERR_OK;
out:
	free(mine);
	buf_free(&form);
	buf_free(&attrs);
	twilio_call_free(&conv);
	twilio_call_free(&parts);
	twilio_call_free(&upd);
	twilio_call_free(&del);
	return e;
}

/* The keys of Twilio's message m that the answer to a message carries. */
static enum err
message_answer(struct session_result *res, json_object *m)
{
	static const char *const keys[] = { "sid", "index", "author", "body",
	    "attributes", "dateCreated" };
	json_object	*all, *out, *v;
	size_t		 i;

	if ((all = sessreq_camelize(m)) == NULL)
		return ERR_NOMEM;
	if ((out = json_object_new_object()) == NULL) {
		json_object_put(all);
		return ERR_NOMEM;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = NULL;
		json_object_object_get_ex(all, keys[i], &v);
		if (json_object_object_add(out, keys[i], json_object_get(v)) !=
		    0) {
			json_object_put(v);
			json_object_put(all);
			json_object_put(out);
			return ERR_NOMEM;
		}
	}
	json_object_put(all);
	res->conversation = out;
	return ERR_OK;
}

enum err
manage_say(struct twilio *t, const struct session_opts *o, const char *id,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	struct twilio_call	 msg;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&msg);
	if ((e = conv_message_create(&msg, t, id, &r->create_form)) != ERR_OK)
		goto out;
	run(t, deadline, &msg, NULL);
	if (msg.http.err != ERR_OK)
		e = failed(res, &msg, id);
	else
		e = message_answer(res, msg.json);
out:
	twilio_call_free(&msg);
	return e;
}

enum err
manage_tell(struct twilio *t, const struct session_opts *o, const char *id,
    const char *who, const struct sessreq *r, long long deadline,
    struct session_result *res)
{
	struct twilio_call	 parts, sms;
	json_object		*out;
	const char		*address, *proxy;
	long			 i;
	enum err		 e;

	(void)o;
	memset(res, 0, sizeof(*res));
	twilio_call_init(&parts);
	twilio_call_init(&sms);
	/* Round trip 1: who the person is, and their proxy number. */
	if ((e = conv_participants(&parts, t, id)) != ERR_OK)
		goto out;
	run(t, deadline, &parts, NULL);
	if (parts.http.err != ERR_OK) {
		e = failed(res, &parts, id);
		goto out;
	}
	if ((i = find_participant(&parts, who)) < 0 ||
	    !conv_sms_binding(&parts, (size_t)i, &address, &proxy)) {
		e = refuse(res, ERR_NOTFOUND, 404, "participant_not_found",
		    "%s is not an SMS participant of the session", who);
		goto out;
	}
	/* Round trip 2: the message, from their proxy number. */
	if ((e = sms_send(&sms, t, address, proxy, r->body)) != ERR_OK)
		goto out;
	run(t, deadline, &sms, NULL);
	if (sms.http.err != ERR_OK) {
		e = failed(res, &sms, id);
		goto out;
	}
	e = ERR_NOMEM;
	if ((out = json_object_new_object()) == NULL)
		goto out;
	res->conversation = out;
	if (put_str(out, "sid", twilio_json_str(sms.json, "sid")) != ERR_OK ||
	    put_str(out, "to", twilio_json_str(sms.json, "to")) != ERR_OK ||
	    put_str(out, "from", twilio_json_str(sms.json, "from")) != ERR_OK ||
	    put_str(out, "status", twilio_json_str(sms.json, "status")) !=
	    ERR_OK)
		goto out;
	e = ERR_OK;
out:
	twilio_call_free(&parts);
	twilio_call_free(&sms);
	return e;
}

/* Item i of a message list, camelCased. */
static json_object *
message_item(const struct twilio_call *list, size_t i,
    const struct manage_query *q, enum err *e)
{
	json_object *out;

	(void)q;
	*e = ERR_OK;
	if ((out = sessreq_camelize(twilio_item(list, i))) == NULL &&
	    json_object_is_type(twilio_item(list, i), json_type_object))
		*e = ERR_NOMEM;
	return out;
}

enum err
manage_log(struct twilio *t, const struct session_opts *o, const char *id,
    const struct manage_query *q, long long deadline,
    struct session_result *res)
{
	struct twilio_call	 list;
	struct pagetok		 p;
	struct conv_page	 cp;
	char			 scope[320];
	enum err		 e;

	memset(res, 0, sizeof(*res));
	twilio_call_init(&list);
	snprintf(scope, sizeof(scope), "%.150s|%s", id, q->newest_first ?
	    "desc" : "asc");
	if ((e = page_start(o, q, 'm', scope, &p, res)) != ERR_OK)
		goto out;
	conv_page_of(&p, &cp);
	if ((e = conv_messages(&list, t, id, q->newest_first, &cp)) != ERR_OK)
		goto out;
	run(t, deadline, &list, NULL);
	if (list.http.err != ERR_OK)
		e = failed(res, &list, id);
	else
		e = page_answer(o, &list, "messages", &p, q, message_item, res);
out:
	twilio_call_free(&list);
	return e;
}
