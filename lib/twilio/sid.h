/*
 * sid: the form of Twilio's resource identifiers, without the client.
 *
 * A SID is a two-letter prefix naming the kind of resource ("AC" an
 * account, "CH" a conversation, "MB" a participant, "MG" a messaging
 * service) and 32 hex digits. Every SID is checked before it goes into a
 * URL path or a configuration is accepted.
 */
#ifndef SID_H
#define SID_H

#include <stdbool.h>

#define SID_LEN	34

/* Whether s (NULL: no) is a SID with the two-letter prefix and 32 hex digits. */
bool	sid_valid(const char *s, const char *prefix);

#endif
