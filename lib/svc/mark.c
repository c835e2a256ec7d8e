#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <json-c/json.h>

#include "svc/mark.h"
#include "twilio/twilio.h"

enum err
mark_attributes(char *out, size_t len, size_t parties)
{
	int n;

	if (parties == 0)
		n = snprintf(out, len, "{\"" MARK_KEY "\":{\"added\":true}}");
	else
		n = snprintf(out, len, "{\"" MARK_KEY "\":{\"parties\":%zu}}",
		    parties);
	return n >= 0 && (size_t)n < len ? ERR_OK : ERR_TOOBIG;
}

long
mark_parties(const char *attributes)
{
	json_object	*j;
	long long	 parties;

	if (attributes == NULL || (j = json_tokener_parse(attributes)) == NULL)
		return 0;
	parties = twilio_json_int(twilio_json_obj(j, MARK_KEY), "parties", 0);
	json_object_put(j);
	return parties > 0 && parties <= 1000 ? (long)parties : 0;
}

enum err
mark_name(char *out, size_t len)
{
	unsigned char	 rnd[16];
	size_t		 i, n;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return ERR_SYS;
	n = (size_t)snprintf(out, len, "%s", MARK_NAME_PREFIX);
	for (i = 0; i < sizeof(rnd) && n + 2 < len; i++, n += 2)
		snprintf(out + n, len - n, "%02x", rnd[i]);
	return ERR_OK;
}

bool
mark_named(const char *name)
{
	return name != NULL && strncmp(name, MARK_NAME_PREFIX,
	    strlen(MARK_NAME_PREFIX)) == 0;
}
