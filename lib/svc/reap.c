#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "svc/mark.h"
#include "svc/reap.h"
#include "svc/sessattr.h"
#include "twilio/conv.h"
#include "twilio/twilio.h"

#define REAP_BATCH	16	/* conversations examined at once */
#define REAP_LIST_BUDGET (32 * 1024 * 1024)	/* bytes of the day's list */

struct check {
	struct twilio_call	 parts;
	struct twilio_call	 del;
	const char		*sid;
	bool			 ours;	/* named by mark_name() */
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

/*
 * Deletes the n conversations of todo, all at once; what they are ("half-made
 * conversation", "expired session") is for the log. Counts into s.
 */
static void
delete_batch(struct twilio *t, struct check **todo, size_t n,
    const char *what, struct reap_stats *s)
{
	size_t		 i;
	long long	 deadline = clock_now_ms() + 30000;

	for (i = 0; i < n; i++) {
		if (conv_delete(&todo[i]->del, t, todo[i]->sid) == ERR_OK)
			twilio_submit(t, &todo[i]->del);
		else
			todo[i]->del.http.err = ERR_NOMEM;
	}
	twilio_run(t, deadline);
	for (i = 0; i < n; i++) {
		if (todo[i]->del.http.err == ERR_OK || conv_gone(&todo[i]->del)) {
			s->deleted++;
			log_info("reaped %s %s", what, todo[i]->sid);
		} else {
			s->failed++;
			log_error("could not delete %s %s: %s", what, todo[i]->sid,
			    todo[i]->del.http.message);
		}
	}
}

/* Examines up to REAP_BATCH conversations at once; deletes the half-made. */
static void
reap_batch(struct twilio *t, struct check *cs, size_t n, struct reap_stats *s)
{
	struct check	*todo[REAP_BATCH];
	size_t		 i, k = 0;

	for (i = 0; i < n; i++) {
		if (conv_participants(&cs[i].parts, t, cs[i].sid) == ERR_OK)
			twilio_submit(t, &cs[i].parts);
		else
			cs[i].parts.http.err = ERR_NOMEM;
	}
	twilio_run(t, clock_now_ms() + 30000);
	for (i = 0; i < n; i++) {
		if (cs[i].parts.http.err != ERR_OK) {
			s->failed++;
			continue;
		}
		if (half_made(&cs[i].parts, cs[i].ours)) {
			s->half_made++;
			todo[k++] = &cs[i];
		}
	}
	delete_batch(t, todo, k, "half-made conversation", s);
}

/* Whether the conversation's attributes say it was changed on purpose, or when it expires. */
static void
kept(const char *attributes, bool *changed, long long *expiry)
{
	struct sessattr	 keep;
	char		*mine = NULL;

	*changed = false;
	*expiry = 0;
	if (sessattr_split(attributes, &mine, &keep) != ERR_OK)
		return;
	free(mine);
	*changed = keep.changed;
	*expiry = keep.expiry;
}

/* Deletes the k expired sessions of todo, and frees their calls. */
static void
delete_expired(struct twilio *t, struct check **todo, size_t k,
    struct reap_stats *s)
{
	size_t i;

	delete_batch(t, todo, k, "expired session", s);
	for (i = 0; i < k; i++)
		twilio_call_free(&todo[i]->del);
}

/*
 * Deletes the open sessions (active or inactive) past their dateExpiry
 * (SPEC §10): Conversations has no absolute timer of its own.
 */
static enum err
reap_expired(struct twilio *t, struct reap_stats *s)
{
	static const char *const states[] = { "active", "inactive" };
	struct twilio_call	 list;
	struct check		 cs[REAP_BATCH], *todo[REAP_BATCH];
	struct conv_summary	 cv;
	struct conv_page	 first = { 100, 0, NULL };
	time_t			 now = time(NULL);
	size_t			 i, j, n, k = 0;
	bool			 changed;
	long long		 expiry;
	enum err		 e = ERR_OK;

	for (j = 0; j < 2 && e == ERR_OK; j++) {
		twilio_call_init(&list);
		if ((e = conv_list(&list, t, states[j], &first)) != ERR_OK) {
			twilio_call_free(&list);
			break;
		}
		list.one_page = false;		/* every page */
		list.http.budget = REAP_LIST_BUDGET;
		twilio_submit(t, &list);
		twilio_run(t, clock_now_ms() + 60000);
		if ((e = list.http.err) != ERR_OK) {
			log_error("listing %s conversations failed: %s",
			    states[j], list.http.message);
			twilio_call_free(&list);
			break;
		}
		n = twilio_items_len(&list);
		for (i = 0; i < n; i++) {
			conv_summary(&list, i, &cv);
			kept(cv.attributes, &changed, &expiry);
			if (cv.sid == NULL || expiry <= 0 || expiry > (long long)now)
				continue;
			s->expired++;
			memset(&cs[k], 0, sizeof(cs[k]));
			twilio_call_init(&cs[k].del);
			todo[k] = &cs[k];
			cs[k++].sid = cv.sid;
			if (k == REAP_BATCH) {
				delete_expired(t, todo, k, s);
				k = 0;
			}
		}
		delete_expired(t, todo, k, s);
		k = 0;
		twilio_call_free(&list);
	}
	return e;
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
	bool			 changed;
	long long		 expiry;
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
		/* Participants removed on purpose: whole, whatever the count. */
		kept(cv.attributes, &changed, &expiry);
		if (changed)
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
	twilio_call_free(&list);
	return reap_expired(t, s);
out:
	twilio_call_free(&list);
	return e;
}
