#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include "core/e164.h"
#include "core/log.h"
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
 */
static bool
takes_calls(const struct twilio_call *list, size_t i)
{
	struct sessattr	 keep;
	char		*mine = NULL;

	if (sessattr_split(conv_of_address_attributes(list, i), &mine,
	    &keep) != ERR_OK)
		return true;	/* out of memory: not a reason to turn a call away */
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
find_conversation(const struct twilio_call *list, const char *called)
{
	const char	*proxy, *sid;
	size_t		 i, n = twilio_items_len(list);

	for (i = 0; i < n; i++)
		if ((proxy = conv_open_proxy(list, i, &sid)) != NULL &&
		    strcmp(proxy, called) == 0 && sid != NULL)
			return takes_calls(list, i) ? sid : NULL;
	return NULL;
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
    const char *name, long long deadline)
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
		    callees[i].proxy, doc)) != ERR_OK)
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
    struct inbound_call *info)
{
	struct timeval	 tv;
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
	if ((sid = find_conversation(convs, called)) == NULL)
		return INBOUND_NO_SESSION;
	snprintf(info->session_sid, sizeof(info->session_sid), "%s", sid);
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
	if (call_out(t, callees, n, name, deadline) > 0) {
		call_info(info, callees, n, name);
		return INBOUND_CONFERENCE;
	}
	log_error("no callee of %s could be called", sid);
	return INBOUND_APOLOGY;
}

/* The TwiML of outcome out: allocated, or NULL when memory ran out. */
static char *
answer(const struct inbound_opts *o, enum inbound_outcome out,
    const struct callee *callee, const char *name)
{
	struct twiml tw;

	twiml_init(&tw);
	switch (out) {
	case INBOUND_NO_SESSION:
		say(&tw, o, o->out_of_session_message);
		break;
	case INBOUND_DIAL:
		say(&tw, o, o->connecting_message);
		twiml_open(&tw, "Dial", "callerId", callee->proxy, (char *)NULL);
		twiml_elem(&tw, "Number", callee->address, (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_CONFERENCE:
		say(&tw, o, o->connecting_message);
		twiml_open(&tw, "Dial", (char *)NULL);
		twiml_elem(&tw, "Conference", name, "endConferenceOnExit", "true",
		    (char *)NULL);
		twiml_close(&tw);
		break;
	case INBOUND_APOLOGY:
		say(&tw, o, o->apology_message);
		break;
	}
	return twiml_finish(&tw, NULL);
}

enum inbound_outcome
inbound_route(struct twilio *t, const struct inbound_opts *o, const char *from,
    const char *called, long long deadline, char **twiml)
{
	struct inbound_call info;

	return inbound_route_call(t, o, from, called, deadline, twiml, &info);
}

enum inbound_outcome
inbound_route_call(struct twilio *t, const struct inbound_opts *o,
    const char *from, const char *called, long long deadline, char **twiml,
    struct inbound_call *info)
{
	struct twilio_call	 convs, parts;
	struct callee		 callees[MAX_CALLEES];
	char			 name[64];
	enum inbound_outcome	 out;

	twilio_call_init(&convs);
	twilio_call_init(&parts);
	name[0] = '\0';
	memset(info, 0, sizeof(*info));
	out = route(t, &convs, &parts, from, called, deadline, callees, name,
	    sizeof(name), info);
	*twiml = answer(o, out, &callees[0], name);
	twilio_call_free(&convs);
	twilio_call_free(&parts);
	return out;
}
