#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include "core/b64.h"
#include "web/auth.h"

/*
 * Credentials decode into at most this many bytes: base64 of up to 1024
 * characters. A longer header is malformed (ERR_TOOBIG from b64_decode).
 */
#define AUTH_MAX	B64_DECODED_MAX(1024)

/*
 * Whether a (from the client, alen bytes) equals the secret b, in a time
 * that depends on alen alone: every byte of a is compared, against the
 * secret repeated, and a length difference counts as a difference.
 */
static bool
equal_secret(const char *a, size_t alen, const char *b)
{
	size_t		i, j, blen = strlen(b);
	unsigned char	diff;

	if (blen == 0)
		return alen == 0;
	diff = alen != blen;
	for (i = 0, j = 0; i < alen; i++) {
		diff |= (unsigned char)(a[i] ^ b[j]);
		j = j + 1 == blen ? 0 : j + 1;
	}
	return diff == 0;
}

enum auth_result
auth_basic_check(const char *header, const char *user, const char *password)
{
	unsigned char	 dec[AUTH_MAX];
	size_t		 declen = 0, len;
	const char	*p, *colon;
	bool		 ok_user, ok_pass;
	enum auth_result r = AUTH_MALFORMED;

	if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
		return AUTH_MISSING;
	for (p = header + 6; *p == ' '; p++)
		;
	len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	/* Any spelling a client's encoder chose: padding bits not checked. */
	if (b64_decode(p, len, dec, sizeof(dec), &declen, 0) != ERR_OK)
		goto done;
	if ((colon = memchr(dec, ':', declen)) == NULL || colon == (char *)dec ||
	    memchr(dec, '\0', declen) != NULL)
		goto done;
	/* Both compared always, so a right user name is not told apart. */
	ok_user = equal_secret((char *)dec, (size_t)(colon - (char *)dec), user);
	ok_pass = equal_secret(colon + 1, declen - (size_t)(colon + 1 - (char *)dec),
	    password);
	r = ok_user && ok_pass ? AUTH_OK : AUTH_WRONG;
done:
	OPENSSL_cleanse(dec, sizeof(dec));
	return r;
}
