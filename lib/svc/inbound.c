#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/e164.h"
#include "core/log.h"
#include "core/utf8.h"
#include "svc/callback.h"
#include "svc/inbound.h"
#include "svc/sessattr.h"
#include "twilio/calls.h"
#include "twilio/conv.h"
#include "twilio/twilio.h"
#include "web/twiml.h"

#define MAX_CALLEES	49

struct callee {
	const char	*address;	/* borrowed from the participants list */
	const char	*proxy;
};

/* Adds the <Say> of text, with voice and language only when configured. */
static void
say(struct twiml *t, const struct inbound_opts *o, const char *text)
{
	twiml_elem(t, "Say", text, "voice", o->voice, "language", o->language,
	    (char *)NULL);
}

char *
inbound_say(const struct inbound_opts *o, const char *text)
{
	struct twiml t;

	twiml_init(&t);
	say(&t, o, text);
	return twiml_finish(&t, NULL);
}

/* Runs one list call to the end; its outcome is in c. */
static void
run_one(struct twilio *t, struct twilio_call *c, long long deadline)
{
	twilio_submit(t, c);
	twilio_run(t, deadline);
}

/*
 * Whether the session of item i of a ParticipantConversations list takes
 * calls (SPEC §10): not a message-only one, and not past its dateExpiry.
 * What the service keeps for the session (its "call" among it) is copied
 * into *kept either way (left as it was when memory ran out).
 */
static bool
takes_calls(const struct twilio_call *list, size_t i, struct sessattr *kept)
{
	struct sessattr	 keep;
	char		*mine = NULL;

	if (sessattr_split(conv_of_address_attributes(list, i), &mine,
	    &keep) != ERR_OK)
		return true;	/* out of memory: not a reason to turn a call away */
	*kept = keep;
	free(mine);
	if (keep.mode == SESSATTR_MODE_MESSAGE) {
		log_info("the session is message-only: the call is out of session");
		return false;
	}
	if (keep.expiry > 0 && keep.expiry <= (long long)time(NULL)) {
		log_info("the session expired: the call is out of session");
		return false;
	}
	return true;
}

/*
 * The open conversation in which from talks through proxy number called,
 * if its session takes calls.
 */
static const char *
find_conversation(const struct twilio_call *list, const char *called,
    struct sessattr *kept)
{
	const char	*proxy, *sid;
	size_t		 i, n = twilio_items_len(list);

	for (i = 0; i < n; i++)
		if ((proxy = conv_open_proxy(list, i, &sid)) != NULL &&
		    strcmp(proxy, called) == 0 && sid != NULL)
			return takes_calls(list, i, kept) ? sid : NULL;
	return NULL;
}

/*
 * The call policy of a session (SPEC §13): o's CALL_* settings, each
 * replaced by the session's own "call" key when it sets one.
 */
static void
call_policy(const struct inbound_opts *o, const struct sessattr *kept,
    struct inbound_policy *pol)
{
	*pol = o->call;
	if (kept == NULL)
		return;
	if (kept->call_record != 0)
		pol->record = kept->call_record;
	if (kept->call_time_limit != 0)
		pol->time_limit = kept->call_time_limit;
	if (kept->call_ring_timeout != 0)
		pol->ring_timeout = kept->call_ring_timeout;
}

/* A number of seconds as an attribute value: NULL (left out) when 0. */
static const char *
seconds(char *buf, size_t len, long n)
{
	if (n <= 0)
		return NULL;
	snprintf(buf, len, "%ld", n);
	return buf;
}

/*
 * The SMS participants other than the caller whose numbers can be dialled.
 * WhatsApp and other channels ("whatsapp:+1...") and chat participants (an
 * identity, no binding) cannot be.
 */
static size_t
find_callees(const struct twilio_call *list, const char *from,
    struct callee *out)
{
	const char	*address, *proxy;
	size_t		 i, n = twilio_items_len(list), k = 0;

	for (i = 0; i < n && k < MAX_CALLEES; i++) {
		if (!conv_sms_binding(list, i, &address, &proxy) ||
		    strcmp(address, from) == 0 || !e164_valid(address) ||
		    !e164_valid(proxy))
			continue;
		out[k].address = address;
		out[k].proxy = proxy;
		k++;
	}
	return k;
}

