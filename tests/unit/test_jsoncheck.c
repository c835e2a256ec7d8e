#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsoncheck.h"
#include "t.h"

/* Whether s[0..len) passes with max_depth; prints why not otherwise. */
static int
good_n(const char *s, size_t len, int max_depth)
{
	const char	*why = NULL;
	size_t		 at = 0;

	if (jsoncheck(s, len, max_depth, &why, &at) == ERR_OK)
		return 1;
	fprintf(stderr, "good(%.*s): refused: %s at %zu\n", (int)len, s,
	    why != NULL ? why : "(null)", at);
	return 0;
}

/* Whether s[0..len) is refused with exactly why, at byte at. */
static int
bad_n(const char *s, size_t len, int max_depth, const char *why, size_t at)
{
	const char	*w = NULL;
	size_t		 a = (size_t)-1;
	enum err	 e;

	e = jsoncheck(s, len, max_depth, &w, &a);
	if (e == ERR_PARSE && w != NULL && strcmp(w, why) == 0 && a == at)
		return 1;
	fprintf(stderr, "bad(%.*s): err %d, \"%s\" at %zu; want \"%s\" at %zu\n",
	    (int)len, s, e, w != NULL ? w : "(null)", a, why, at);
	return 0;
}

/*
 * One case: text s of len bytes, checked with max_depth; why NULL means it
 * must pass, otherwise it must be refused with why at byte at.
 */
struct jcase {
	const char	*s;
	size_t		 len;
	int		 depth;
	const char	*why;
	size_t		 at;
};

/* A string literal's case at depth 8 (SESSREQ_MAX_DEPTH): good or bad. */
#define GOOD(s)		{ (s), sizeof(s) - 1, 8, NULL, 0 }
#define BAD(s, why, at)	{ (s), sizeof(s) - 1, 8, (why), (at) }

/*
 * Checks every case of a table. A failure names the case: good_n and bad_n
 * print its text, T_CHECK_CASE its row and what was wanted.
 */
static void
check_cases(const struct jcase *c, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (c[i].why == NULL)
			T_CHECK_CASE(good_n(c[i].s, c[i].len, c[i].depth), i,
			    "passes");
		else
			T_CHECK_CASE(bad_n(c[i].s, c[i].len, c[i].depth,
			    c[i].why, c[i].at), i, c[i].why);
	}
}

#define CHECK_CASES(tab)	check_cases((tab), T_NCASES(tab))

