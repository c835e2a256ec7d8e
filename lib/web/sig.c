#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/b64.h"
#include "core/hex.h"
#include "web/sig.h"

#define SIG_B64_LEN	28	/* base64 of SIG_LEN bytes, with its one '=' */

static int
pair_cmp(const void *a, const void *b)
{
	const struct form_pair	*pa = *(const struct form_pair *const *)a;
	const struct form_pair	*pb = *(const struct form_pair *const *)b;
	int			 c;

	if ((c = strcmp(pa->name, pb->name)) != 0)
		return c;
	return strcmp(pa->value, pb->value);
}

/*
 * Writes the parameters' part of the signed text into *out (an allocated
 * string, free with free()): pairs sorted by name then value, a pair equal
 * to the one before it left out, so a repeated name gives each distinct
 * value once. No params: an empty string.
 */
static enum err
params_text(const struct form *params, char **out)
{
	const struct form_pair	**v = NULL;
	struct buf		  b;
	size_t			  i, n, total;
	enum err		  e;

	*out = NULL;
	n = params != NULL ? params->n : 0;
	/* The exact length, so the buffer's limit is the text itself. */
	buf_init(&b, 0);
	if (n > 0) {
		if ((v = calloc(n, sizeof(*v))) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
		for (i = 0; i < n; i++)
			v[i] = &params->pairs[i];
		qsort(v, n, sizeof(*v), pair_cmp);
		for (total = 0, i = 0; i < n; i++)
			if (i == 0 || pair_cmp(&v[i - 1], &v[i]) != 0)
				total += strlen(v[i]->name) + strlen(v[i]->value);
		buf_init(&b, total);
	}
	for (i = 0; i < n; i++) {
		if (i > 0 && pair_cmp(&v[i - 1], &v[i]) == 0)
			continue;
		if ((e = buf_puts(&b, v[i]->name)) != ERR_OK)
			goto fail;
		if ((e = buf_puts(&b, v[i]->value)) != ERR_OK)
			goto fail;
	}
	/* No params: buf_detach() gives an allocated "". */
	if ((*out = buf_detach(&b)) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
	e = ERR_OK;
fail:
	free(v);
	buf_free(&b);
	return e;
}

/* HMAC-SHA1 of url followed by ptext, keyed with token. */
static enum err
hmac_url(const char *token, const char *url, const char *ptext,
    unsigned char out[SIG_LEN])
{
	struct buf	 b;
	unsigned int	 outlen = 0;
	size_t		 ulen, plen;
	enum err	 e;

	ulen = strlen(url);
	plen = strlen(ptext);
	if (strlen(token) > INT_MAX || ulen > SIZE_MAX / 2 ||
	    plen > SIZE_MAX / 2)
		return ERR_TOOBIG;
	buf_init(&b, ulen + plen);
	if ((e = buf_append(&b, url, ulen)) != ERR_OK ||
	    (e = buf_append(&b, ptext, plen)) != ERR_OK)
		goto fail;
	if (HMAC(EVP_sha1(), token, (int)strlen(token),
	    (const unsigned char *)buf_str(&b), b.len, out, &outlen) == NULL ||
	    outlen != SIG_LEN) {
		e = ERR_NOMEM;
		goto fail;
	}
	e = ERR_OK;
fail:
	buf_free(&b);
	return e;
}

/*
 * Beyond the contract's ERR_NOMEM: a NULL token or url is ERR_INVAL, and
 * text longer than OpenSSL takes is ERR_TOOBIG.
 */
enum err
sig_compute(const char *token, const char *url, const struct form *params,
    unsigned char out[SIG_LEN])
{
	char	*ptext = NULL;
	enum err e;

	if (token == NULL || url == NULL)
		return ERR_INVAL;
	if ((e = params_text(params, &ptext)) != ERR_OK)
		return e;
	e = hmac_url(token, url, ptext, out);
	free(ptext);
	return e;
}

/*
 * Decodes header into out when it is the canonical base64 of exactly
 * SIG_LEN bytes: 28 characters, the last one '=', the padding bits zero.
 * ERR_PARSE otherwise.
 */
static enum err
decode_header(const char *h, unsigned char out[SIG_LEN])
{
	size_t	 n;
	enum err e;

	if (h == NULL || strnlen(h, SIG_B64_LEN + 1) != SIG_B64_LEN)
		return ERR_PARSE;
	if ((e = b64_decode(h, SIG_B64_LEN, out, SIG_LEN, &n,
	    B64_CANONICAL)) != ERR_OK)
		return e;
	return n == SIG_LEN ? ERR_OK : ERR_PARSE;
}

/*
 * The URL with its default port toggled: "https://h/x" gives
 * "https://h:443/x" and back, likewise http and 80, into *out (allocated,
 * free with free()). *out is NULL when there is no variant: another
 * scheme, or another port.
 */
static enum err
port_variant(const char *url, char **out)
{
	const char	*auth, *host, *end, *colon, *p, *port;
	size_t		 skip, alen;
	char		*v;

	*out = NULL;
	if (strncasecmp(url, "https://", 8) == 0) {
		skip = 8;
		port = "443";
	} else if (strncasecmp(url, "http://", 7) == 0) {
		skip = 7;
		port = "80";
	} else
		return ERR_OK;

	auth = url + skip;
	end = auth + strcspn(auth, "/?#");
	for (host = auth, p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	colon = NULL;
	if (*host == '[') {
		for (p = host; p < end && *p != ']'; p++)
			continue;
		if (p < end && p + 1 < end && p[1] == ':')
			colon = p + 1;
	} else
		for (p = host; p < end; p++)
			if (*p == ':')
				colon = p;

	alen = (size_t)(end - url);
	if (colon == NULL) {
		if ((v = malloc(strlen(url) + strlen(port) + 2)) == NULL)
			return ERR_NOMEM;
		memcpy(v, url, alen);
		v[alen] = ':';
		strcpy(v + alen + 1, port);
		strcat(v, end);
	} else {
		if ((size_t)(end - colon - 1) != strlen(port) ||
		    memcmp(colon + 1, port, strlen(port)) != 0)
			return ERR_OK;
		if ((v = malloc(strlen(url) + 1)) == NULL)
			return ERR_NOMEM;
		memcpy(v, url, (size_t)(colon - url));
		strcpy(v + (colon - url), end);
	}
	*out = v;
	return ERR_OK;
}

/*
 * Whether url's query carries bodySHA256 equal to the SHA-256 of the body
 * (hex, either case). A query that does not decode fails closed.
 */
static bool
body_matches(const char *url, const char *body, size_t bodylen)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[SHA256_DIGEST_LENGTH];
	char			 want[SHA256_DIGEST_LENGTH * 2];
	char			 got[SHA256_DIGEST_LENGTH * 2];
	struct form		 q = { NULL, 0 };
	const char		*query, *v;
	size_t			 i;
	bool			 ok = false;

	if ((query = strchr(url, '?')) == NULL)
		return false;
	query++;
	if (body == NULL && bodylen > 0)
		return false;
	if (form_parse(&q, query, strcspn(query, "#")) != ERR_OK)
		goto fail;
	if ((v = form_get(&q, "bodySHA256")) == NULL ||
	    strlen(v) != sizeof(got))
		goto fail;
	for (i = 0; i < sizeof(got); i++) {
		if (hex_digit((unsigned char)v[i]) < 0)
			goto fail;
		/* ASCII hex: setting 0x20 lowers letters, keeps digits. */
		got[i] = (char)(v[i] | 0x20);
	}
	if (SHA256((const unsigned char *)(body != NULL ? body : ""),
	    bodylen, md) == NULL)
		goto fail;
	for (i = 0; i < sizeof(md); i++) {
		want[2 * i] = hex[md[i] >> 4];
		want[2 * i + 1] = hex[md[i] & 0xf];
	}
	ok = CRYPTO_memcmp(want, got, sizeof(want)) == 0;
fail:
	form_free(&q);
	return ok;
}

bool
sig_valid(const char *const *tokens, size_t ntokens, const char *url,
    const struct form *params, const char *body, size_t bodylen,
    const char *header)
{
	unsigned char	 want[SIG_LEN], got[SIG_LEN];
	const char	*urls[2];
	char		*alt = NULL, *ptext = NULL;
	size_t		 i, j;
	bool		 ok = false;

	if (tokens == NULL || url == NULL || decode_header(header, want) != ERR_OK)
		return false;
	if (params == NULL && !body_matches(url, body, bodylen))
		return false;
	if (params_text(params, &ptext) != ERR_OK ||
	    port_variant(url, &alt) != ERR_OK)
		goto fail;
	urls[0] = url;
	urls[1] = alt;
	/* No early exit: the time taken does not tell which token matched. */
	for (i = 0; i < ntokens; i++) {
		if (tokens[i] == NULL || tokens[i][0] == '\0')
			continue;
		for (j = 0; j < 2; j++) {
			if (urls[j] == NULL)
				continue;
			if (hmac_url(tokens[i], urls[j], ptext, got) != ERR_OK)
				goto fail;
			if (CRYPTO_memcmp(got, want, SIG_LEN) == 0)
				ok = true;
		}
	}
fail:
	OPENSSL_cleanse(got, sizeof(got));
	free(alt);
	free(ptext);
	return ok;
}
