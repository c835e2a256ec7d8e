/*
 * mark: how this service recognises its own conversations after a crash.
 *
 * Every participant a session is created with carries, in its attributes,
 * the marker {"maskedSession": {"parties": N}}: the number of participants
 * its session was created with, so that a session left with fewer (its
 * worker died half way) can be told from a whole one (svc/reap). One added
 * later carries {"maskedSession": {"added": true}} instead: it does not
 * count, so a session that grows is never taken for a half-made one; one
 * that shrinks says so in the conversation's own attributes (svc/sessattr's
 * "changed"). A conversation created
 * without the caller's uniqueName gets a made-up one, "masked-" and 32 random
 * hex digits, so that a create whose answer was lost can be found again and
 * one of ours with no participant at all is recognised.
 */
#ifndef MARK_H
#define MARK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define MARK_KEY		"maskedSession"
#define MARK_NAME_PREFIX	"masked-"
/* Room for a marker, and for a made-up name, NUL included. */
#define MARK_ATTRS_LEN		64
#define MARK_NAME_LEN		48

/*
 * The marker of a session of parties participants, into out (len bytes,
 * MARK_ATTRS_LEN is enough); parties 0: the marker of one added later.
 * ERR_TOOBIG when it does not fit.
 */
enum err	mark_attributes(char *out, size_t len, size_t parties);
/*
 * The number of parties in the marker of attributes (a participant's
 * attributes, a JSON text, may be NULL), or 0 when it carries none that
 * makes sense (1 to 1000).
 */
long		mark_parties(const char *attributes);

/*
 * A new made-up unique name into out (len bytes, MARK_NAME_LEN is enough):
 * MARK_NAME_PREFIX and 128 random bits in hex. ERR_SYS when no randomness.
 */
enum err	mark_name(char *out, size_t len);
/* Whether name (may be NULL) is one mark_name() could have made. */
bool		mark_named(const char *name);

#endif
