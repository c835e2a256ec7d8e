#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "svc/mark.h"
#include "svc/reap.h"
#include "twilio/conv.h"
#include "twilio/twilio.h"

#define REAP_BATCH	16	/* conversations examined at once */
#define REAP_LIST_BUDGET (32 * 1024 * 1024)	/* bytes of the day's list */

struct check {
	struct twilio_call	 parts;
	struct twilio_call	 del;
	const char		*sid;
	bool			 ours;	/* named by mark_name() */
	bool			 deleting;
};

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
		if ((p = mark_parties(conv_attributes(list, i))) > 0) {
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
		if (conv_participants(&cs[i].parts, t, cs[i].sid) == ERR_OK)
			twilio_submit(t, &cs[i].parts);
		else
			cs[i].parts.http.err = ERR_NOMEM;
	}
	twilio_run(t, deadline);
	for (i = 0; i < n; i++) {
		if (cs[i].parts.http.err != ERR_OK) {
			s->failed++;
			continue;
		}
		if (!half_made(&cs[i].parts, cs[i].ours))
			continue;
		s->half_made++;
		cs[i].deleting = true;
		if (conv_delete(&cs[i].del, t, cs[i].sid) == ERR_OK)
			twilio_submit(t, &cs[i].del);
		else
			cs[i].del.http.err = ERR_NOMEM;
	}
	twilio_run(t, deadline);
	for (i = 0; i < n; i++) {
		if (!cs[i].deleting)
			continue;
		if (cs[i].del.http.err == ERR_OK || conv_gone(&cs[i].del)) {
			s->deleted++;
			log_info("reaped half-made conversation %s", cs[i].sid);
		} else {
			s->failed++;
			log_error("could not delete half-made conversation %s: %s",
			    cs[i].sid, cs[i].del.http.message);
		}
	}
}

/* Examines and frees the k checks gathered so far. */
static void
flush(struct twilio *t, struct check *cs, size_t k, struct reap_stats *s)
{
	size_t j;

	if (k == 0)
		return;
	reap_batch(t, cs, k, s);
	for (j = 0; j < k; j++) {
		twilio_call_free(&cs[j].parts);
		twilio_call_free(&cs[j].del);
	}
}

enum err
reap_run(struct twilio *t, long min_age_s, long window_s, struct reap_stats *s)
{
	struct twilio_call	 list;
	struct check		 cs[REAP_BATCH];
	struct conv_summary	 cv;
	time_t			 now = time(NULL);
	size_t			 i, n, k = 0;
	enum err		 e;

	memset(s, 0, sizeof(*s));
	twilio_call_init(&list);
	if ((e = conv_list_since(&list, t, now - window_s)) != ERR_OK)
		goto out;
	/*
	 * A day of a busy account's conversations, about a kilobyte each,
	 * kept whole: the reaper runs alone, in a process of its own.
	 */
	list.http.budget = REAP_LIST_BUDGET;
	twilio_submit(t, &list);
	twilio_run(t, clock_now_ms() + 60000);
	if ((e = list.http.err) != ERR_OK) {
		log_error("listing conversations failed: %s", list.http.message);
		goto out;
	}
	n = twilio_items_len(&list);
	for (i = 0; i < n; i++) {
		conv_summary(&list, i, &cv);
		if (!cv.open || cv.sid == NULL || cv.created < 0 ||
		    now - cv.created < min_age_s || now - cv.created > window_s)
			continue;
		s->examined++;
		memset(&cs[k], 0, sizeof(cs[k]));
		cs[k].ours = mark_named(cv.unique_name);
		twilio_call_init(&cs[k].parts);
		twilio_call_init(&cs[k].del);
		cs[k++].sid = cv.sid;
		if (k == REAP_BATCH) {
			flush(t, cs, k, s);
			k = 0;
		}
	}
	flush(t, cs, k, s);
out:
	twilio_call_free(&list);
	return e;
}
