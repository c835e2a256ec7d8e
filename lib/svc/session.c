#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/form.h"
#include "svc/mark.h"
#include "svc/sessattr.h"
#include "svc/pool.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "twilio/conv.h"
#include "twilio/twilio.h"

/* Time allowed to delete a half-made conversation once the deadline passed. */
#define CLEANUP_GRACE_MS	5000

struct session;

struct party {
	struct session		*s;
	const char		*address;
	struct twilio_call	 lookup;	/* the address's conversations */
	struct twilio_call	 add;		/* the participant */
	size_t			*order;		/* pool indexes, best first */
	size_t			 norder;
	size_t			 next;		/* next candidate in order */
	bool			*used;		/* by pool index: taken for this address */
	bool			 looked_up;
	bool			 started;	/* its first add was sent */
	bool			 added;
	const char		*proxy;
};

struct session {
	struct twilio		*t;
	const struct session_opts *o;
	/*
	 * Creating: the conversation's creation. Adding to a session: its
	 * fetch, and members, the participants it has.
	 */
	struct twilio_call	 create;
	struct twilio_call	 members;
	const char		*id;		/* adding: the session's id, as given */
	bool			 adding;
	struct party		*parties;
	size_t			 n;
	const char		*sid;		/* of the created conversation */
	enum err		 err;		/* the first failure */
	struct session_result	*res;
	/*
	 * Every participant's attributes: how many the session was made
	 * with, so that one left half-made by a crash is recognised (reap.h).
	 */
	char			 marker[MARK_ATTRS_LEN];
	/*
	 * The conversation's UniqueName: the caller's, or one made up here,
	 * so that a create whose answer was lost (reset, timeout, 5xx after
	 * Twilio made it) can still be found and deleted.
	 */
	const char		*unique;
	char			 made_up[MARK_NAME_LEN];
	bool			 create_unknown;	/* made or not: not known */
	bool			 members_known;	/* adding: members_done() passed */
	time_t			 started;
};

/* Records the first failure; later ones only reach the log. */
static void
fail(struct session *s, enum err e, const struct twilio_call *call,
    const char *message)
{
	if (s->err != ERR_OK)
		return;
	s->err = e;
	if (call != NULL) {
		s->res->twilio_status = call->http.status;
		s->res->twilio_code = call->code;
	}
	snprintf(s->res->message, sizeof(s->res->message), "%s", message);
}

/*
 * Ranks party p's candidates (svc/pool) among others, the session's other
 * people; GEO_MATCH set rules over NUMBER_POOL_STRICT_GEO.
 */
static void
party_rank(struct party *p, const char *const *others, size_t nothers)
{
	const struct session_opts	*o = p->s->o;
	struct pool_policy		 pol = o->numbers;

	if (pol.geo == POOL_GEO_ANY && o->strict_geo)
		pol.geo = POOL_GEO_COUNTRY;
	p->norder = pool_rank_with(o->pool, p->address, &pol, others, nothers,
	    p->order);
}

/*
 * The other parties of party p, for sticky picks: the request's other
 * addresses and, adding to a session, the SMS participants it has (their
 * addresses borrowed from s->members). Returns how many, at most max.
 */
static size_t
party_others(const struct party *p, const char **out, size_t max)
{
	const struct session	*s = p->s;
	const char		*address, *proxy;
	size_t			 i, n = 0, k;

	for (i = 0; i < s->n && n < max; i++)
		if (&s->parties[i] != p)
			out[n++] = s->parties[i].address;
	if (!s->adding)
		return n;
	k = twilio_items_len(&s->members);
	for (i = 0; i < k && n < max; i++)
		if (conv_sms_binding(&s->members, i, &address, &proxy))
			out[n++] = address;
	return n;
}

