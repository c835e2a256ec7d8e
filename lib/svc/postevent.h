/*
 * postevent: the Conversations post-event webhook (SPEC §6): a conversation
 * that closed is deleted, so that its proxy numbers are free again.
 */
#ifndef POSTEVENT_H
#define POSTEVENT_H

#include <stddef.h>

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

#endif
