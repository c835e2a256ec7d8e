#include <stdio.h>
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
	/* Every length, at the edges of its range. */
	static const struct {
		unsigned long	 cp;
		const char	*want;
	} cases[] = {
		{ 'A', "A" },
		{ 0x7f, "\x7f" },
		{ 0x80, "\xc2\x80" },
		{ 0xe9, "\xc3\xa9" },
		{ 0x7ff, "\xdf\xbf" },
		{ 0x800, "\xe0\xa0\x80" },
		{ 0x20ac, "\xe2\x82\xac" },
		{ 0xd7ff, "\xed\x9f\xbf" },
		{ 0xe000, "\xee\x80\x80" },
		{ 0xffff, "\xef\xbf\xbf" },
		{ 0x10000, "\xf0\x90\x80\x80" },
		{ 0x1f600, "\xf0\x9f\x98\x80" },
		{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
	};
	size_t	 i;
	char	 label[16];

	for (i = 0; i < T_NCASES(cases); i++) {
		snprintf(label, sizeof(label), "U+%04lX", cases[i].cp);
		T_CHECK_CASE(round_trip(cases[i].cp, cases[i].want), i, label);
	}
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
	/* Surrogates, and past U+10FFFF: nothing written. */
	static const unsigned long cases[] = {
		0xd800, 0xdbff, 0xdc00, 0xdfff, 0x110000, 0xffffffffUL,
	};
	char	 b[4] = { 'x', 'x', 'x', 'x' };
	char	 label[16];
	size_t	 i;

	for (i = 0; i < T_NCASES(cases); i++) {
		snprintf(label, sizeof(label), "U+%04lX", cases[i]);
		T_CHECK_CASE(utf8_encode(cases[i], b) == 0, i, label);
	}
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