/* Queues the add of party p with its next free candidate number. */
static void
add_next(struct party *p)
{
	struct session	*s = p->s;
	const char	*proxy = NULL;
	char		 masked[LOG_MASK_LEN];
	enum err	 e;

	if (s->err != ERR_OK)
		return;
	while (p->next < p->norder) {
		size_t i = p->order[p->next++];

		if (!p->used[i]) {
			p->used[i] = true;	/* tried: never again for this party */
			proxy = pool_number(s->o->pool, i);
			break;
		}
	}
	if (proxy == NULL) {
		snprintf(s->res->address, sizeof(s->res->address), "%s",
		    p->address);
		fail(s, ERR_POOL, NULL, "");
		snprintf(s->res->message, sizeof(s->res->message),
		    "Not enough numbers available in pool for %s", p->address);
		log_warn("pool exhausted for %s", log_mask(masked, p->address));
		return;
	}
	p->proxy = proxy;
	if ((e = conv_add_sms(&p->add, s->t, s->sid, p->address, proxy,
	    s->marker)) != ERR_OK) {
		fail(s, e, NULL, "cannot build the participant request");
		return;
	}
	twilio_submit(s->t, &p->add);
}

static void
add_done(struct twilio_call *call, void *arg)
{
	struct party	*p = arg;
	struct session	*s = p->s;
	char		 masked[LOG_MASK_LEN], mp[LOG_MASK_LEN];

	if (call->http.err == ERR_OK) {
		p->added = true;
		return;
	}
	if (call->http.err == ERR_TWILIO && call->code == 50416) {
		/* That pair is in another open conversation: next candidate. */
		log_debug("proxy %s taken for %s, trying the next",
		    log_mask(mp, p->proxy), log_mask(masked, p->address));
		add_next(p);
		return;
	}
	log_warn("adding participant %s failed: %s (HTTP %ld, code %ld)",
	    log_mask(masked, p->address), call->http.message, call->http.status,
	    call->code);
	fail(s, call->http.err, call, call->http.message);
}

/*
 * Starts the add of party p once all it needs is known: its look-up, the
 * conversation's SID and, when adding to a session, its participants.
 */
static void
party_ready(struct party *p)
{
	struct session *s = p->s;
	const char	*others[2 * SESSION_MAX_PARTIES];

	if (p->started || !p->looked_up || s->sid == NULL ||
	    (s->adding && !s->members_known))
		return;
	p->started = true;
	/* The people are all known now: the session's, and the request's. */
	if (s->o->numbers.pick != POOL_PICK_DEFAULT)
		party_rank(p, others, party_others(p, others,
		    sizeof(others) / sizeof(others[0])));
	add_next(p);
}

static void
start_adds(struct session *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		party_ready(&s->parties[i]);
}

static void
lookup_done(struct twilio_call *call, void *arg)
{
	struct party	*p = arg;
	struct session	*s = p->s;
	const char	*proxy;
	size_t		 i, n;
	long		 k;

	if (call->http.err != ERR_OK) {
		fail(s, call->http.err, call, call->http.message);
		return;
	}
	/* The numbers this address already talks through: not again. */
	n = twilio_items_len(call);
	for (i = 0; i < n; i++)
		if ((proxy = conv_open_proxy(call, i, NULL)) != NULL &&
		    (k = pool_index(s->o->pool, proxy)) >= 0)
			p->used[k] = true;
	p->looked_up = true;
	party_ready(p);
}

/*
 * Adding: the session's participants are known. It must have room for the
 * new ones, and none of them may be in it already.
 */
static void
members_done(struct twilio_call *call, void *arg)
{
	struct session	*s = arg;
	const char	*address, *proxy;
	size_t		 i, j, n;

	if (call->http.err != ERR_OK) {
		if (conv_gone(call)) {
			fail(s, ERR_NOTFOUND, NULL, "");
			snprintf(s->res->message, sizeof(s->res->message),
			    "no session %s", s->id);
			s->res->error = "session_not_found";
			s->res->status = 404;
		} else
			fail(s, call->http.err, call, call->http.message);
		return;
	}
	n = twilio_items_len(call);
	if (n + s->n > SESSION_MAX_PARTIES) {
		fail(s, ERR_INVAL, NULL, "");
		snprintf(s->res->message, sizeof(s->res->message), "the session "
		    "has %zu participants: %zu more would pass the limit of %d",
		    n, s->n, SESSION_MAX_PARTIES);
		s->res->error = "session_full";
		s->res->status = 409;
		return;
	}
	for (i = 0; i < n; i++) {
		if (!conv_sms_binding(call, i, &address, &proxy))
			continue;
		for (j = 0; j < s->n; j++)
			if (strcmp(address, s->parties[j].address) == 0) {
				fail(s, ERR_INVAL, NULL, "");
				snprintf(s->res->message,
				    sizeof(s->res->message), "%s is already "
				    "in the session", address);
				snprintf(s->res->address,
				    sizeof(s->res->address), "%s", address);
				s->res->error = "already_participant";
				s->res->status = 409;
				return;
			}
	}
	s->members_known = true;
	start_adds(s);
}

