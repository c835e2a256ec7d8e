#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/b64.h"
#include "core/hex.h"
#include "svc/pagetok.h"

/*
 * The payload, version '1': bytes, not text (it is base64url'd whole).
 *
 *	[0]	'1'
 *	[1]	kind
 *	[2..4]	page, 24 bits big-endian (PAGETOK_PAGE_MAX < 2^24)
 *	[5]	size
 *	[6..]	scope, a NUL, twilio_token (to the end)
 *
 * Neither string may hold a NUL, so the one NUL splits them. Binary
 * numbers keep the largest payload (365 bytes) within PAGETOK_MAX once
 * encoded: 487 characters, '.', 22 characters of MAC, the NUL.
 */
#define PAYLOAD_VERSION		'1'
#define HEAD_LEN	6
#define SCOPE_MAX	(sizeof(((struct pagetok *)0)->scope) - 1)
#define TOKEN_MAX	(sizeof(((struct pagetok *)0)->twilio_token) - 1)
#define PAYLOAD_MAX	(HEAD_LEN + SCOPE_MAX + 1 + TOKEN_MAX)
#define MAC_LEN		16
/* Characters of base64url without padding for n bytes. */
#define B64URL_LEN(n)	((n) / 3 * 4 + ((n) % 3 != 0 ? (n) % 3 + 1 : 0))
#define MAC_B64_LEN	B64URL_LEN(MAC_LEN)

_Static_assert(B64URL_LEN(PAYLOAD_MAX) + 1 + MAC_B64_LEN + 1 <= PAGETOK_MAX,
    "the largest token fits in PAGETOK_MAX");
_Static_assert(PAGETOK_PAGE_MAX < (1L << 24), "page fits in 24 bits");

static const char key_label[] = "masked page token v1";

/* Whether c may stand in a Twilio PageToken. */
static bool
token_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("._~+/=-", c) != NULL);
}

/* Whether the n bytes at s may be a scope: no control byte, so no NUL. */
static bool
scope_ok(const char *s, size_t n)
{
	size_t i;

	if (n > SCOPE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

/* Whether the n bytes at s may be a Twilio PageToken. */
static bool
token_ok(const char *s, size_t n)
{
	size_t i;

	if (n > TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!token_byte((unsigned char)s[i]))
			return false;
	return true;
}

/* Whether the numbers and the kind of p are in range. */
static bool
numbers_ok(char kind, long page, int size)
{
	return kind >= 'a' && kind <= 'z' && page >= 0 &&
	    page <= PAGETOK_PAGE_MAX && size >= 1 && size <= PAGETOK_SIZE_MAX;
}

/*
 * The first MAC_LEN bytes of HMAC-SHA256(key, the n bytes at payload) into
 * mac. ERR_NOMEM when OpenSSL fails.
 */
static enum err
mac_of(const unsigned char *key, size_t keylen, const unsigned char *payload,
    size_t n, unsigned char mac[MAC_LEN])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, payload, n, md, &mdlen) ==
	    NULL || mdlen < MAC_LEN)
		return ERR_NOMEM;
	memcpy(mac, md, MAC_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return ERR_OK;
}

/*
 * Appends base64url of the n bytes at in (n <= PAYLOAD_MAX), without
 * padding, at out, which has room for B64URL_LEN(n) characters and a NUL.
 * Returns the number of characters written.
 */
