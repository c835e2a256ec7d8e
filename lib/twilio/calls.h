/*
 * calls: the requests of Twilio's core (2010) Voice API that the service
 * makes. Like twilio/conv, each fills a call made with twilio_call_init()
 * without submitting it.
 */
#ifndef CALLS_H
#define CALLS_H

#include "twilio/twilio.h"

/*
 * POST /2010-04-01/Accounts/{the client's account}/Calls.json: a call from
 * number from to number to, run by the TwiML document twiml. ERR_OK, or
 * ERR_NOMEM / ERR_TOOBIG (the call is then not to be submitted).
 */
enum err	calls_create(struct twilio_call *c, const struct twilio *t,
		    const char *to, const char *from, const char *twiml);

/*
 * Adds to call c, made by calls_create(), its TimeLimit (seconds the call
 * may last) and Timeout (seconds it may ring), each left out when 0.
 * ERR_OK, or ERR_NOMEM / ERR_TOOBIG.
 */
enum err	calls_limits(struct twilio_call *c, long time_limit, long timeout);

#endif
