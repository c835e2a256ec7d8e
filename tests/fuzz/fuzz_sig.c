/*
 * fuzz_sig: sig_valid on any header, URL and body must not crash, and a
 * signature sig_compute made must validate.
 *
 * Input: header '\n' url '\n' body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "web/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tokens[] = { "12345", "other" };
	unsigned char	 raw[SIG_LEN];
	char		 good[29];
	char		*copy, *header, *url, *body, *nl;
	struct form	 f;
	size_t		 bodylen;
	int		 parsed;

	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	header = copy;
	url = body = copy + size;
	if ((nl = memchr(header, '\n', size)) != NULL) {
		*nl = '\0';
		url = nl + 1;
		if ((nl = memchr(url, '\n', (size_t)(copy + size - url))) !=
		    NULL) {
			*nl = '\0';
			body = nl + 1;
		}
	}
	bodylen = (size_t)(copy + size - body);

	parsed = form_parse(&f, body, bodylen) == ERR_OK;
	(void)sig_valid(tokens, 2, url, parsed ? &f : NULL, body, bodylen,
	    header);
	(void)sig_valid(tokens, 2, url, NULL, body, bodylen, header);

	/* What we sign, we accept; with the other URL form too. */
	if (parsed) {
		if (sig_compute(tokens[1], url, &f, raw) != ERR_OK)
			abort();
		EVP_EncodeBlock((unsigned char *)good, raw, SIG_LEN);
		if (!sig_valid(tokens, 2, url, &f, NULL, 0, good))
			abort();
	}
	if (parsed)
		form_free(&f);
	free(copy);
	return 0;
}
