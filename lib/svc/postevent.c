#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/form.h"
#include "svc/callback.h"
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

/* Adds f's field name to o as key, when f has it. */
static void
add_field(json_object *o, const char *key, const struct form *f,
    const char *name)
{
	const char *v = form_get(f, name);

	if (v != NULL)
		json_object_object_add(o, key, json_object_new_string(v));
}

/* The data of message.added: the message as Twilio described it. */
static json_object *
message_data(const struct form *f)
{
	json_object	*d;
	const char	*index = form_get(f, "Index");
	char		*end;
	long long	 n;

	if ((d = json_object_new_object()) == NULL)
		return NULL;
	add_field(d, "messageSid", f, "MessageSid");
	if (index != NULL && index[0] >= '0' && index[0] <= '9' &&
	    (n = strtoll(index, &end, 10)) >= 0 && *end == '\0')
		json_object_object_add(d, "index", json_object_new_int64(n));
	add_field(d, "author", f, "Author");
	add_field(d, "body", f, "Body");
	add_field(d, "participantSid", f, "ParticipantSid");
	add_field(d, "source", f, "Source");
	add_field(d, "dateCreated", f, "DateCreated");
	add_field(d, "attributes", f, "Attributes");
	return d;
}

/* One event about conversation sid with data (taken), by end. */
static enum err
send_one(struct callback *cb, const char *type, const char *id_key,
    const char *sid, json_object *data, long long end)
{
	enum err e;

	e = data != NULL ? callback_deliver(cb, type, id_key, sid, data, end) :
	    ERR_NOMEM;
	json_object_put(data);
	return e;
}

enum err
postevent_notify(struct callback *cb, const struct form *f,
    enum postevent_outcome out, long long deadline, bool *sent)
{
	const char	*type = form_get(f, "EventType");
	const char	*sid = form_get(f, "ConversationSid");
	json_object	*d;
	long long	 end;
	enum err	 e = ERR_OK;

	*sent = false;
	if (!callback_enabled(cb))
		return ERR_OK;
	/* One budget for all the events of one webhook. */
	end = clock_now_ms() + callback_budget_ms(cb);
	if (deadline < end)
		end = deadline;
	if (out == POSTEVENT_IGNORED && type != NULL &&
	    strcmp(type, "onMessageAdded") == 0) {
		*sent = true;
		return send_one(cb, "message.added", form_get(f, "MessageSid"),
		    sid, message_data(f), end);
	}
	if (out != POSTEVENT_DELETED && out != POSTEVENT_GONE &&
	    out != POSTEVENT_FAILED)
		return ERR_OK;
	*sent = true;
	if ((d = json_object_new_object()) != NULL) {
		add_field(d, "eventType", f, "EventType");
		add_field(d, "reason", f, "Reason");
	}
	if ((e = send_one(cb, "session.closed", sid, sid, d, end)) != ERR_OK ||
	    out == POSTEVENT_FAILED)
		return e;
	if ((d = json_object_new_object()) != NULL)
		json_object_object_add(d, "reason",
		    json_object_new_string("closed"));
	return send_one(cb, "session.deleted", sid, sid, d, end);
}
