#include <string.h>

#include "core/utf8.h"
#include "t.h"

static size_t
dec(const char *s, unsigned long *cp)
{
	return utf8_decode((const unsigned char *)s, strlen(s), cp);
}

static void
test_decode(void)
{
	unsigned long cp = 0;

	T_CHECK(dec("A", &cp) == 1 && cp == 'A');
	T_CHECK(dec("\xc3\xa9", &cp) == 2 && cp == 0xe9);
	T_CHECK(dec("\xe2\x82\xac", &cp) == 3 && cp == 0x20ac);
	T_CHECK(dec("\xf0\x9f\x98\x80", &cp) == 4 && cp == 0x1f600);
	T_CHECK(dec("\xf4\x8f\xbf\xbf", &cp) == 4 && cp == 0x10ffff);
	/* Overlong, surrogates, past U+10FFFF, stray and cut sequences. */
	T_CHECK(dec("\xc0\xaf", &cp) == 0);
	T_CHECK(dec("\xc1\xbf", &cp) == 0);
	T_CHECK(dec("\xe0\x80\xaf", &cp) == 0);
	T_CHECK(dec("\xf0\x80\x80\xaf", &cp) == 0);
	T_CHECK(dec("\xed\xa0\x80", &cp) == 0);
	T_CHECK(dec("\xf4\x90\x80\x80", &cp) == 0);
	T_CHECK(dec("\xf5\x80\x80\x80", &cp) == 0);
	T_CHECK(dec("\x80", &cp) == 0);
	T_CHECK(dec("\xff", &cp) == 0);
	T_CHECK(dec("\xe2\x82", &cp) == 0);
	T_CHECK(dec("\xe2\x41\xac", &cp) == 0);
	T_CHECK(utf8_decode((const unsigned char *)"", 0, &cp) == 0);
	/* n counts: a sequence longer than n is cut short. */
	T_CHECK(utf8_decode((const unsigned char *)"\xc3\xa9", 1, &cp) == 0);
}

static void
test_cut(void)
{
	T_CHECK(utf8_cut("abc", 10) == 3);
	T_CHECK(utf8_cut("abc", 3) == 3);
	T_CHECK(utf8_cut("abcd", 3) == 3);
	T_CHECK(utf8_cut("ab\xc3\xa9", 3) == 2);
	T_CHECK(utf8_cut("ab\xc3\xa9", 4) == 4);
	T_CHECK(utf8_cut("a\xe2\x82\xac", 2) == 1);
	T_CHECK(utf8_cut("a\xe2\x82\xac", 3) == 1);
	T_CHECK(utf8_cut("a\xe2\x82\xacz", 4) == 4);
	T_CHECK(utf8_cut("\xf0\x9f\x98\x80", 3) == 0);
	T_CHECK(utf8_cut("", 0) == 0);
}

static void
test_trim(void)
{
	char s[8];

	/* Filled to the brim, the last character cut: dropped. */
	memcpy(s, "abcdef\xe2", 7);
	s[7] = '\0';
	utf8_trim(s, sizeof(s));
	T_STREQ(s, "abcdef");
	memcpy(s, "abcd\xe2\x82\xac", 8);	/* whole: kept */
	utf8_trim(s, 8);
	T_CHECK(strlen(s) == 7);
	memcpy(s, "abcde\xe2\x82", 8);
	s[7] = '\0';
	utf8_trim(s, sizeof(s));
	T_STREQ(s, "abcde");
	/* Shorter than its buffer: not cut, left alone. */
	strcpy(s, "ab\xc3");
	utf8_trim(s, sizeof(s));
	T_STREQ(s, "ab\xc3");
}

static void
test_valid(void)
{
	T_CHECK(utf8_valid("", 0));
	T_CHECK(utf8_valid("abc", 3));
	T_CHECK(utf8_valid("\xe2\x82\xac", 3));
	T_CHECK(!utf8_valid("\xe2\x82", 2));		/* cut short */
	T_CHECK(!utf8_valid("\xff\xfe", 2));
	T_CHECK(!utf8_valid("a\0b", 3));		/* NUL */
	T_CHECK(!utf8_valid("\xed\xa0\x80", 3));	/* a surrogate */
	T_CHECK(!utf8_valid("\xc0\xaf", 2));		/* overlong */
}

int
main(void)
{
	T_RUN(test_decode);
	T_RUN(test_cut);
	T_RUN(test_trim);
	T_RUN(test_valid);
	T_END();
}
