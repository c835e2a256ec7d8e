/*
 * fuzz_filter: filter_scan and filter_redact on any bytes must not crash
 * or read past the text; hits come in order, inside the text, without
 * overlap; filter_scan counts them all whatever max is; redacting a text
 * with no hit gives it back unchanged; redacting valid UTF-8 gives valid
 * UTF-8; and a redacted text, the mark being text without digits, holds no
 * hit when scanned again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "svc/filter.h"

#define HITS_MAX	64

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
valid_utf8(const char *s, size_t n)
{
	unsigned long	 cp;
	size_t		 i, l;

	for (i = 0; i < n; i += l)
		if ((l = utf8_decode((const unsigned char *)s + i, n - i,
		    &cp)) == 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_hit	 hits[HITS_MAX], again[HITS_MAX];
	struct buf		 out;
	const char		*text;
	char			*copy;
	size_t			 n, m, i, replaced, end = 0;

	/* A copy of exactly size bytes, so that ASan sees any read past it. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	text = copy;
	n = filter_scan(text, size, hits, HITS_MAX);
	for (i = 0; i < n && i < HITS_MAX; i++) {
		if (hits[i].len == 0 || hits[i].off < end ||
		    hits[i].off + hits[i].len > size ||
		    (hits[i].kind != FILTER_PHONE &&
		    hits[i].kind != FILTER_EMAIL))
			abort();
		end = hits[i].off + hits[i].len;
	}
	if (filter_scan(text, size, NULL, 0) != n)
		abort();
	if (n > 0 && (filter_scan(text, size, again, 1) != n ||
	    memcmp(&again[0], &hits[0], sizeof(hits[0])) != 0))
		abort();

	buf_init(&out, 16 * size + 64);
	if (filter_redact(text, size, FILTER_MARK, &out, &replaced) != ERR_OK ||
	    replaced != n)
		abort();
	if (valid_utf8(text, size) && !valid_utf8(out.data == NULL ? "" :
	    out.data, out.len))
		abort();
	if (n == 0 && (out.len != size || memcmp(out.data == NULL ? "" :
	    out.data, text, size) != 0))
		abort();
	if (filter_scan(out.data == NULL ? "" : out.data, out.len, NULL, 0) !=
	    0)
		abort();
	buf_free(&out);
	free(copy);
	return 0;
}
