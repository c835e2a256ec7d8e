#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "app/config.h"
#include "core/clock.h"
#include "core/form.h"
#include "core/log.h"
#include "svc/pool.h"
#include "svc/reap.h"
#include "svc/session.h"
#include "svc/sessreq.h"
#include "twilio/sid.h"
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
	bool			 adding;
	bool			 added;
	const char		*proxy;
};

struct session {
	struct twilio		*t;
	const struct config	*c;
	struct twilio_call	 create;
	struct party		*parties;
	size_t			 n;
	const char		*sid;		/* of the created conversation */
	enum err		 err;		/* the first failure */
	struct session_result	*res;
	/*
	 * Every participant's attributes: how many the session was made
	 * with, so that one left half-made by a crash is recognised (reap.h).
	 */
	char			 marker[64];
	/*
	 * The conversation's UniqueName: the caller's, or one made up here,
	 * so that a create whose answer was lost (reset, timeout, 5xx after
	 * Twilio made it) can still be found and deleted.
	 */
	const char		*unique;
	char			 made_up[48];
	bool			 create_unknown;	/* made or not: not known */
	time_t			 started;
};

/* SESSION_NAME_PREFIX and 128 random bits in hex. */
static enum err
made_up_name(char *out, size_t len)
{
	unsigned char	 rnd[16];
	size_t		 i, n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return ERR_SYS;
	n = (size_t)snprintf(out, len, "%s", SESSION_NAME_PREFIX);
	for (i = 0; i < sizeof(rnd) && n + 2 < len; i++, n += 2)
		snprintf(out + n, len - n, "%02x", rnd[i]);
	return ERR_OK;
}

/* Records the first failure; later ones only reach the log. */
static void
fail(struct session *s, enum err e, const struct twilio_call *call,
    const char *message)
{
	if (s->err != ERR_OK)
		return;
	s->err = e;
	if (call != NULL) {
		s->res->twilio_status = call->status;
		s->res->twilio_code = call->code;
	}
	snprintf(s->res->message, sizeof(s->res->message), "%s", message);
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
			proxy = pool_number(s->c->pool, i);
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
	buf_reset(&p->add.form);
	if ((e = twilio_call_url(&p->add, s->t, TWILIO_POST,
	    "conv:/v1/Conversations/%s/Participants", s->sid)) != ERR_OK ||
	    (e = form_add(&p->add.form, "MessagingBinding.Address",
	    p->address)) != ERR_OK ||
	    (e = form_add(&p->add.form, "MessagingBinding.ProxyAddress",
	    proxy)) != ERR_OK ||
	    (e = form_add(&p->add.form, "Attributes", s->marker)) != ERR_OK) {
		fail(s, e, NULL, "cannot build the participant request");
		return;
	}
	p->adding = true;
	twilio_submit(s->t, &p->add);
}

static void
add_done(struct twilio_call *call, void *arg)
{
	struct party	*p = arg;
	struct session	*s = p->s;
	char		 masked[LOG_MASK_LEN], mp[LOG_MASK_LEN];

	p->adding = false;
	if (call->err == ERR_OK) {
		p->added = true;
		return;
	}
	if (call->err == ERR_TWILIO && call->code == 50416) {
		/* That pair is in another open conversation: next candidate. */
		log_debug("proxy %s taken for %s, trying the next",
		    log_mask(mp, p->proxy), log_mask(masked, p->address));
		add_next(p);
		return;
	}
	log_warn("adding participant %s failed: %s (HTTP %ld, code %ld)",
	    log_mask(masked, p->address), call->message, call->status, call->code);
	fail(s, call->err, call, call->message);
}

static void
lookup_done(struct twilio_call *call, void *arg)
{
	struct party	*p = arg;
	struct session	*s = p->s;
	json_object	*item;
	const char	*state, *proxy;
	size_t		 i, n;
	long		 k;

	if (call->err != ERR_OK) {
		fail(s, call->err, call, call->message);
		return;
	}
	n = twilio_items_len(call);
	for (i = 0; i < n; i++) {
		item = twilio_item(call, i);
		if ((state = twilio_json_str(item, "conversation_state")) != NULL &&
		    strcmp(state, "closed") == 0)
			continue;
		proxy = twilio_json_str(twilio_json_obj(item,
		    "participant_messaging_binding"), "proxy_address");
		if (proxy != NULL && (k = pool_index(s->c->pool, proxy)) >= 0)
			p->used[k] = true;
	}
	p->looked_up = true;
	if (s->sid != NULL)
		add_next(p);
}

