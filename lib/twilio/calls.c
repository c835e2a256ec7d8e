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
