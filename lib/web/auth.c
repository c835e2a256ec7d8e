#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "web/auth.h"

#define AUTH_MAX	1024	/* base64 characters of credentials */

/* Decodes strict base64 (padding required) into out; -1 if malformed. */
static int
b64_decode(const char *s, size_t len, unsigned char *out, size_t *outlen)
{
	size_t	 i, pad = 0;
	int	 n;

	if (len == 0 || len % 4 != 0 || len > AUTH_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '=') {
			if (i < len - 2)
				return -1;
			pad++;
		} else if (pad > 0 || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/'))
			return -1;
	}
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad)
		return -1;
	*outlen = (size_t)n - pad;
	return 0;
}

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
	size_t		 declen, len;
	const char	*p, *colon;
	bool		 ok_user, ok_pass;

	if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
		return AUTH_MISSING;
	for (p = header + 6; *p == ' '; p++)
		;
	len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	if (b64_decode(p, len, dec, &declen) != 0)
		return AUTH_MALFORMED;
	if ((colon = memchr(dec, ':', declen)) == NULL || colon == (char *)dec ||
	    memchr(dec, '\0', declen) != NULL)
		return AUTH_MALFORMED;
	/* Both compared always, so a right user name is not told apart. */
	ok_user = equal_secret((char *)dec, (size_t)(colon - (char *)dec), user);
	ok_pass = equal_secret(colon + 1, declen - (size_t)(colon + 1 - (char *)dec),
	    password);
	OPENSSL_cleanse(dec, sizeof(dec));
	return ok_user && ok_pass ? AUTH_OK : AUTH_WRONG;
}
