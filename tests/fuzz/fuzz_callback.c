/*
 * fuzz_callback: callback_verify(), the operator's check of
 * X-Masked-Signature, on any header and body must not crash; it accepts a
 * header only when it carries the right signature (at time T, tolerance
 * 0, so there is one right one); and what callback_sign() makes, alone
 * or among other items, it accepts.
 *
 * Input: header '\n' body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svc/callback.h"

#define SECRET	"fuzz-secret-0123456789abcdef"
#define T	1765000000LL

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 good[CALLBACK_SIG_MAX], mixed[CALLBACK_SIG_MAX + 64];
	char	*copy, *header, *body, *nl;
	size_t	 bodylen;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	header = copy;
	body = copy + size;
	if ((nl = memchr(copy, '\n', size)) != NULL) {
		*nl = '\0';
		body = nl + 1;
	}
	bodylen = (size_t)(copy + size - body);

	callback_sign(SECRET, T, body, bodylen, good, sizeof(good));
	if (callback_verify(SECRET, header, body, bodylen, T, 0) &&
	    strcasestr(header, strchr(good, ',') + 4) == NULL)
		abort();	/* accepted without the right signature */
	(void)callback_verify(SECRET, header, body, bodylen, T, 300);
	(void)callback_verify(NULL, header, body, bodylen, T, 300);

	if (!callback_verify(SECRET, good, body, bodylen, T, 0))
		abort();
	memcpy(mixed, "v0=x,", 5);
	memcpy(mixed + 5, good, strlen(good) + 1);
	if (!callback_verify(SECRET, mixed, body, bodylen, T, 0) ||
	    callback_verify("another-secret-0123456789", good, body, bodylen,
	    T, 0) || callback_verify(SECRET, good, body, bodylen, T + 1, 0))
		abort();
	free(copy);
	return 0;
}
