/*
 * reap: recovering from a worker that died half-way through a session.
 *
 * A worker killed between creating a conversation and adding its last
 * participant cannot delete the conversation itself, and the participants it
 * did add keep their proxy numbers. Every participant this service adds
 * carries, in its attributes, a marker (svc/mark) saying N, the number of
 * participants its session was created with. A conversation whose marked
 * participants are fewer than N, or that has none at all while its unique
 * name is one this service made up (svc/mark), created long enough ago that
 * no request can still be working on it, was left half-made: the reaper
 * deletes it.
 *
 * Removing a participant from a session by hand makes it look half-made too,
 * which is why only conversations created in a recent window are looked at.
 */
#ifndef REAP_H
#define REAP_H

#include "core/err.h"

struct twilio;

struct reap_stats {
	unsigned long	examined;	/* open conversations in the window */
	unsigned long	half_made;	/* found half-made */
	unsigned long	expired;	/* open sessions past their dateExpiry */
	unsigned long	deleted;
	unsigned long	failed;		/* could not be read or deleted */
};

/*
 * Deletes, through t, the half-made conversations created between window_s
 * and min_age_s seconds ago. Returns ERR_OK when the window's conversations
 * could be listed (s says what was examined, deleted, or failed), else the
 * error of the listing. s is the caller's, filled either way.
 */
enum err	reap_run(struct twilio *t, long min_age_s, long window_s,
		    struct reap_stats *s);

#endif