static void
test_valid(void)
{
	static const struct jcase cases[] = {
		GOOD("{}"),
		GOOD("[]"),
		GOOD("\"\""),
		GOOD("0"),
		GOOD("-0"),
		GOOD("true"),
		GOOD("false"),
		GOOD("null"),
		GOOD(" \t\r\n{ \"a\" : [ 1 , -2.5e-3 , 1E+2 , 0.5 , true , false , "
		    "null ] , \"b\" : { } , \"c\" : \"\" } \n\t\r "),
		GOOD("{\"addresses\":[\"+14155551234\",\"+12125551234\"],"
		    "\"friendlyName\":\"x\",\"timers\":{\"inactive\":\"PT1H\"},"
		    "\"attributes\":{\"a\":1}}"),
		/* Every escape, and a surrogate pair. */
		GOOD("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\uFFFF\""),
		/* Raw UTF-8 of every length, up to the edges of the valid ranges. */
		GOOD("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""),
		GOOD("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
		    "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""),
		/* 64-bit integers and doubles at their edges. */
		GOOD("[9223372036854775807,-9223372036854775808,1e308,-1.7976931348623157e308]"),
		/* The same key in different objects is no duplicate. */
		GOOD("{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}"),
		/* Keys are compared as bytes, past an escaped NUL too. */
		GOOD("{\"a\\u0000b\":1,\"a\\u0000c\":2,\"a\\u0000\":3,\"a\":4}"),
		GOOD("{\"a\":1,\"A\":2,\"a \":3,\"\\u00e9\":4,\"\xc3\xa8\":5}"),
		/* Only len bytes count: what follows is not looked at. */
		{ "{}garbage", 2, 8, NULL, 0 },
	};

	CHECK_CASES(cases);
}

static void
test_strings(void)
{
	static const struct jcase cases[] = {
		BAD("{1:2}", "expected a string in double quotes", 1),
		BAD("{\"a\":1,}", "expected a string in double quotes", 7),
		BAD("{'a':1}", "expected a string in double quotes", 1),
		BAD("\"a\x01\"", "control character inside a string", 2),
		BAD("[\"\t\"]", "control character inside a string", 2),
		BAD("\"a\nb\"", "control character inside a string", 2),
		{ "\"a\0\"", 4, 8, "control character inside a string", 2 },
		BAD("\"abc", "unterminated string", 4),
		BAD("\"abc\\", "unterminated string", 5),
		BAD("{\"a", "unterminated string", 3),
		BAD("\"\\x\"", "invalid escape in a string", 3),
		BAD("\"\\'\"", "invalid escape in a string", 3),
		BAD("\"\\U00e9\"", "invalid escape in a string", 3),
		BAD("\"\\u12g4\"", "malformed \\u escape", 3),
		BAD("\"\\u12\"", "malformed \\u escape", 3),
		BAD("\"\\u", "malformed \\u escape", 3),
	};

	CHECK_CASES(cases);
}

static void
test_surrogates(void)
{
	static const struct jcase cases[] = {
		BAD("\"\\udc00\"", "lone surrogate escape", 7),
		BAD("\"\\uDFFF\"", "lone surrogate escape", 7),
		BAD("\"\\ud800\"", "lone surrogate escape", 7),
		BAD("\"\\ud800x\"", "lone surrogate escape", 7),
		BAD("\"\\ud800\\n\"", "lone surrogate escape", 7),
		BAD("\"\\ud800\\u0041\"", "lone surrogate escape", 13),
		BAD("\"\\ud800\\ud800\"", "lone surrogate escape", 13),
		BAD("\"\\ud800\\u12\"", "lone surrogate escape", 9),
	};

	CHECK_CASES(cases);
}

static void
test_utf8(void)
{
	static const struct jcase cases[] = {
		/* Overlong forms. */
		BAD("\"\xc0\xaf\"", "invalid UTF-8", 1),
		BAD("\"\xc1\xbf\"", "invalid UTF-8", 1),
		BAD("\"\xe0\x80\xaf\"", "invalid UTF-8", 1),
		BAD("\"ab\xf0\x80\x80\xaf\"", "invalid UTF-8", 3),
		/* Surrogates, and past U+10FFFF. */
		BAD("\"ab\xed\xa0\x80\"", "invalid UTF-8", 3),
		BAD("\"\xed\xbf\xbf\"", "invalid UTF-8", 1),
		BAD("\"\xf4\x90\x80\x80\"", "invalid UTF-8", 1),
		BAD("\"\xf5\x80\x80\x80\"", "invalid UTF-8", 1),
		BAD("\"\xf8\x88\x80\x80\x80\"", "invalid UTF-8", 1),
		/* Lone continuation bytes, bytes never in UTF-8, cut sequences. */
		BAD("\"\x80\"", "invalid UTF-8", 1),
		BAD("\"\xbf\"", "invalid UTF-8", 1),
		BAD("\"\xfe\"", "invalid UTF-8", 1),
		BAD("\"\xff\"", "invalid UTF-8", 1),
		BAD("\"\xe2\x82\"", "invalid UTF-8", 1),
		BAD("\"x\xc3\"", "invalid UTF-8", 2),
		BAD("\"\xe2\x82", "invalid UTF-8", 1),
		BAD("\"\xf0\x9f\x98", "invalid UTF-8", 1),
		/* In keys as in values. */
		BAD("{\"\xc0\x80\":1}", "invalid UTF-8", 2),
	};

	CHECK_CASES(cases);
}

static void
test_numbers(void)
{
	static const struct jcase cases[] = {
		BAD("-", "malformed number", 1),
		BAD("-a", "malformed number", 1),
		BAD("1.", "malformed number", 2),
		BAD("1.e5", "malformed number", 2),
		BAD("1e", "malformed number", 2),
		BAD("1e+", "malformed number", 3),
		BAD("[1E-]", "malformed number", 4),
		BAD("1e400", "number out of range", 5),
		BAD("[-1e400]", "number out of range", 7),
		BAD("9223372036854775808", "number out of range", 19),
		BAD("-9223372036854775809", "number out of range", 20),
		BAD("{\"n\":123456789012345678901234567890}", "number out of range", 35),
		/* A leading zero ends the number: what follows is more text. */
		BAD("01", "text after the JSON value", 1),
		BAD("[01]", "expected ',' or ']' in an array", 2),
		BAD("-01", "text after the JSON value", 2),
		BAD(".5", "unexpected character", 0),
		BAD("+1", "unexpected character", 0),
		BAD("0x10", "text after the JSON value", 1),
	};

	CHECK_CASES(cases);
}

static void
test_literals(void)
{
	static const struct jcase cases[] = {
		BAD("tru", "unexpected character", 0),
		BAD("nul", "unexpected character", 0),
		BAD("True", "unexpected character", 0),
		BAD("NaN", "unexpected character", 0),
		BAD("-Infinity", "malformed number", 1),
		BAD("Infinity", "unexpected character", 0),
		BAD("undefined", "unexpected character", 0),
		BAD("{\"a\":tRue}", "unexpected character", 5),
		BAD("[1,]", "unexpected character", 3),
		BAD("'a'", "unexpected character", 0),
		{ "[1,\0]", 5, 8, "unexpected character", 3 },
		BAD("truex", "text after the JSON value", 4),
	};

	CHECK_CASES(cases);
}

static void
test_structure(void)
{
	static const struct jcase cases[] = {
		BAD("{\"a\" 1}", "expected ':' after an object key", 5),
		BAD("{\"a\"}", "expected ':' after an object key", 4),
		BAD("{\"a\":1 \"b\":2}", "expected ',' or '}' in an object", 7),
		BAD("{\"a\":1]", "expected ',' or '}' in an object", 6),
		BAD("{\"a\":1", "expected ',' or '}' in an object", 6),
		BAD("[1 2]", "expected ',' or ']' in an array", 3),
		BAD("[1}", "expected ',' or ']' in an array", 2),
		BAD("[1", "expected ',' or ']' in an array", 2),
		BAD("", "unexpected end of the text", 0),
		BAD("   ", "unexpected end of the text", 3),
		BAD("[", "unexpected end of the text", 1),
		BAD("[1,", "unexpected end of the text", 3),
		BAD("{\"a\":", "unexpected end of the text", 5),
		BAD("{} {}", "text after the JSON value", 3),
		BAD("1 2", "text after the JSON value", 2),
		BAD("{}x", "text after the JSON value", 2),
		BAD("[]]", "text after the JSON value", 2),
		BAD("\"a\"\"b\"", "text after the JSON value", 3),
	};

	CHECK_CASES(cases);
}

static void
test_duplicates(void)
{
	static const struct jcase cases[] = {
		BAD("{\"a\":1,\"a\":2}", "duplicate key in an object", 13),
		BAD("{\"a\":1,\"b\":2,\"a\":{}}", "duplicate key in an object", 20),
		/* Keys are compared decoded. */
		BAD("{\"a\":1,\"\\u0061\":2}", "duplicate key in an object", 18),
		BAD("{\"\xc3\xa9\":1,\"\\u00e9\":2}", "duplicate key in an object", 19),
		BAD("{\"\\/\":1,\"/\":2}", "duplicate key in an object", 14),
		BAD("[{\"x\":1,\"x\":1}]", "duplicate key in an object", 14),
		BAD("{\"\":1,\"\":2}", "duplicate key in an object", 11),
	};

	CHECK_CASES(cases);
}

static void
test_depth(void)
{
	char	 s[64];
	int	 i;

	static const struct jcase cases[] = {
		{ "[[]]", 4, 2, NULL, 0 },
		{ "[[]]", 4, 1, "nested too deep", 1 },
		{ "{\"a\":{\"b\":[]}}", 14, 3, NULL, 0 },
		{ "{\"a\":{\"b\":[]}}", 14, 2, "nested too deep", 10 },
		/* 0: scalars only. */
		{ "1", 1, 0, NULL, 0 },
		{ "{}", 2, 0, "nested too deep", 0 },
		/* Siblings do not add up: depth, not count. */
		{ "[[],[],{},[{}]]", 15, 3, NULL, 0 },
	};

	CHECK_CASES(cases);

	/* SESSREQ_MAX_DEPTH is 8: eight levels pass, nine do not. */
	for (i = 0; i < 8; i++) {
		s[i] = '[';
		s[15 - i] = ']';
	}
	T_CHECK(good_n(s, 16, 8));
	for (i = 0; i < 9; i++) {
		s[i] = '[';
		s[17 - i] = ']';
	}
	T_CHECK(bad_n(s, 18, 8, "nested too deep", 8));
}

static void
test_limits(void)
{
	struct buf	 b;
	size_t		 at;
	int		 i;
	char		 num[80];

	/* 1024 keys in one object pass; the 1025th is refused where it starts. */
	buf_init(&b, 1 << 20);
	buf_putc(&b, '{');
	for (i = 0; i < 1024; i++)
		buf_printf(&b, "%s\"k%d\":%d", i > 0 ? "," : "", i, i);
	buf_putc(&b, '}');
	T_CHECK(good_n(buf_str(&b), b.len, 8));
	b.len--;
	at = b.len + 1;
	buf_printf(&b, ",\"k1024\":0}");
	T_CHECK(bad_n(buf_str(&b), b.len, 8, "too many keys in one object", at));
	/* The limit is per object: two of 1024 each pass. */
	buf_reset(&b);
	buf_puts(&b, "[{");
	for (i = 0; i < 1024; i++)
		buf_printf(&b, "%s\"k%d\":0", i > 0 ? "," : "", i);
	buf_puts(&b, "},{");
	for (i = 0; i < 1024; i++)
		buf_printf(&b, "%s\"k%d\":0", i > 0 ? "," : "", i);
	buf_puts(&b, "}]");
	T_CHECK(good_n(buf_str(&b), b.len, 8));
	buf_free(&b);

	/* A number of 63 characters is read; of 64, refused unread. */
	memset(num, '0', sizeof(num));
	num[1] = '.';
	num[62] = '1';
	T_CHECK(good_n(num, 63, 8));
	num[63] = '1';
	T_CHECK(bad_n(num, 64, 8, "number out of range", 64));
}

int
main(void)
{
	T_RUN(test_valid);
	T_RUN(test_strings);
	T_RUN(test_surrogates);
	T_RUN(test_utf8);
	T_RUN(test_numbers);
	T_RUN(test_literals);
	T_RUN(test_structure);
	T_RUN(test_duplicates);
	T_RUN(test_depth);
	T_RUN(test_limits);
	T_END();
}
