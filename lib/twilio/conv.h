/*
 * conv: the one module that knows Twilio's Conversations API: the requests
 * the service makes (their paths, queries, form fields and page sizes) and
 * the keys of the answers it reads.
 *
 * Each request function fills a call made with twilio_call_init() (its
 * method, URL, form and, for lists, page key) without submitting it: the
 * caller sets done/arg if it wants them, then twilio_submit() and
 * twilio_run(). Each returns ERR_OK, or ERR_NOMEM / ERR_TOOBIG when the
 * request cannot be built (the call is then not to be submitted).
 *
 * The readers take a finished call and never fail: what is missing, null
 * or of the wrong type in Twilio's answer reads as absent. What they return
 * is borrowed from the call, valid until it is resubmitted or freed.
 */
#ifndef CONV_H
#define CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "twilio/twilio.h"

/*
 * POST /v1/Conversations: the form fields of form (already encoded, the
 * caller's) and then UniqueName=unique_name.
 */
enum err	conv_create(struct twilio_call *c, const struct twilio *t,
		    const struct buf *form, const char *unique_name);
/*
 * Wherever a conversation is named by id, it is its SID or its unique name
 * (Twilio takes either in a path), escaped here.
 */
/* GET /v1/Conversations/{id}. */
enum err	conv_fetch(struct twilio_call *c, const struct twilio *t,
		    const char *id);
/* POST /v1/Conversations/{id}: the form fields of form (encoded, the caller's). */
enum err	conv_update(struct twilio_call *c, const struct twilio *t,
		    const char *id, const struct buf *form);
/* DELETE /v1/Conversations/{id}. */
enum err	conv_delete(struct twilio_call *c, const struct twilio *t,
		    const char *id);
/* The participants of conversation id, every page, 100 a page. */
enum err	conv_participants(struct twilio_call *c, const struct twilio *t,
		    const char *id);
/* GET and DELETE /v1/Conversations/{id}/Participants/{psid}. */
enum err	conv_participant_fetch(struct twilio_call *c,
		    const struct twilio *t, const char *id, const char *psid);
enum err	conv_participant_delete(struct twilio_call *c,
		    const struct twilio *t, const char *id, const char *psid);
/*
 * POST /v1/Conversations/{id}/Messages with the form fields of form, and
 * X-Twilio-Webhook-Enabled: true, so that the account's webhooks see the
 * message like any other.
 */
enum err	conv_message_create(struct twilio_call *c,
		    const struct twilio *t, const char *id,
		    const struct buf *form);

/*
 * Lists read one page at a time (c->one_page; the next in c->next_page):
 * a page of size items, the first (token NULL), or the one Twilio's Page
 * and PageToken name.
 */
struct conv_page {
	int		 size;		/* 1 to 100 */
	long		 page;
	const char	*token;		/* NULL: the first page */
};
/* The messages of conversation id, oldest first unless newest_first. */
enum err	conv_messages(struct twilio_call *c, const struct twilio *t,
		    const char *id, bool newest_first, const struct conv_page *p);
/* The account's conversations in state (NULL: all). */
enum err	conv_list(struct twilio_call *c, const struct twilio *t,
		    const char *state, const struct conv_page *p);
/* The conversations address takes part in (ParticipantConversations). */
enum err	conv_of_address_page(struct twilio_call *c,
		    const struct twilio *t, const char *address,
		    const struct conv_page *p);
/*
 * POST /v1/Conversations/{sid}/Participants: an SMS participant address
 * talking through proxy, with attributes (a JSON text) on it.
 */
enum err	conv_add_sms(struct twilio_call *c, const struct twilio *t,
		    const char *sid, const char *address, const char *proxy,
		    const char *attributes);
/* The conversations address takes part in (ParticipantConversations), 50 a page. */
enum err	conv_of_address(struct twilio_call *c, const struct twilio *t,
		    const char *address);
/*
 * The account's conversations created since the start (midnight, UTC) of
 * the day of since: Twilio filters by whole days. 100 a page.
 */
enum err	conv_list_since(struct twilio_call *c, const struct twilio *t,
		    time_t since);

/*
 * Whether a fetch or delete of a conversation failed because it does not
 * exist (Twilio's 404): already deleted, or never made.
 */
bool		conv_gone(const struct twilio_call *c);

/* The SID of the conversation a create or fetch answered with, if valid; else NULL. */
const char	*conv_sid(const struct twilio_call *c);
/* When the fetched or created conversation was made (epoch seconds), or -1. */
long long	 conv_created(const struct twilio_call *c);
/* The SID of the participant an add's answer names, if valid; else NULL. */
const char	*conv_added_sid(const struct twilio_call *add);
/* Item i of a conv_participants() list: its SID, if valid; else NULL. */
const char	*conv_participant_sid(const struct twilio_call *list, size_t i);

/*
 * Item i of a conv_of_address() list: the proxy number through which the
 * address talks in that conversation when the conversation is not closed,
 * else NULL. *sid (when sid is not NULL) is set to the conversation's SID
 * when it is valid, else NULL.
 */
const char	*conv_open_proxy(const struct twilio_call *list, size_t i,
		    const char **sid);

/* Item i of a conv_of_address() list: its conversation's attributes, or NULL. */
const char	*conv_of_address_attributes(const struct twilio_call *list,
		    size_t i);

/*
 * Item i of a conv_participants() list: true when it is an SMS participant
 * (a binding of type sms, or of no type, with both numbers), and then
 * *address and *proxy. Chat and other channels are false.
 */
bool		 conv_sms_binding(const struct twilio_call *list, size_t i,
		    const char **address, const char **proxy);
/* Item i of a conv_participants() list: its attributes (a JSON text), or NULL. */
const char	*conv_attributes(const struct twilio_call *list, size_t i);

/* Item i of a conv_list_since() list, as the reaper reads it. */
struct conv_summary {
	const char	*sid;		/* NULL unless a valid SID */
	const char	*unique_name;	/* NULL when none */
	long long	 created;	/* epoch seconds, -1 if unreadable */
	bool		 open;		/* a state is given, and not closed */
	const char	*attributes;	/* NULL when none */
};
void		 conv_summary(const struct twilio_call *list, size_t i,
		    struct conv_summary *out);

#endif
