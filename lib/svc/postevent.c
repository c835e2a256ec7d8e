#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/form.h"
#include "svc/postevent.h"
#include "twilio/conv.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

/* Whether the event says the conversation is now closed. */
static bool
is_closing(const struct form *f)
{
	const char *type = form_get(f, "EventType"), *v;

	if (type == NULL)
		return false;
	if (strcmp(type, "onConversationUpdated") == 0)
		return (v = form_get(f, "State")) != NULL && strcmp(v, "closed") == 0;
	if (strcmp(type, "onConversationStateUpdated") == 0)
		return (v = form_get(f, "StateTo")) != NULL &&
		    strcmp(v, "closed") == 0;
	return false;
}

enum postevent_outcome
postevent_handle(struct twilio *t, const struct form *f, long long deadline,
    const char **sid, char *reason, size_t reasonlen)
{
	struct twilio_call	 del;
	enum postevent_outcome	 out;

	*sid = form_get(f, "ConversationSid");
	reason[0] = '\0';
	if (!is_closing(f))
		return POSTEVENT_IGNORED;
	if (!sid_valid(*sid, "CH"))
		return POSTEVENT_BAD_SID;
	twilio_call_init(&del);
	if (conv_delete(&del, t, *sid) != ERR_OK) {
		snprintf(reason, reasonlen, "out of memory");
		twilio_call_free(&del);
		return POSTEVENT_FAILED;
	}
	twilio_submit(t, &del);
	twilio_run(t, deadline);
	if (del.http.err == ERR_OK)
		out = POSTEVENT_DELETED;
	else if (conv_gone(&del))
		out = POSTEVENT_GONE;
	else {
		char *p;

		out = POSTEVENT_FAILED;
		snprintf(reason, reasonlen, "%s", del.http.message);
		/* Twilio's words, on one line of the answer. */
		for (p = reason; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = ' ';
	}
	twilio_call_free(&del);
	return out;
}
