/*
 * fuzz_form: form_parse on any bytes must not crash, and whatever it
 * decodes must survive a round trip through form_add and form_parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f, g;
	struct buf	 b;
	size_t		 i;

	if (form_parse(&f, (const char *)data, size) != ERR_OK)
		return 0;
	buf_init(&b, 3 * size + f.n + 16);
	for (i = 0; i < f.n; i++)
		if (form_add(&b, f.pairs[i].name, f.pairs[i].value) != ERR_OK)
			abort();
	if (form_parse(&g, buf_str(&b), b.len) != ERR_OK)
		abort();
	/* Empty names with empty values vanish ("=" is a pair, "" is not). */
	if (g.n > f.n)
		abort();
	for (i = 0; i < g.n; i++)
		if (strcmp(f.pairs[i].name, g.pairs[i].name) != 0 ||
		    strcmp(f.pairs[i].value, g.pairs[i].value) != 0)
			abort();
	if (f.n > 0 && form_get(&f, f.pairs[0].name) != f.pairs[0].value)
		abort();
	form_free(&g);
	form_free(&f);
	buf_free(&b);
	return 0;
}