static void
call_done(struct twilio_call *call, void *arg)
{
	(void)arg;
	if (call->http.err != ERR_OK)
		log_warn("outbound call to the conference failed: %s "
		    "(HTTP %ld, code %ld)", call->http.message, call->http.status,
		    call->code);
}

/* The TwiML that puts a callee into conference name: allocated, or NULL. */
static char *
conference_twiml(const char *name)
{
	struct twiml tw;

	twiml_init(&tw);
	twiml_open(&tw, "Dial", (char *)NULL);
	twiml_elem(&tw, "Conference", name, (char *)NULL);
	return twiml_finish(&tw, NULL);
}

/*
 * Calls every callee into conference name at once; returns how many calls
 * Twilio accepted (none if any could not be built).
 */
static size_t
call_out(struct twilio *t, const struct callee *callees, size_t n,
    const char *name, const struct inbound_policy *pol, long long deadline)
{
	struct twilio_call	 calls[MAX_CALLEES];
	char			*doc;
	size_t			 i, ok = 0;
	enum err		 e;

	for (i = 0; i < n; i++)
		twilio_call_init(&calls[i]);
	if ((doc = conference_twiml(name)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		calls[i].done = call_done;
		if ((e = calls_create(&calls[i], t, callees[i].address,
		    callees[i].proxy, doc)) != ERR_OK ||
		    (e = calls_limits(&calls[i], pol->time_limit,
		    pol->ring_timeout)) != ERR_OK)
			goto out;
	}
	for (i = 0; i < n; i++)
		twilio_submit(t, &calls[i]);
	twilio_run(t, deadline);
	for (i = 0; i < n; i++)
		if (calls[i].http.err == ERR_OK)
			ok++;
out:
	for (i = 0; i < n; i++)
		twilio_call_free(&calls[i]);
	free(doc);
	return ok;
}

/* Copies the n callees and the conference name (NULL: none) into info. */
static void
call_info(struct inbound_call *info, const struct callee *callees, size_t n,
    const char *name)
{
	size_t i;

	for (i = 0; i < n && i < INBOUND_MAX_CALLEES; i++) {
		snprintf(info->callees[i].address,
		    sizeof(info->callees[i].address), "%s", callees[i].address);
		snprintf(info->callees[i].proxy, sizeof(info->callees[i].proxy),
		    "%s", callees[i].proxy);
	}
	info->ncallees = i;
	if (name != NULL)
		snprintf(info->conference, sizeof(info->conference), "%s", name);
}

/*
 * Where the call from `from` to `called` goes: looks up from's open
 * conversation through called (convs) and its participants (parts, from
 * which callees borrow), and calls several callees into conference name.
 */
static enum inbound_outcome
route(struct twilio *t, struct twilio_call *convs, struct twilio_call *parts,
    const char *from, const char *called, long long deadline,
    struct callee *callees, char *name, size_t namelen,
    const struct inbound_opts *o, struct inbound_policy *pol,
    struct inbound_call *info)
{
	struct timeval	 tv;
	struct sessattr	 kept;
	char		 mf[LOG_MASK_LEN];
	const char	*sid;
	size_t		 n;

	if (from == NULL || called == NULL || !e164_valid(from) ||
	    !e164_valid(called)) {
		log_info("call without a valid From or Called: no session");
		return INBOUND_NO_SESSION;
	}
	if (conv_of_address(convs, t, from) != ERR_OK)
		return INBOUND_APOLOGY;
	run_one(t, convs, deadline);
	if (convs->http.err != ERR_OK) {
		log_error("looking up the conversations of %s failed: %s",
		    log_mask(mf, from), convs->http.message);
		return INBOUND_APOLOGY;
	}
	memset(&kept, 0, sizeof(kept));
	if ((sid = find_conversation(convs, called, &kept)) == NULL)
		return INBOUND_NO_SESSION;
	snprintf(info->session_sid, sizeof(info->session_sid), "%s", sid);
	/* The session's own call policy rode in with its attributes. */
	call_policy(o, &kept, pol);
	if (conv_participants(parts, t, sid) != ERR_OK)
		return INBOUND_APOLOGY;
	run_one(t, parts, deadline);
	if (parts->http.err != ERR_OK) {
		log_error("listing the participants of %s failed: %s", sid,
		    parts->http.message);
		return INBOUND_APOLOGY;
	}
	if ((n = find_callees(parts, from, callees)) <= 1) {
		if (n == 1)
			call_info(info, callees, 1, NULL);
		return n == 0 ? INBOUND_NO_SESSION : INBOUND_DIAL;
	}
	gettimeofday(&tv, NULL);
	snprintf(name, namelen, "%s_at_%lld", from,
	    (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	if (call_out(t, callees, n, name, pol, deadline) > 0) {
		call_info(info, callees, n, name);
		return INBOUND_CONFERENCE;
	}
	log_error("no callee of %s could be called", sid);
	return INBOUND_APOLOGY;
}

/*
 * Opens <Dial> with callerId (NULL: none) and pol's attributes: record
 * (one-to-one only: a conference records itself), timeLimit, timeout.
 */
static void
dial_open(struct twiml *tw, const char *caller_id,
    const struct inbound_policy *pol, bool one_to_one)
{
	char	 limit[24], ring[24];

	twiml_open(tw, "Dial", "callerId", caller_id,
	    "record", one_to_one && pol->record == 2 ?
	    "record-from-answer-dual" : NULL,
	    "timeLimit", seconds(limit, sizeof(limit), pol->time_limit),
	    "timeout", one_to_one ? seconds(ring, sizeof(ring),
	    pol->ring_timeout) : NULL, (char *)NULL);
}

/*
 * Out of session (SPEC §13): the message, then, with
 * OUT_OF_SESSION_FORWARD_NUMBER, the caller put through to that main line
 * with the pool number they dialled as caller ID (so the main line sees
 * which proxy number was called), under the CALL_* policy. Never when the
 * main line is the caller itself.
 *
 * With OUT_OF_SESSION_CALLBACK_URL the operator's TwiML replaces this
 * document (operator_twiml()); this one is the fallback.
 */
static void
out_of_session(struct twiml *tw, const struct inbound_opts *o,
    const char *from, const char *called)
{
	say(tw, o, o->out_of_session_message);
	if (o->forward_number == NULL ||
	    (from != NULL && strcmp(from, o->forward_number) == 0))
		return;
	dial_open(tw, called != NULL && e164_valid(called) ? called : NULL,
	    &o->call, true);
	twiml_elem(tw, "Number", o->forward_number, (char *)NULL);
	twiml_close(tw);
}

/* The TwiML of outcome out: allocated, or NULL when memory ran out. */
static char *
answer(const struct inbound_opts *o, enum inbound_outcome out,
    const struct callee *callee, const char *name,
    const struct inbound_policy *pol, const char *from, const char *called)
{
	struct twiml tw;

	twiml_init(&tw);
	switch (out) {
	case INBOUND_NO_SESSION:
		out_of_session(&tw, o, from, called);
		break;
	case INBOUND_DIAL:
		say(&tw, o, o->connecting_message);
		dial_open(&tw, callee->proxy, pol, true);
		twiml_elem(&tw, "Number", callee->address, (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_CONFERENCE:
		say(&tw, o, o->connecting_message);
		dial_open(&tw, NULL, pol, false);
		twiml_elem(&tw, "Conference", name, "endConferenceOnExit", "true",
		    "record", pol->record == 2 ? "record-from-start" : NULL,
		    (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_APOLOGY:
		say(&tw, o, o->apology_message);
		break;
	}
	return twiml_finish(&tw, NULL);
}

/*
 * Whether text (len bytes) is a whole TwiML document: valid UTF-8 without
 * NUL, an optional XML declaration, then <Response ...> ... </Response>,
 * blanks around. Twilio judges the rest; this keeps an error page or a
 * cut answer from reaching a caller as "an application error".
 */
static bool
twiml_whole(const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *decl;

	if (!utf8_valid(text, len))
		return false;
	while (p < end && strchr(" \t\r\n", *p) != NULL)
		p++;
	while (end > p && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	if ((size_t)(end - p) > 5 && strncmp(p, "<?xml", 5) == 0) {
		if ((decl = memmem(p, (size_t)(end - p), "?>", 2)) == NULL)
			return false;
		for (p = decl + 2; p < end && strchr(" \t\r\n", *p) != NULL;)
			p++;
	}
	return (size_t)(end - p) >= 21 && strncmp(p, "<Response", 9) == 0 &&
	    (p[9] == '>' || p[9] == ' ' || p[9] == '/') &&
	    memcmp(end - 11, "</Response>", 11) == 0;
}

/*
 * Out of session with OUT_OF_SESSION_CALLBACK_URL: the operator's TwiML
 * for the call (allocated), or NULL (then the fallback), said in the log.
 */
static char *
operator_twiml(struct callback *cb, const struct inbound_opts *o,
    const char *from, const char *called, const char *call_sid,
    long long deadline)
{
	json_object	*q;
	struct buf	 answer;
	const char	*body;
	char		 why[200], mf[LOG_MASK_LEN], *doc = NULL;
	long		 status = 0;
	long long	 until = clock_now_ms() + callback_budget_ms(cb);

	if ((q = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(q, "type",
	    json_object_new_string("call.out_of_session"));
	json_object_object_add(q, "callSid", call_sid != NULL ?
	    json_object_new_string(call_sid) : NULL);
	json_object_object_add(q, "caller", from != NULL ?
	    json_object_new_string(from) : NULL);
	json_object_object_add(q, "called", called != NULL ?
	    json_object_new_string(called) : NULL);
	body = json_object_to_json_string_ext(q, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	buf_init(&answer, INBOUND_TWIML_MAX);
	why[0] = '\0';
	if (body == NULL)
		goto done;
	if (callback_ask(cb, o->oos_callback_url, body, strlen(body),
	    until < deadline ? until : deadline, &status, &answer, why,
	    sizeof(why)) != ERR_OK)
		;	/* why says */
	else if (status < 200 || status > 299)
		snprintf(why, sizeof(why), "answered HTTP %ld", status);
	else if (!twiml_whole(buf_str(&answer), answer.len))
		snprintf(why, sizeof(why), "answered what is not a whole "
		    "TwiML document");
	else if ((doc = strdup(buf_str(&answer))) == NULL)
		snprintf(why, sizeof(why), "out of memory");
	if (doc == NULL)
		log_warn("out-of-session call from %s: the operator's TwiML "
		    "callback failed (%s): the out-of-session message answers",
		    log_mask(mf, from), why[0] != '\0' ? why : "no answer");
done:
	buf_free(&answer);
	json_object_put(q);
	return doc;
}

enum inbound_outcome
inbound_route(struct twilio *t, const struct inbound_opts *o, const char *from,
    const char *called, long long deadline, char **twiml)
{
	struct inbound_call info;

	return inbound_route_call(t, NULL, o, from, called, NULL, deadline,
	    twiml, &info);
}

enum inbound_outcome
inbound_route_call(struct twilio *t, struct callback *cb,
    const struct inbound_opts *o, const char *from, const char *called,
    const char *call_sid, long long deadline, char **twiml,
    struct inbound_call *info)
{
	struct twilio_call	 convs, parts;
	struct callee		 callees[MAX_CALLEES];
	struct inbound_policy	 pol = o->call;
	char			 name[64];
	enum inbound_outcome	 out;

	twilio_call_init(&convs);
	twilio_call_init(&parts);
	name[0] = '\0';
	memset(info, 0, sizeof(*info));
	out = route(t, &convs, &parts, from, called, deadline, callees, name,
	    sizeof(name), o, &pol, info);
	*twiml = NULL;
	if (out == INBOUND_NO_SESSION && cb != NULL &&
	    o->oos_callback_url != NULL)
		*twiml = operator_twiml(cb, o, from, called, call_sid, deadline);
	info->operator_twiml = *twiml != NULL;
	if (*twiml == NULL)
		*twiml = answer(o, out, &callees[0], name, &pol, from, called);
	twilio_call_free(&convs);
	twilio_call_free(&parts);
	return out;
}
