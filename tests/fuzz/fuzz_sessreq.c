/*
 * fuzz_sessreq: any POST /sessions body must parse or be refused cleanly;
 * a body that parses has 1 to 50 valid, distinct addresses, and the
 * camelCase mapping of any JSON object must not crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/e164.h"
#include "svc/sessreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sessreq		 r;
	struct sessreq_error	 why;
	json_object		*j, *c;
	size_t			 i, k;

	if (sessreq_parse(&r, (const char *)data, size, &why) == ERR_OK) {
		if (r.naddresses < 1 || r.naddresses > SESSREQ_MAX_ADDRESSES)
			abort();
		for (i = 0; i < r.naddresses; i++) {
			if (!e164_valid(r.addresses[i]))
				abort();
			for (k = 0; k < i; k++)
				if (strcmp(r.addresses[i], r.addresses[k]) == 0)
					abort();
		}
		sessreq_free(&r);
	} else if (why.message[0] == '\0')
		abort();		/* every refusal says why */

	if (size < 4096) {
		char *s = strndup((const char *)data, size);

		if (s != NULL && (j = json_tokener_parse(s)) != NULL) {
			c = sessreq_camelize(j);
			json_object_put(c);
			json_object_put(j);
		}
		free(s);
	}
	return 0;
}