static size_t
b64url_encode(char *out, const unsigned char *in, size_t n)
{
	unsigned char	tmp[(PAYLOAD_MAX + 2) / 3 * 4 + 1];
	size_t		i, len;

	EVP_EncodeBlock(tmp, in, (int)n);
	len = B64URL_LEN(n);
	for (i = 0; i < len; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
	out[len] = '\0';
	return len;
}

/*
 * Decodes the n characters of base64url at s (no padding; the bits left
 * over in the last character zero, so that a byte string has one spelling)
 * into out (size bytes), its length into *outlen. ERR_INVAL otherwise.
 */
static enum err
b64url_decode(const char *s, size_t n, unsigned char *out, size_t size,
    size_t *outlen)
{
	char	tmp[PAGETOK_MAX + 3];
	size_t	i;

	if (n > PAGETOK_MAX || n % 4 == 1)
		return ERR_INVAL;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			tmp[i] = '+';
		else if (s[i] == '_')
			tmp[i] = '/';
		else if ((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			tmp[i] = s[i];
		else
			return ERR_INVAL;
	}
	for (; i % 4 != 0; i++)
		tmp[i] = '=';
	if (b64_decode(tmp, i, out, size, outlen, B64_CANONICAL) != ERR_OK)
		return ERR_INVAL;
	return ERR_OK;
}

enum err
pagetok_encode(const struct pagetok *p, const unsigned char *key,
    size_t keylen, char *out, size_t len)
{
	unsigned char	 payload[PAYLOAD_MAX], mac[MAC_LEN];
	size_t		 slen, tlen, n, need, at;
	enum err	 e;

	if (len > 0)
		out[0] = '\0';
	if (key == NULL || keylen == 0 || keylen > INT_MAX)
		return ERR_INVAL;
	slen = strnlen(p->scope, sizeof(p->scope));
	tlen = strnlen(p->twilio_token, sizeof(p->twilio_token));
	if (!numbers_ok(p->kind, p->page, p->size) || !scope_ok(p->scope,
	    slen) || !token_ok(p->twilio_token, tlen))
		return ERR_INVAL;

	payload[0] = PAYLOAD_VERSION;
	payload[1] = (unsigned char)p->kind;
	payload[2] = (unsigned char)(p->page >> 16);
	payload[3] = (unsigned char)(p->page >> 8);
	payload[4] = (unsigned char)p->page;
	payload[5] = (unsigned char)p->size;
	n = HEAD_LEN;
	memcpy(payload + n, p->scope, slen);
	n += slen;
	payload[n++] = '\0';
	memcpy(payload + n, p->twilio_token, tlen);
	n += tlen;

	need = B64URL_LEN(n) + 1 + MAC_B64_LEN + 1;
	if (len < need)
		return ERR_TOOBIG;
	if ((e = mac_of(key, keylen, payload, n, mac)) != ERR_OK)
		return e;
	at = b64url_encode(out, payload, n);
	out[at++] = '.';
	b64url_encode(out + at, mac, MAC_LEN);
	return ERR_OK;
}

enum err
pagetok_decode(struct pagetok *p, const unsigned char *key, size_t keylen,
    const char *token)
{
	unsigned char	 payload[PAYLOAD_MAX], want[MAC_LEN], got[MAC_LEN];
	const unsigned char *nul;
	size_t		 len, plen, n, slen, tlen;
	long		 page;
	int		 size;

	memset(p, 0, sizeof(*p));
	if (key == NULL || keylen == 0 || keylen > INT_MAX || token == NULL)
		return ERR_INVAL;
	if ((len = strnlen(token, PAGETOK_MAX)) >= PAGETOK_MAX ||
	    len < MAC_B64_LEN + 1)
		return ERR_INVAL;
	plen = len - MAC_B64_LEN - 1;
	if (token[plen] != '.')
		return ERR_INVAL;
	if (b64url_decode(token + plen + 1, MAC_B64_LEN, got, sizeof(got),
	    &n) != ERR_OK || n != MAC_LEN)
		return ERR_INVAL;
	if (b64url_decode(token, plen, payload, sizeof(payload), &n) !=
	    ERR_OK || n < HEAD_LEN + 1)
		return ERR_INVAL;
	/* Nothing of the payload is believed before its MAC is. */
	if (mac_of(key, keylen, payload, n, want) != ERR_OK ||
	    CRYPTO_memcmp(want, got, MAC_LEN) != 0)
		return ERR_INVAL;

	if (payload[0] != PAYLOAD_VERSION)
		return ERR_INVAL;
	page = (long)payload[2] << 16 | (long)payload[3] << 8 | payload[4];
	size = payload[5];
	if (!numbers_ok((char)payload[1], page, size))
		return ERR_INVAL;
	if ((nul = memchr(payload + HEAD_LEN, '\0', n - HEAD_LEN)) == NULL)
		return ERR_INVAL;
	slen = (size_t)(nul - payload) - HEAD_LEN;
	tlen = n - HEAD_LEN - slen - 1;
	if (!scope_ok((const char *)payload + HEAD_LEN, slen) ||
	    !token_ok((const char *)nul + 1, tlen))
		return ERR_INVAL;

	p->kind = (char)payload[1];
	p->page = page;
	p->size = size;
	memcpy(p->scope, payload + HEAD_LEN, slen);
	memcpy(p->twilio_token, nul + 1, tlen);
	return ERR_OK;
}

/*
 * Percent-decodes the n bytes at s into out (size bytes, NUL-terminated).
 * ERR_INVAL for a '%' not followed by two hex digits, a decoded NUL, or a
 * result that does not fit.
 */
static enum err
unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t	i, o;
	int	hi, lo;

	for (i = 0, o = 0; i < n; i++) {
		if (o + 1 >= size)
			return ERR_INVAL;
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (n - i < 3 || (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
		    (lo = hex_digit((unsigned char)s[i + 2])) < 0 ||
		    (hi == 0 && lo == 0))
			return ERR_INVAL;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return ERR_OK;
}

/*
 * The number in s (decimal digits only, at most 6 of them) between lo and
 * hi into *v. ERR_INVAL otherwise.
 */
static enum err
number(const char *s, long lo, long hi, long *v)
{
	size_t	i;
	long	x = 0;

	if (s[0] == '\0' || strlen(s) > 6)
		return ERR_INVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_INVAL;
		x = x * 10 + (s[i] - '0');
	}
	if (x < lo || x > hi)
		return ERR_INVAL;
	*v = x;
	return ERR_OK;
}

enum err
pagetok_from_url(struct pagetok *p, const char *next_page_url)
{
	const char	*q, *end, *pair, *eq;
	/* A value longer than a PageToken is refused whichever key it is. */
	char		 name[16], value[sizeof(p->twilio_token)];
	char		 tok[sizeof(p->twilio_token)] = "";
	bool		 seen_tok = false, seen_page = false, seen_size = false;
	long		 page = 0, size = p->size, v;
	size_t		 plen, nlen;

	if (next_page_url == NULL)
		return ERR_INVAL;
	q = next_page_url + strcspn(next_page_url, "?#");
	if (*q++ != '?')
		return ERR_INVAL;
	end = q + strcspn(q, "#");
	for (pair = q; pair < end; pair += plen + 1) {
		plen = strcspn(pair, "&#");
		if (plen == 0)
			continue;
		eq = memchr(pair, '=', plen);
		nlen = eq != NULL ? (size_t)(eq - pair) : plen;
		/* Names are short; a long one is none of ours. */
		if (unescape(pair, nlen, name, sizeof(name)) != ERR_OK)
			continue;
		if (strcmp(name, "PageToken") != 0 && strcmp(name, "Page") != 0 &&
		    strcmp(name, "PageSize") != 0)
			continue;
		if (eq == NULL)
			return ERR_INVAL;
		if (unescape(eq + 1, plen - nlen - 1, value, sizeof(value)) !=
		    ERR_OK)
			return ERR_INVAL;
		if (strcmp(name, "PageToken") == 0) {
			if (seen_tok || !token_ok(value, strlen(value)))
				return ERR_INVAL;
			seen_tok = true;
			memcpy(tok, value, strlen(value) + 1);
		} else if (strcmp(name, "Page") == 0) {
			if (seen_page || number(value, 0, PAGETOK_PAGE_MAX,
			    &page) != ERR_OK)
				return ERR_INVAL;
			seen_page = true;
		} else {
			if (seen_size || number(value, 1, PAGETOK_SIZE_MAX,
			    &v) != ERR_OK)
				return ERR_INVAL;
			seen_size = true;
			size = v;
		}
	}
	if (tok[0] == '\0' && !seen_page)
		return ERR_INVAL;
	memcpy(p->twilio_token, tok, sizeof(tok));
	p->page = page;
	p->size = (int)size;
	return ERR_OK;
}

enum err
pagetok_key(const char *secret, unsigned char out[PAGETOK_KEY_LEN])
{
	unsigned int	 mdlen = 0;
	size_t		 n;

	if (secret == NULL || (n = strlen(secret)) == 0)
		return ERR_INVAL;
	if (n > INT_MAX || HMAC(EVP_sha256(), secret, (int)n,
	    (const unsigned char *)key_label, sizeof(key_label) - 1, out,
	    &mdlen) == NULL || mdlen != PAGETOK_KEY_LEN)
		return ERR_SYS;
	return ERR_OK;
}
