#include <stdio.h>

#include "core/form.h"
#include "twilio/calls.h"
#include "twilio/twilio.h"

enum err
calls_create(struct twilio_call *c, const struct twilio *t, const char *to,
    const char *from, const char *twiml)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = twilio_call_url(c, t, HTTPC_POST,
	    "api:/2010-04-01/Accounts/%s/Calls.json",
	    twilio_account_sid(t))) != ERR_OK ||
	    (e = form_add(&c->http.form, "To", to)) != ERR_OK ||
	    (e = form_add(&c->http.form, "From", from)) != ERR_OK ||
	    (e = form_add(&c->http.form, "Twiml", twiml)) != ERR_OK)
		return e;
	return ERR_OK;
}

enum err
calls_limits(struct twilio_call *c, long time_limit, long timeout)
{
	char		 v[24];
	enum err	 e;

	if (time_limit > 0) {
		snprintf(v, sizeof(v), "%ld", time_limit);
		if ((e = form_add(&c->http.form, "TimeLimit", v)) != ERR_OK)
			return e;
	}
	if (timeout > 0) {
		snprintf(v, sizeof(v), "%ld", timeout);
		if ((e = form_add(&c->http.form, "Timeout", v)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}
