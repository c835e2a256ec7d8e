#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "t.h"

static enum err
parse(struct form *f, const char *s)
{
	return form_parse(f, s, strlen(s));
}

static void
test_basic(void)
{
	struct form	 f;

	T_CHECK(parse(&f, "a=1&b=two&c=") == ERR_OK);
	T_CHECK(f.n == 3);
	T_STREQ(form_get(&f, "a"), "1");
	T_STREQ(form_get(&f, "b"), "two");
	T_STREQ(form_get(&f, "c"), "");
	T_CHECK(form_get(&f, "d") == NULL);
	T_CHECK(form_get(&f, NULL) == NULL);
	T_CHECK(form_get(NULL, "a") == NULL);
	form_free(&f);
	T_CHECK(f.n == 0 && f.pairs == NULL);
	form_free(&f);
	form_free(NULL);
}

static void
test_plus_and_escapes(void)
{
	struct form	 f;

	T_CHECK(parse(&f, "a=x+y&b=%2B1&c=%2b1&d=%41%62%7e&e=%e2%82%AC"
	    "&f+g=1+%2B+2") == ERR_OK);
	T_STREQ(form_get(&f, "a"), "x y");
	T_STREQ(form_get(&f, "b"), "+1");
	T_STREQ(form_get(&f, "c"), "+1");
	T_STREQ(form_get(&f, "d"), "Ab~");
	T_STREQ(form_get(&f, "e"), "\xe2\x82\xac");
	T_STREQ(form_get(&f, "f g"), "1 + 2");
	form_free(&f);
}

static void
test_equals(void)
{
	struct form	 f;

	/* Split on the first '=' only; a name alone has the empty value. */
	T_CHECK(parse(&f, "a=b=c&flag&=v&%3D=%26") == ERR_OK);
	T_CHECK(f.n == 4);
	T_STREQ(form_get(&f, "a"), "b=c");
	T_STREQ(form_get(&f, "flag"), "");
	T_STREQ(form_get(&f, ""), "v");
	T_STREQ(form_get(&f, "="), "&");
	form_free(&f);
}

static void
test_repeated(void)
{
	struct form	 f;

	T_CHECK(parse(&f, "d=1&x=0&d=2&d=1") == ERR_OK);
	T_CHECK(f.n == 4);
	T_STREQ(form_get(&f, "d"), "1");
	T_STREQ(f.pairs[0].value, "1");
	T_STREQ(f.pairs[2].value, "2");
	T_STREQ(f.pairs[3].value, "1");
	form_free(&f);
}

static void
test_empty_pairs(void)
{
	struct form	 f;

	T_CHECK(parse(&f, "&&a=1&&&b=2&") == ERR_OK);
	T_CHECK(f.n == 2);
	T_STREQ(f.pairs[0].name, "a");
	T_STREQ(f.pairs[1].name, "b");
	form_free(&f);
	T_CHECK(parse(&f, "") == ERR_OK);
	T_CHECK(f.n == 0);
	form_free(&f);
	T_CHECK(parse(&f, "&&&") == ERR_OK);
	T_CHECK(f.n == 0);
	form_free(&f);
	T_CHECK(form_parse(&f, NULL, 0) == ERR_OK);
	T_CHECK(f.n == 0);
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"a=%", "a=%G1", "a=%4", "a=%1G", "%=1", "a%4=1", "a=1&b=%",
		"a=%%41", "a=%00", "%00=a", "a=%0", "a=% 1",
	};
	struct form	 f;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.n = 99;
		T_CHECK(parse(&f, bad[i]) == ERR_PARSE);
		T_CHECK(f.n == 0 && f.pairs == NULL);
		form_free(&f);
	}
	/* A raw NUL inside the length. */
	T_CHECK(form_parse(&f, "a=1\0b", 5) == ERR_PARSE);
	/* The length is honoured: what follows is not read. */
	T_CHECK(form_parse(&f, "a=1%", 3) == ERR_OK);
	T_STREQ(form_get(&f, "a"), "1");
	form_free(&f);
}

