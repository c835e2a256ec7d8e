/*
 * fuzz_sessattr: any stored attributes text must split without a crash,
 * and what join takes, split gives back.
 *
 * The input is used two ways:
 * - as stored text: split gives (caller, s); the caller's text never has
 *   our key at its top level; when join takes (caller, s) again, split of
 *   the result gives the same caller's text and the same s;
 * - as a caller's text, with settings made from its first bytes: when
 *   join takes it, split gives it back byte for byte with the settings.
 * sessattr_time_parse must read back what sessattr_time_format wrote.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "svc/sessattr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
same(const struct sessattr *a, const struct sessattr *b)
{
	return a->ttl == b->ttl && a->expiry == b->expiry &&
	    a->mode == b->mode && a->changed == b->changed;
}

/* Whether text parses to an object with our key at its top level. */
static int
has_key(const char *text)
{
	json_object	*j;
	int		 has;

	if ((j = json_tokener_parse(text)) == NULL)
		return 0;
	has = json_object_is_type(j, json_type_object) &&
	    json_object_object_get_ex(j, SESSATTR_KEY, NULL);
	json_object_put(j);
	return has;
}

/* join(text, s), then split: must give text and s back. */
static void
join_split(const char *text, size_t len, const struct sessattr *s)
{
	struct sessattr	 got;
	struct buf	 b;
	const char	*why = NULL;
	char		*back = NULL;
	enum err	 e;

	buf_init(&b, 1 << 20);
	e = sessattr_join(text, len, s, &b, &why);
	if (e == ERR_INVAL && (why == NULL || why[0] == '\0'))
		abort();
	if (e == ERR_OK) {
		if (sessattr_split(b.len > 0 ? buf_str(&b) : NULL, &back,
		    &got) != ERR_OK)
			abort();
		if (len == 0 ? strcmp(back, "{}") != 0 :
		    strlen(back) != len || memcmp(back, text, len) != 0)
			abort();
		if (!same(&got, s))
			abort();
		free(back);
	}
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long ttls[] = { 0, 600, 3600, 86400, 2147483647 };
	struct sessattr	 s, t;
	char		*text, *caller = NULL, when[21];
	long long	 ts;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	/* As stored in Twilio (up to the first NUL). */
	if (sessattr_split(text, &caller, &s) != ERR_OK)
		abort();
	if (has_key(caller))
		abort();
	if (s.expiry != 0) {
		sessattr_time_format(s.expiry, when);
		if (sessattr_time_parse(when) != s.expiry)
			abort();
	}
	join_split(caller, strlen(caller), &s);
	free(caller);

	/* As a caller's text, with settings from its first bytes. */
	memset(&t, 0, sizeof(t));
	if (size > 0) {
		t.ttl = ttls[data[0] % 5];
		t.mode = (enum sessattr_mode)(data[0] / 5 % 4);
		t.changed = data[0] & 0x80;
		t.expiry = size > 1 ? (long long)data[1] * 86400 * 365 : 0;
	}
	join_split(text, size, &t);

	/* Any text as a date: what parses, formats back to the same time. */
	if ((ts = sessattr_time_parse(text)) >= 0) {
		sessattr_time_format(ts, when);
		if (sessattr_time_parse(when) != ts)
			abort();
	}
	free(text);
	return 0;
}
