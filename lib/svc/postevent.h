/*
 * postevent: the Conversations post-event webhook (SPEC §6): a conversation
 * that closed is deleted, so that its proxy numbers are free again.
 */
#ifndef POSTEVENT_H
#define POSTEVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct callback;
struct form;
struct twilio;

enum postevent_outcome {
	POSTEVENT_IGNORED,	/* not a closing event: "not processed" */
	POSTEVENT_DELETED,
	POSTEVENT_GONE,		/* Twilio said 404: deleted before */
	POSTEVENT_FAILED,	/* Twilio should retry the webhook */
	POSTEVENT_BAD_SID,	/* a closing event without a valid ConversationSid */
};

/*
 * Handles the decoded webhook form f: a closing event deletes its
 * conversation through t, by deadline (monotonic ms). *sid is set to the
 * conversation's SID (borrowed from f, valid as long as f, NULL when
 * absent) and, on POSTEVENT_FAILED, reason (reasonlen bytes) to why, on
 * one line.
 */
enum postevent_outcome postevent_handle(struct twilio *t, const struct form *f,
		    long long deadline, const char **sid, char *reason,
		    size_t reasonlen);

/*
 * Tells the operator (SPEC §12) what the webhook form f, handled with
 * outcome out, was about: onMessageAdded is message.added; a closing
 * event is session.closed, then session.deleted when the conversation
 * is gone (deleted now, or before: Twilio delivering the webhook again
 * after a failed delivery gets the events again, with the same ids). All
 * of them within one CALLBACK_TIMEOUT_MS, by deadline at the latest.
 * *sent says whether there was an event to send. Returns ERR_OK when
 * every event was delivered (or there was none, or cb sends none), else
 * callback_send()'s error: the webhook should then fail so that Twilio
 * delivers it again. cb (may be NULL) and f are borrowed.
 */
enum err	postevent_notify(struct callback *cb, const struct form *f,
		    enum postevent_outcome out, long long deadline, bool *sent);

#endif