static void
create_done(struct twilio_call *call, void *arg)
{
	struct session	*s = arg;
	const char	*sid;

	if (s->adding && conv_gone(call))
		return;		/* members_done() says so */
	if (call->http.err != ERR_OK) {
		/* A 4xx is Twilio's "no"; anything else may have made it. */
		s->create_unknown = !call->http.unsent &&
		    (call->http.err != ERR_TWILIO || call->http.status >= 500);
		fail(s, call->http.err, call, call->http.message);
		return;
	}
	if ((sid = conv_sid(call)) == NULL) {
		/* Made, but which one is not known: look it up by its name. */
		s->create_unknown = true;
		fail(s, ERR_TRANSPORT, call, "Twilio's new conversation has no "
		    "valid sid");
		return;
	}
	s->sid = sid;
	snprintf(s->res->conversation_sid, sizeof(s->res->conversation_sid),
	    "%s", s->sid);
	start_adds(s);
}

/* Deletes the half-made conversation; one already gone is as good. */
static void
cleanup(struct session *s, long long deadline)
{
	struct twilio_call	 del;
	long long		 now = clock_now_ms();

	twilio_call_init(&del);
	if (conv_delete(&del, s->t, s->sid) == ERR_OK) {
		twilio_submit(s->t, &del);
		twilio_run(s->t, deadline > now + CLEANUP_GRACE_MS ? deadline :
		    now + CLEANUP_GRACE_MS);
	} else
		del.http.err = ERR_NOMEM;
	if (del.http.err != ERR_OK && !conv_gone(&del)) {
		s->res->cleanup_failed = 1;
		log_error("could not delete half-made conversation %s: %s",
		    s->sid, del.http.message);
	} else
		log_info("deleted half-made conversation %s", s->sid);
	twilio_call_free(&del);
}

/*
 * After a create whose outcome is unknown: fetches the conversation by its
 * unique name and deletes it if this request made it (a name the caller gave
 * may belong to an older conversation, which is left alone).
 */
static void
cleanup_unknown(struct session *s, long long deadline)
{
	struct twilio_call	 get;
	const char		*sid;
	long long		 created, now = clock_now_ms();

	if (deadline < now + CLEANUP_GRACE_MS)
		deadline = now + CLEANUP_GRACE_MS;
	twilio_call_init(&get);
	if (conv_fetch(&get, s->t, s->unique) != ERR_OK)
		goto out;
	twilio_submit(s->t, &get);
	twilio_run(s->t, deadline);
	if (conv_gone(&get)) {
		log_info("the failed create made no conversation");
		goto out;
	}
	if (get.http.err != ERR_OK || (sid = conv_sid(&get)) == NULL) {
		s->res->cleanup_failed = 1;
		log_error("cannot tell whether the failed create made a "
		    "conversation: %s", get.http.err != ERR_OK ?
		    get.http.message : "Twilio's answer has no valid sid");
		goto out;
	}
	s->sid = sid;
	snprintf(s->res->conversation_sid, sizeof(s->res->conversation_sid),
	    "%s", s->sid);
	/*
	 * Our own name is ours; the caller's only if it was made just now (a
	 * date that cannot be read is not proof of that: left alone).
	 */
	created = conv_created(&get);
	if (s->unique == s->made_up || (created >= 0 &&
	    created >= (long long)s->started - 5))
		cleanup(s, deadline);
	else
		log_warn("conversation %s already had the unique name: left alone",
		    s->sid);
	s->sid = NULL;
out:
	twilio_call_free(&get);
}

