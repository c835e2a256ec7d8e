#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/clock.h"
#include "core/log.h"
#include "svc/reap.h"
#include "svc/session.h"
#include "twilio/sid.h"
#include "twilio/twilio.h"

#define REAP_BATCH	16	/* conversations examined at once */
#define REAP_LIST_BUDGET (32 * 1024 * 1024)	/* bytes of the day's list */

struct check {
	struct twilio_call	 parts;
	struct twilio_call	 del;
	const char		*sid;
	bool			 ours;	/* named by session.c */
};

/* The number of parties a marked participant's session was made with, or 0. */
static long
marked_parties(json_object *participant)
{
	json_object	*j;
	const char	*attrs;
	long long	 parties;

	if ((attrs = twilio_json_str(participant, "attributes")) == NULL ||
	    (j = json_tokener_parse(attrs)) == NULL)
		return 0;
	parties = twilio_json_int(twilio_json_obj(j, REAP_MARKER), "parties", 0);
	json_object_put(j);
	return parties > 0 && parties <= 1000 ? (long)parties : 0;
}

/*
 * Whether the participants listed say the session never got all of them:
 * fewer marked participants than the session was made with, or none at all
 * in a conversation this service named.
 */
static bool
half_made(const struct twilio_call *list, bool ours)
{
	size_t	 i, n = twilio_items_len(list), marked = 0;
	long	 want = 0, p;

	if (n == 0)
		return ours;
	for (i = 0; i < n; i++)
		if ((p = marked_parties(twilio_item(list, i))) > 0) {
			marked++;
			want = p;
		}
	return marked > 0 && (long)marked < want;
}

/* Examines up to REAP_BATCH conversations at once; deletes the half-made. */
static void
reap_batch(struct twilio *t, struct check *cs, size_t n, struct reap_stats *s)
{
	size_t		 i;
	long long	 deadline = clock_now_ms() + 30000;

	for (i = 0; i < n; i++) {
		cs[i].parts.page_key = "participants";
		if (twilio_call_url(&cs[i].parts, t, TWILIO_GET, "conv:/v1/"
		    "Conversations/%s/Participants?PageSize=100", cs[i].sid) ==
		    ERR_OK)
			twilio_submit(t, &cs[i].parts);
		else
			cs[i].parts.err = ERR_NOMEM;
	}
	twilio_run(t, deadline);
	for (i = 0; i < n; i++) {
		if (cs[i].parts.err != ERR_OK) {
			s->failed++;
			continue;
		}
		if (!half_made(&cs[i].parts, cs[i].ours))
			continue;
		s->half_made++;
		if (twilio_call_url(&cs[i].del, t, TWILIO_DELETE,
		    "conv:/v1/Conversations/%s", cs[i].sid) == ERR_OK)
			twilio_submit(t, &cs[i].del);
		else
			cs[i].del.err = ERR_NOMEM;
	}
	twilio_run(t, deadline);
	for (i = 0; i < n; i++) {
		if (cs[i].del.method != TWILIO_DELETE)
			continue;
		if (cs[i].del.err == ERR_OK || cs[i].del.status == 404) {
			s->deleted++;
			log_info("reaped half-made conversation %s", cs[i].sid);
		} else {
			s->failed++;
			log_error("could not delete half-made conversation %s: %s",
			    cs[i].sid, cs[i].del.message);
		}
	}
}

enum err
reap_run(struct twilio *t, const struct config *c, long min_age_s,
    long window_s, struct reap_stats *s)
{
	struct twilio_call	 list;
	struct check		 cs[REAP_BATCH];
	char			 since[32];
	time_t			 now = time(NULL), created;
	struct tm		 tm;
	json_object		*item;
	const char		*state, *sid, *name;
	size_t			 i, n, k = 0, j;
	enum err		 e;

	(void)c;
	memset(s, 0, sizeof(*s));
	created = now - window_s;
	gmtime_r(&created, &tm);
	/* Twilio filters by whole days: the window's first, from midnight. */
	strftime(since, sizeof(since), "%Y-%m-%dT00:00:00Z", &tm);
	twilio_call_init(&list);
	list.page_key = "conversations";
	/*
	 * A day of a busy account's conversations, about a kilobyte each,
	 * kept whole: the reaper runs alone, in a process of its own.
	 */
	list.budget = REAP_LIST_BUDGET;
	if ((e = twilio_call_url(&list, t, TWILIO_GET, "conv:/v1/Conversations?"
	    "StartDate=%s&PageSize=100", since)) != ERR_OK)
		goto out;
	twilio_submit(t, &list);
	twilio_run(t, clock_now_ms() + 60000);
	if ((e = list.err) != ERR_OK) {
		log_error("listing conversations failed: %s", list.message);
		goto out;
	}
	n = twilio_items_len(&list);
	for (i = 0; i <= n; i++) {
		if (i < n) {
			item = twilio_item(&list, i);
			state = twilio_json_str(item, "state");
			sid = twilio_json_str(item, "sid");
			created = (time_t)twilio_json_time(item, "date_created");
			if (state == NULL || strcmp(state, "closed") == 0 ||
			    !sid_valid(sid, "CH") || created < 0 ||
			    now - created < min_age_s || now - created > window_s)
				continue;
			s->examined++;
			name = twilio_json_str(item, "unique_name");
			cs[k].ours = name != NULL && strncmp(name,
			    SESSION_NAME_PREFIX, strlen(SESSION_NAME_PREFIX)) == 0;
			twilio_call_init(&cs[k].parts);
			twilio_call_init(&cs[k].del);
			cs[k++].sid = sid;
		}
		if (k == REAP_BATCH || (i == n && k > 0)) {
			reap_batch(t, cs, k, s);
			for (j = 0; j < k; j++) {
				twilio_call_free(&cs[j].parts);
				twilio_call_free(&cs[j].del);
			}
			k = 0;
		}
	}
out:
	twilio_call_free(&list);
	return e;
}
