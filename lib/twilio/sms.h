/*
 * sms: Programmable Messaging on Twilio's core (2010) API, for a message
 * to one person from a chosen number, outside any conversation. Like
 * twilio/conv, it fills a call made with twilio_call_init() without
 * submitting it.
 */
#ifndef SMS_H
#define SMS_H

#include "twilio/twilio.h"

/*
 * POST /2010-04-01/Accounts/{the client's account}/Messages.json: body from
 * number from to number to. ERR_OK, or ERR_NOMEM / ERR_TOOBIG (the call is
 * then not to be submitted).
 */
enum err	sms_send(struct twilio_call *c, const struct twilio *t,
		    const char *to, const char *from, const char *body);

#endif