static void
test_limit(void)
{
	struct buf	 b;
	struct form	 f;
	size_t		 i;

	buf_init(&b, 64 * 1024);
	for (i = 0; i < FORM_MAX_PAIRS; i++)
		T_CHECK(buf_printf(&b, "%sk%zu=%zu", i ? "&" : "", i, i) ==
		    ERR_OK);
	T_CHECK(form_parse(&f, b.data, b.len) == ERR_OK);
	T_CHECK(f.n == FORM_MAX_PAIRS);
	T_STREQ(form_get(&f, "k1023"), "1023");
	form_free(&f);
	/* Empty pairs do not count. */
	T_CHECK(buf_puts(&b, "&&&") == ERR_OK);
	T_CHECK(form_parse(&f, b.data, b.len) == ERR_OK);
	form_free(&f);
	T_CHECK(buf_puts(&b, "x") == ERR_OK);
	T_CHECK(form_parse(&f, b.data, b.len) == ERR_TOOBIG);
	T_CHECK(f.n == 0 && f.pairs == NULL);
	buf_free(&b);
}

static void
test_escape(void)
{
	struct buf	 b;

	buf_init(&b, 1024);
	T_CHECK(form_escape(&b, "aZ09-._~ +&=%/\xe2\x82\xac") == ERR_OK);
	T_STREQ(buf_str(&b), "aZ09-._~%20%2B%26%3D%25%2F%E2%82%AC");
	buf_reset(&b);
	T_CHECK(form_escape(&b, "") == ERR_OK);
	T_STREQ(buf_str(&b), "");
	T_CHECK(form_escape(&b, NULL) == ERR_INVAL);
	buf_free(&b);
}

static void
test_add(void)
{
	struct buf	 b;

	buf_init(&b, 1024);
	T_CHECK(form_add(&b, "To", "+14155550100") == ERR_OK);
	T_CHECK(form_add(&b, "Timers.Inactive", "PT1H") == ERR_OK);
	T_CHECK(form_add(&b, "Twiml", "<Say>a & b</Say>") == ERR_OK);
	T_CHECK(form_add(&b, "Empty", "") == ERR_OK);
	T_STREQ(buf_str(&b), "To=%2B14155550100&Timers.Inactive=PT1H&"
	    "Twiml=%3CSay%3Ea%20%26%20b%3C%2FSay%3E&Empty=");
	T_CHECK(form_add(&b, NULL, "x") == ERR_INVAL);
	T_CHECK(form_add(&b, "x", NULL) == ERR_INVAL);
	buf_free(&b);
}

static void
test_escape_limit(void)
{
	struct buf	 b;

	/* Failing part way leaves the buffer as it was. */
	buf_init(&b, 12);
	T_CHECK(form_add(&b, "a", "b") == ERR_OK);
	T_CHECK(form_add(&b, "c", "d e f") == ERR_TOOBIG);
	T_STREQ(buf_str(&b), "a=b");
	T_CHECK(b.len == 3);
	T_CHECK(form_escape(&b, "xxxx yyyy") == ERR_TOOBIG);
	T_STREQ(buf_str(&b), "a=b");
	T_CHECK(form_escape(&b, "xxxxxxxxx") == ERR_OK);
	T_CHECK(b.len == 12);
	buf_free(&b);
}

static void
test_round_trip(void)
{
	char		 all[256];
	struct buf	 b;
	struct form	 f;
	int		 i;

	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	buf_init(&b, 4096);
	T_CHECK(form_add(&b, all, all) == ERR_OK);
	T_CHECK(form_add(&b, "second", "a+b c&d=e") == ERR_OK);
	T_CHECK(form_parse(&f, b.data, b.len) == ERR_OK);
	T_CHECK(f.n == 2);
	T_CHECK(f.n == 2 && strcmp(f.pairs[0].name, all) == 0);
	T_CHECK(f.n == 2 && strcmp(f.pairs[0].value, all) == 0);
	T_STREQ(form_get(&f, "second"), "a+b c&d=e");
	form_free(&f);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_basic);
	T_RUN(test_plus_and_escapes);
	T_RUN(test_equals);
	T_RUN(test_repeated);
	T_RUN(test_empty_pairs);
	T_RUN(test_malformed);
	T_RUN(test_limit);
	T_RUN(test_escape);
	T_RUN(test_add);
	T_RUN(test_escape_limit);
	T_RUN(test_round_trip);
	T_END();
}
