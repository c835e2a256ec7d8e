#include <string.h>

#include "t.h"
#include "core/utf8.h"

/* Whether cp encodes to exactly the bytes of want, and decodes back. */
static int
round_trip(unsigned long cp, const char *want)
{
	char		 b[4];
	size_t		 n;
	unsigned long	 back = 0;

	n = utf8_encode(cp, b);
	return n == strlen(want) && memcmp(b, want, n) == 0 &&
	    utf8_decode((const unsigned char *)b, n, &back) == n && back == cp;
}

static void
test_lengths(void)
{
	T_CHECK(round_trip('A', "A"));
	T_CHECK(round_trip(0x7f, "\x7f"));
	T_CHECK(round_trip(0x80, "\xc2\x80"));
	T_CHECK(round_trip(0xe9, "\xc3\xa9"));
	T_CHECK(round_trip(0x7ff, "\xdf\xbf"));
	T_CHECK(round_trip(0x800, "\xe0\xa0\x80"));
	T_CHECK(round_trip(0x20ac, "\xe2\x82\xac"));
	T_CHECK(round_trip(0xd7ff, "\xed\x9f\xbf"));
	T_CHECK(round_trip(0xe000, "\xee\x80\x80"));
	T_CHECK(round_trip(0xffff, "\xef\xbf\xbf"));
	T_CHECK(round_trip(0x10000, "\xf0\x90\x80\x80"));
	T_CHECK(round_trip(0x1f600, "\xf0\x9f\x98\x80"));
	T_CHECK(round_trip(0x10ffff, "\xf4\x8f\xbf\xbf"));
}

static void
test_nul(void)
{
	char	b[4] = { 'x', 'x', 'x', 'x' };

	T_CHECK(utf8_encode(0, b) == 1 && b[0] == '\0' && b[1] == 'x');
}

static void
test_refused(void)
{
	char	b[4] = { 'x', 'x', 'x', 'x' };

	T_CHECK(utf8_encode(0xd800, b) == 0);
	T_CHECK(utf8_encode(0xdbff, b) == 0);
	T_CHECK(utf8_encode(0xdc00, b) == 0);
	T_CHECK(utf8_encode(0xdfff, b) == 0);
	T_CHECK(utf8_encode(0x110000, b) == 0);
	T_CHECK(utf8_encode(0xffffffffUL, b) == 0);
	T_CHECK(memcmp(b, "xxxx", 4) == 0);
}

/* Every code point utf8_decode takes comes back from utf8_encode. */
static void
test_every_code_point(void)
{
	unsigned long	 cp, back;
	char		 b[4];
	size_t		 n;
	int		 bad = 0;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		n = utf8_encode(cp, b);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			bad += n != 0;
			continue;
		}
		bad += n == 0 || utf8_decode((const unsigned char *)b, n,
		    &back) != n || back != cp;
	}
	T_CHECK(bad == 0);
}

int
main(void)
{
	T_RUN(test_lengths);
	T_RUN(test_nul);
	T_RUN(test_refused);
	T_RUN(test_every_code_point);
	T_END();
}
