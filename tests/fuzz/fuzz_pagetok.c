/*
 * fuzz_pagetok: any text sent back as a page token, and any
 * meta.next_page_url Twilio sends, must be read or refused cleanly; what
 * is read must encode again and decode to the same fields.
 *
 * The input is used three ways: as a token; as a URL; and as a payload,
 * signed here with the key the way pagetok_encode() signs, so that the
 * payload's parsing is reached past the MAC. A token decoded from a
 * payload must encode back to the very same token (one spelling).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "svc/pagetok.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The longest input also tried as a payload (the longest good one is 365). */
#define PAYLOAD_IN_MAX	400

/* Base64url without padding of the n bytes at in, into out. */
static void
b64url(char *out, const unsigned char *in, size_t n)
{
	unsigned char	 tmp[(PAYLOAD_IN_MAX + 2) / 3 * 4 + 1];
	size_t		 i;

	EVP_EncodeBlock(tmp, in, (int)n);
	for (i = 0; tmp[i] != '\0' && tmp[i] != '='; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
	out[i] = '\0';
}

static void
same_or_abort(const struct pagetok *a, const struct pagetok *b)
{
	if (a->kind != b->kind || strcmp(a->scope, b->scope) != 0 ||
	    strcmp(a->twilio_token, b->twilio_token) != 0 ||
	    a->page != b->page || a->size != b->size)
		abort();
}

/* p must encode, and its token decode to p again; returns the token. */
static void
round_trip(const struct pagetok *p, const unsigned char *key, char *out)
{
	struct pagetok	 q;

	if (pagetok_encode(p, key, PAGETOK_KEY_LEN, out, PAGETOK_MAX) !=
	    ERR_OK || strlen(out) >= PAGETOK_MAX)
		abort();
	if (pagetok_decode(&q, key, PAGETOK_KEY_LEN, out) != ERR_OK)
		abort();
	same_or_abort(p, &q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	 key[PAGETOK_KEY_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 tok[(PAYLOAD_IN_MAX + 2) / 3 * 4 + 32], again[PAGETOK_MAX];
	char		*s;
	struct pagetok	 p;
	size_t		 n;

	if (pagetok_key("fuzz secret", key) != ERR_OK)
		abort();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (pagetok_decode(&p, key, sizeof(key), s) == ERR_OK)
		round_trip(&p, key, again);

	memset(&p, 0, sizeof(p));
	p.kind = 'm';
	p.size = 50;
	if (pagetok_from_url(&p, s) == ERR_OK) {
		if (p.twilio_token[0] == '\0' && p.page == 0 &&
		    strstr(s, "Page=") == NULL)
			abort();
		round_trip(&p, key, again);
	}

	/* The input as a signed payload. */
	if (size <= PAYLOAD_IN_MAX) {
		b64url(tok, data, size);
		n = strlen(tok);
		tok[n++] = '.';
		if (HMAC(EVP_sha256(), key, sizeof(key), data, size, md,
		    &mdlen) == NULL)
			abort();
		b64url(tok + n, md, 16);
		if (pagetok_decode(&p, key, sizeof(key), tok) == ERR_OK) {
			round_trip(&p, key, again);
			if (strcmp(again, tok) != 0)
				abort();
		}
	}
	free(s);
	return 0;
}