static void
create_done(struct twilio_call *call, void *arg)
{
	struct session	*s = arg;
	const char	*sid;
	size_t		 i;

	if (call->err != ERR_OK) {
		/* A 4xx is Twilio's "no"; anything else may have made it. */
		s->create_unknown = !call->unsent && (call->err != ERR_TWILIO ||
		    call->status >= 500);
		fail(s, call->err, call, call->message);
		return;
	}
	if (!sid_valid((sid = twilio_json_str(call->json, "sid")), "CH")) {
		/* Made, but which one is not known: look it up by its name. */
		s->create_unknown = true;
		fail(s, ERR_TRANSPORT, call, "Twilio's new conversation has no "
		    "valid sid");
		return;
	}
	s->sid = sid;
	snprintf(s->res->conversation_sid, sizeof(s->res->conversation_sid),
	    "%s", s->sid);
	for (i = 0; i < s->n; i++)
		if (s->parties[i].looked_up)
			add_next(&s->parties[i]);
}

/* Deletes the half-made conversation; 404 means it is already gone. */
static void
cleanup(struct session *s, long long deadline)
{
	struct twilio_call	 del;
	long long		 now = clock_now_ms();

	twilio_call_init(&del);
	if (twilio_call_url(&del, s->t, TWILIO_DELETE,
	    "conv:/v1/Conversations/%s", s->sid) == ERR_OK) {
		twilio_submit(s->t, &del);
		twilio_run(s->t, deadline > now + CLEANUP_GRACE_MS ? deadline :
		    now + CLEANUP_GRACE_MS);
	} else
		del.err = ERR_NOMEM;
	if (del.err != ERR_OK && del.status != 404) {
		s->res->cleanup_failed = 1;
		log_error("could not delete half-made conversation %s: %s",
		    s->sid, del.message);
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
	struct buf		 esc;
	const char		*sid;
	long long		 created, now = clock_now_ms();

	if (deadline < now + CLEANUP_GRACE_MS)
		deadline = now + CLEANUP_GRACE_MS;
	twilio_call_init(&get);
	buf_init(&esc, 1024);
	if (form_escape(&esc, s->unique) != ERR_OK ||
	    twilio_call_url(&get, s->t, TWILIO_GET, "conv:/v1/Conversations/%s",
	    buf_str(&esc)) != ERR_OK)
		goto out;
	twilio_submit(s->t, &get);
	twilio_run(s->t, deadline);
	if (get.err == ERR_TWILIO && get.status == 404) {
		log_info("the failed create made no conversation");
		goto out;
	}
	if (get.err != ERR_OK ||
	    !sid_valid((sid = twilio_json_str(get.json, "sid")), "CH")) {
		s->res->cleanup_failed = 1;
		log_error("cannot tell whether the failed create made a "
		    "conversation: %s", get.err != ERR_OK ? get.message :
		    "Twilio's answer has no valid sid");
		goto out;
	}
	s->sid = sid;
	snprintf(s->res->conversation_sid, sizeof(s->res->conversation_sid),
	    "%s", s->sid);
	/*
	 * Our own name is ours; the caller's only if it was made just now (a
	 * date that cannot be read is not proof of that: left alone).
	 */
	created = twilio_json_time(get.json, "date_created");
	if (s->unique == s->made_up || (created >= 0 &&
	    created >= (long long)s->started - 5))
		cleanup(s, deadline);
	else
		log_warn("conversation %s already had the unique name: left alone",
		    s->sid);
	s->sid = NULL;
out:
	twilio_call_free(&get);
	buf_free(&esc);
}

/* The answer: the conversation in camelCase plus who got which number. */
static enum err
build_result(struct session *s)
{
	json_object	*conv, *list, *o;
	json_object	*sid;
	size_t		 i;

	if ((conv = sessreq_camelize(s->create.json)) == NULL)
		return ERR_NOMEM;
	if ((list = json_object_new_array()) == NULL)
		goto nomem;
	json_object_object_add(conv, "participants", list);
	for (i = 0; i < s->n; i++) {
		struct party *p = &s->parties[i];

		if ((o = json_object_new_object()) == NULL ||
		    json_object_array_add(list, o) != 0) {
			json_object_put(o);
			goto nomem;
		}
		if (json_object_object_get_ex(p->add.json, "sid", &sid))
			json_object_object_add(o, "sid", json_object_get(sid));
		json_object_object_add(o, "address",
		    json_object_new_string(p->address));
		json_object_object_add(o, "proxyAddress",
		    json_object_new_string(p->proxy));
	}
	s->res->conversation = conv;
	return ERR_OK;
nomem:
	json_object_put(conv);
	return ERR_NOMEM;
}

enum err
session_create(struct twilio *t, const struct config *c,
    const struct sessreq *r, long long deadline, struct session_result *res)
{
	struct session	 s;
	struct buf	 esc;
	size_t		 i, npool = pool_size(c->pool);
	enum err	 e;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.t = t;
	s.c = c;
	s.res = res;
	s.n = r->naddresses;
	snprintf(s.marker, sizeof(s.marker), "{\"" REAP_MARKER "\":{\"parties\":%zu}}",
	    s.n);
	buf_init(&esc, 64);
	twilio_call_init(&s.create);
	if ((s.parties = calloc(s.n, sizeof(*s.parties))) == NULL) {
		e = ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct party *p = &s.parties[i];

		p->s = &s;
		p->address = r->addresses[i];
		twilio_call_init(&p->lookup);
		twilio_call_init(&p->add);
		if ((p->order = calloc(npool, sizeof(*p->order))) == NULL ||
		    (p->used = calloc(npool, sizeof(*p->used))) == NULL) {
			e = ERR_NOMEM;
			goto out;
		}
		p->norder = pool_rank(c->pool, p->address, c->pool_strict_geo,
		    p->order);
	}

	/* Round trip 1: the creation and every look-up, all at once. */
	s.started = time(NULL);
	if ((s.unique = r->unique_name) == NULL) {
		if ((e = made_up_name(s.made_up, sizeof(s.made_up))) != ERR_OK)
			goto out;
		s.unique = s.made_up;
	}
	if ((e = twilio_call_url(&s.create, t, TWILIO_POST,
	    "conv:/v1/Conversations")) != ERR_OK ||
	    (e = buf_append(&s.create.form, r->create_form.data,
	    r->create_form.len)) != ERR_OK ||
	    (e = form_add(&s.create.form, "UniqueName", s.unique)) != ERR_OK)
		goto out;
	s.create.done = create_done;
	s.create.arg = &s;
	for (i = 0; i < s.n; i++) {
		struct party *p = &s.parties[i];

		buf_reset(&esc);
		if ((e = form_escape(&esc, p->address)) != ERR_OK ||
		    (e = twilio_call_url(&p->lookup, t, TWILIO_GET,
		    "conv:/v1/ParticipantConversations?Address=%s&PageSize=50",
		    buf_str(&esc))) != ERR_OK)
			goto out;
		p->lookup.page_key = "conversations";
		p->lookup.done = lookup_done;
		p->lookup.arg = p;
		p->add.done = add_done;
		p->add.arg = p;
	}
	/* Submitted only once all are built, so an error above leaves none queued. */
	twilio_submit(t, &s.create);
	for (i = 0; i < s.n; i++)
		twilio_submit(t, &s.parties[i].lookup);
	/* Round trip 2 starts from the callbacks, as each party is ready. */
	twilio_run(t, deadline);

	if (s.err == ERR_OK) {
		for (i = 0; i < s.n; i++)
			if (!s.parties[i].added)
				fail(&s, ERR_TRANSPORT, NULL,
				    "a participant was not added");
	}
	if (s.err == ERR_OK)
		s.err = build_result(&s);
	if (s.err != ERR_OK && s.sid != NULL)
		cleanup(&s, deadline);
	else if (s.err != ERR_OK && s.create_unknown)
		cleanup_unknown(&s, deadline);
	e = s.err;
out:
	if (e != ERR_OK && res->message[0] == '\0')
		snprintf(res->message, sizeof(res->message), "%s", err_str(e));
	for (i = 0; s.parties != NULL && i < s.n; i++) {
		twilio_call_free(&s.parties[i].lookup);
		twilio_call_free(&s.parties[i].add);
		free(s.parties[i].order);
		free(s.parties[i].used);
	}
	free(s.parties);
	twilio_call_free(&s.create);
	buf_free(&esc);
	return e;
}

void
session_result_free(struct session_result *res)
{
	if (res == NULL)
		return;
	json_object_put(res->conversation);
	res->conversation = NULL;
}