/* Adds §13's "call" of keep to out: the keys the session sets. */
static enum err
call_view(json_object *out, const struct sessattr *keep)
{
	json_object	*c;

	if ((c = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	if (keep->call_record != 0)
		json_object_object_add(c, "record",
		    json_object_new_boolean(keep->call_record == 2));
	if (keep->call_time_limit != 0)
		json_object_object_add(c, "timeLimit",
		    json_object_new_int64(keep->call_time_limit));
	if (keep->call_ring_timeout != 0)
		json_object_object_add(c, "ringTimeout",
		    json_object_new_int64(keep->call_ring_timeout));
	if (json_object_object_add(out, "call", c) != 0) {
		json_object_put(c);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

json_object *
session_view(json_object *conv)
{
	json_object		*out;
	struct sessattr		 keep;
	char			*mine = NULL, when[32];
	const char		*mode;

	if ((out = sessreq_camelize(conv)) == NULL)
		return NULL;
	if (sessattr_split(twilio_json_str(conv, "attributes"), &mine,
	    &keep) != ERR_OK)
		goto nomem;
	if (json_object_object_add(out, "attributes",
	    json_object_new_string(mine)) != 0)
		goto nomem;
	if (keep.ttl > 0)
		json_object_object_add(out, "ttl", json_object_new_int64(keep.ttl));
	if (keep.expiry > 0) {
		sessattr_time_format(keep.expiry, when);
		json_object_object_add(out, "dateExpiry",
		    json_object_new_string(when));
	}
	if ((mode = sessattr_mode_name(keep.mode)) != NULL)
		json_object_object_add(out, "mode", json_object_new_string(mode));
	if (sessattr_call_any(&keep) && call_view(out, &keep) != ERR_OK)
		goto nomem;
	free(mine);
	return out;
nomem:
	free(mine);
	json_object_put(out);
	return NULL;
}

/* The participants the request added: who got which number. */
static json_object *
added_list(struct session *s)
{
	json_object	*list, *o;
	const char	*sid;
	size_t		 i;

	if ((list = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < s->n; i++) {
		struct party *p = &s->parties[i];

		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(list, o) != 0) {
			json_object_put(o);
			json_object_put(list);
			return NULL;
		}
		/* null when Twilio's answer named none that is valid */
		sid = conv_added_sid(&p->add);
		json_object_object_add(o, "sid", sid != NULL ?
		    json_object_new_string(sid) : NULL);
		json_object_object_add(o, "address",
		    json_object_new_string(p->address));
		json_object_object_add(o, "proxyAddress",
		    json_object_new_string(p->proxy));
	}
	return list;
}

/*
 * The answer: creating, the session (session_view()) with who got which
 * number; adding, {"participants": [the new ones]}.
 */
static enum err
build_result(struct session *s)
{
	json_object	*out, *list;

	out = s->adding ? json_object_new_object() :
	    session_view(s->create.json);
	if (out == NULL)
		return ERR_NOMEM;
	if ((list = added_list(s)) == NULL ||
	    json_object_object_add(out, "participants", list) != 0) {
		json_object_put(list);
		json_object_put(out);
		return ERR_NOMEM;
	}
	s->res->conversation = out;
	return ERR_OK;
}

/*
 * Adding failed: removes again the participants this request added, so
 * that the session is as it was. One already gone is as good.
 */
static void
cleanup_added(struct session *s, long long deadline)
{
	struct twilio_call	*dels;
	const char		*sid;
	long long		 now = clock_now_ms();
	size_t			 i, n = 0;
	char			 masked[LOG_MASK_LEN];

	if ((dels = calloc(s->n, sizeof(*dels))) == NULL) {
		s->res->cleanup_failed = 1;
		return;
	}
	for (i = 0; i < s->n; i++) {
		twilio_call_init(&dels[i]);
		if (!s->parties[i].added)
			continue;
		n++;
		if ((sid = conv_added_sid(&s->parties[i].add)) ==
		    NULL || conv_participant_delete(&dels[i], s->t, s->sid,
		    sid) != ERR_OK) {
			dels[i].http.err = ERR_INVAL;
			continue;
		}
		twilio_submit(s->t, &dels[i]);
	}
	if (n > 0)
		twilio_run(s->t, deadline > now + CLEANUP_GRACE_MS ? deadline :
		    now + CLEANUP_GRACE_MS);
	for (i = 0; i < s->n; i++) {
		if (!s->parties[i].added)
			continue;
		if (dels[i].http.err == ERR_OK || conv_gone(&dels[i]))
			log_info("removed participant %s again from %s",
			    log_mask(masked, s->parties[i].address), s->sid);
		else {
			s->res->cleanup_failed = 1;
			log_error("could not remove participant %s again from "
			    "%s: %s", log_mask(masked, s->parties[i].address),
			    s->sid, dels[i].http.message);
		}
		twilio_call_free(&dels[i]);
	}
	free(dels);
}

/* Frees what s holds; the struct itself is the caller's. */
static void
session_free(struct session *s)
{
	size_t i;

	for (i = 0; s->parties != NULL && i < s->n; i++) {
		twilio_call_free(&s->parties[i].lookup);
		twilio_call_free(&s->parties[i].add);
		free(s->parties[i].order);
		free(s->parties[i].used);
	}
	free(s->parties);
	s->parties = NULL;
	twilio_call_free(&s->create);
	twilio_call_free(&s->members);
}

/*
 * GEO_MATCH (SPEC §13) leaves party p no number at all: refused as an
 * exhausted pool is, before Twilio is asked anything.
 */
static enum err
no_match(struct session *s, const struct party *p)
{
	char	 masked[LOG_MASK_LEN];

	snprintf(s->res->address, sizeof(s->res->address), "%s", p->address);
	snprintf(s->res->message, sizeof(s->res->message),
	    "Not enough numbers available in pool for %s", p->address);
	log_warn("no pool number matches %s (GEO_MATCH)",
	    log_mask(masked, p->address));
	return ERR_POOL;
}

/*
 * Sets s up for request r: the marker, and each party with its candidate
 * numbers ranked, best first. ERR_NOMEM, or ERR_POOL (res says for whom)
 * when GEO_MATCH leaves a party no number; s is to be freed either way.
 */
static enum err
prepare(struct session *s, struct twilio *t, const struct session_opts *o,
    const struct sessreq *r, struct session_result *res)
{
	size_t		 i, npool = pool_size(o->pool);
	enum err	 e;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->o = o;
	s->res = res;
	s->n = r->naddresses;
	s->adding = r->kind == SESSREQ_ADD;
	twilio_call_init(&s->create);
	twilio_call_init(&s->members);
	if ((e = mark_attributes(s->marker, sizeof(s->marker),
	    s->adding ? 0 : s->n)) != ERR_OK)
		return e;
	if ((s->parties = calloc(s->n, sizeof(*s->parties))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < s->n; i++) {
		struct party *p = &s->parties[i];

		p->s = s;
		p->address = r->addresses[i];
		twilio_call_init(&p->lookup);
		twilio_call_init(&p->add);
		if ((p->order = calloc(npool, sizeof(*p->order))) == NULL ||
		    (p->used = calloc(npool, sizeof(*p->used))) == NULL)
			return ERR_NOMEM;
		/*
		 * Sticky picks are ranked again once the session's people
		 * are known (party_ready()); what GEO_MATCH leaves does not
		 * depend on them, and is checked before anything is sent.
		 */
		party_rank(p, NULL, 0);
		if (p->norder == 0)
			return no_match(s, p);
	}
	return ERR_OK;
}

/*
 * The creation's request: the caller's properties, the caller's attributes
 * joined with what the service keeps (svc/sessattr), and the unique name.
 */
static enum err
submit_create(struct session *s, const struct sessreq *r)
{
	struct buf	 form;
	const char	*why = NULL;
	enum err	 e;

	if ((s->unique = r->unique_name) == NULL) {
		if ((e = mark_name(s->made_up, sizeof(s->made_up))) != ERR_OK)
			return e;
		s->unique = s->made_up;
	}
	buf_init(&form, TWILIO_FORM_MAX);
	if ((e = buf_append(&form, r->create_form.data, r->create_form.len)) !=
	    ERR_OK)
		goto out;
	if (r->attributes != NULL || sessattr_any(&r->keep)) {
		struct buf attrs;

		buf_init(&attrs, TWILIO_FORM_MAX);
		if ((e = sessattr_join(r->attributes, r->attributes != NULL ?
		    strlen(r->attributes) : 0, &r->keep, &attrs, &why)) ==
		    ERR_OK)
			e = form_add(&form, "Attributes", buf_str(&attrs));
		buf_free(&attrs);
		if (e == ERR_INVAL)
			snprintf(s->res->message, sizeof(s->res->message),
			    "%s", why != NULL ? why : "attributes cannot be kept");
		if (e != ERR_OK)
			goto out;
	}
	e = conv_create(&s->create, s->t, &form, s->unique);
out:
	buf_free(&form);
	return e;
}

/*
 * Round trip 1: the creation (or, adding, the session's fetch and its
 * participants) and every look-up, all at once; round trip 2
 * (the adds) starts from their callbacks, as each party is ready. Nothing
 * is submitted unless every request could be built.
 */
static enum err
submit(struct session *s, const struct sessreq *r)
{
	size_t		 i;
	enum err	 e;

	s->started = time(NULL);
	if (s->adding) {
		if ((e = conv_fetch(&s->create, s->t, s->id)) != ERR_OK ||
		    (e = conv_participants(&s->members, s->t, s->id)) != ERR_OK)
			return e;
		s->members.done = members_done;
		s->members.arg = s;
	} else if ((e = submit_create(s, r)) != ERR_OK)
		return e;
	s->create.done = create_done;
	s->create.arg = s;
	for (i = 0; i < s->n; i++) {
		struct party *p = &s->parties[i];

		if ((e = conv_of_address(&p->lookup, s->t, p->address)) != ERR_OK)
			return e;
		p->lookup.done = lookup_done;
		p->lookup.arg = p;
		p->add.done = add_done;
		p->add.arg = p;
	}
	twilio_submit(s->t, &s->create);
	if (s->adding)
		twilio_submit(s->t, &s->members);
	for (i = 0; i < s->n; i++)
		twilio_submit(s->t, &s->parties[i].lookup);
	return ERR_OK;
}

/*
 * After the run: the answer when every participant was added, else the
 * half-made conversation deleted. Returns the session's outcome.
 */
static enum err
finish(struct session *s, long long deadline)
{
	size_t i;

	if (s->err == ERR_OK) {
		for (i = 0; i < s->n; i++)
			if (!s->parties[i].added)
				fail(s, ERR_TRANSPORT, NULL,
				    "a participant was not added");
	}
	if (s->err == ERR_OK)
		s->err = build_result(s);
	if (s->err != ERR_OK && s->adding)
		cleanup_added(s, deadline);
	else if (s->err != ERR_OK && s->sid != NULL)
		cleanup(s, deadline);
	else if (s->err != ERR_OK && s->create_unknown)
		cleanup_unknown(s, deadline);
	return s->err;
}

/*
 * Creates (id NULL) or adds to session id the participants r names: both
 * in two round trips, the same way (prepare(), submit(), finish()).
 */
static enum err
run_session(struct twilio *t, const struct session_opts *o, const char *id,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	struct session	 s;
	enum err	 e;

	memset(res, 0, sizeof(*res));
	if ((e = prepare(&s, t, o, r, res)) != ERR_OK)
		goto out;
	s.id = id;
	if ((e = submit(&s, r)) != ERR_OK)
		goto out;
	twilio_run(t, deadline);
	e = finish(&s, deadline);
out:
	if (e != ERR_OK && res->message[0] == '\0')
		snprintf(res->message, sizeof(res->message), "%s", err_str(e));
	session_free(&s);
	return e;
}

enum err
session_create(struct twilio *t, const struct session_opts *o,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	return run_session(t, o, NULL, r, deadline, res);
}

enum err
session_add(struct twilio *t, const struct session_opts *o, const char *id,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	return run_session(t, o, id, r, deadline, res);
}

void
session_result_free(struct session_result *res)
{
	if (res == NULL)
		return;
	json_object_put(res->conversation);
	res->conversation = NULL;
}
