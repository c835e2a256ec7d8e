#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/b64.h"

/* The value of base64 character c (0 to 63), or -1 when it is not one. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Checks s[0..len) against the rules of b64.h and counts its padding into
 * *pad. The last character before the padding carries 2 (one '=') or 4
 * (two) bits beyond the data: with canonical they must be zero.
 */
static enum err
check_text(const unsigned char *s, size_t len, int canonical, size_t *pad)
{
	size_t	 i, n;
	int	 last;

	*pad = 0;
	if (len % 4 != 0)
		return ERR_PARSE;
	if (len == 0)
		return ERR_OK;
	n = len;
	while (*pad < 2 && s[n - 1] == '=') {
		(*pad)++;
		n--;
	}
	for (i = 0; i < n; i++)
		if (b64_value(s[i]) < 0)
			return ERR_PARSE;
	last = b64_value(s[n - 1]);
	if (canonical && (last & (*pad == 1 ? 0x3 : *pad == 2 ? 0xf : 0)) != 0)
		return ERR_PARSE;
	return ERR_OK;
}

enum err
b64_decode(const char *s, size_t len, unsigned char *out, size_t size,
    size_t *outlen, int flags)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned char		 tail[3];
	size_t			 pad, whole, n;
	enum err		 e;

	*outlen = 0;
	memset(tail, 0, sizeof(tail));
	if ((e = check_text(u, len, (flags & B64_CANONICAL) != 0, &pad)) !=
	    ERR_OK)
		goto fail;
	n = B64_DECODED_MAX(len) - pad;
	if (n > size || len > INT_MAX) {
		e = ERR_TOOBIG;
		goto fail;
	}
	if (len == 0)
		goto done;
	/*
	 * EVP_DecodeBlock writes three bytes a quantum, padding included:
	 * all quanta but the last straight into out, the last one through
	 * tail, so that nothing is written past the bytes decoded.
	 */
	whole = len - 4;
	if (whole > 0 && EVP_DecodeBlock(out, u, (int)whole) !=
	    (int)B64_DECODED_MAX(whole)) {
		e = ERR_PARSE;
		goto fail;
	}
	if (EVP_DecodeBlock(tail, u + whole, 4) != 3) {
		e = ERR_PARSE;
		goto fail;
	}
	memcpy(out + B64_DECODED_MAX(whole), tail, 3 - pad);
	*outlen = n;
done:
	e = ERR_OK;
fail:
	/* The tail may hold a password's last bytes. */
	OPENSSL_cleanse(tail, sizeof(tail));
	return e;
}
