/*
 * fuzz_auth: any Authorization header is answered without a crash, and only
 * the right pair is accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h;

	if ((h = strndup((const char *)data, size)) == NULL)
		return 0;
	/* "Basic dXNlcjpwYXNz" is user:pass; nothing else may pass. */
	if (auth_basic_check(h, "user", "pass") == AUTH_OK &&
	    strncasecmp(h, "Basic ", 6) != 0)
		abort();
	free(h);
	return 0;
}
