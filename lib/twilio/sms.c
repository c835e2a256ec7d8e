#include "core/form.h"
#include "twilio/sms.h"
#include "twilio/twilio.h"

enum err
sms_send(struct twilio_call *c, const struct twilio *t, const char *to,
    const char *from, const char *body)
{
	enum err e;

	buf_reset(&c->http.form);
	if ((e = twilio_call_url(c, t, HTTPC_POST,
	    "api:/2010-04-01/Accounts/%s/Messages.json",
	    twilio_account_sid(t))) != ERR_OK ||
	    (e = form_add(&c->http.form, "To", to)) != ERR_OK ||
	    (e = form_add(&c->http.form, "From", from)) != ERR_OK ||
	    (e = form_add(&c->http.form, "Body", body)) != ERR_OK)
		return e;
	return ERR_OK;
}
