#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "t.h"

static void
test_empty(void)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 10);
	T_CHECK(b.data == NULL && b.len == 0);
	T_STREQ(buf_str(&b), "");
	s = buf_detach(&b);
	T_STREQ(s, "");
	free(s);
	buf_reset(&b);
	buf_free(&b);
	buf_free(NULL);
}

static void
test_limit(void)
{
	struct buf	 b;

	buf_init(&b, 10);
	T_CHECK(buf_puts(&b, "12345") == ERR_OK);
	T_CHECK(buf_append(&b, "67890", 5) == ERR_OK);	/* exactly max */
	T_CHECK(b.len == 10);
	T_STREQ(buf_str(&b), "1234567890");
	T_CHECK(buf_putc(&b, 'x') == ERR_TOOBIG);
	T_CHECK(buf_puts(&b, "x") == ERR_TOOBIG);
	T_CHECK(buf_printf(&b, "%d", 1) == ERR_TOOBIG);
	T_CHECK(b.len == 10);
	T_STREQ(buf_str(&b), "1234567890");
	T_CHECK(buf_append(&b, "", 0) == ERR_OK);
	buf_free(&b);

	buf_init(&b, 4);
	T_CHECK(buf_puts(&b, "12345") == ERR_TOOBIG);
	T_CHECK(b.len == 0);
	T_STREQ(buf_str(&b), "");
	T_CHECK(buf_append(&b, "x", (size_t)-1) == ERR_TOOBIG);
	buf_free(&b);
}

static void
test_printf(void)
{
	struct buf	 b;

	buf_init(&b, 1000);
	T_CHECK(buf_printf(&b, "%s=%d", "a", 42) == ERR_OK);
	T_CHECK(buf_printf(&b, "&%05.1f", 3.14159) == ERR_OK);
	T_CHECK(buf_printf(&b, "%s", "") == ERR_OK);
	T_STREQ(buf_str(&b), "a=42&003.1");
	T_CHECK(b.len == strlen("a=42&003.1"));
	buf_free(&b);

	/* A printf that would pass the limit leaves the buffer as it was. */
	buf_init(&b, 8);
	T_CHECK(buf_printf(&b, "%s", "abcd") == ERR_OK);
	T_CHECK(buf_printf(&b, "%s", "efghi") == ERR_TOOBIG);
	T_STREQ(buf_str(&b), "abcd");
	T_CHECK(buf_printf(&b, "%s", "efgh") == ERR_OK);
	T_STREQ(buf_str(&b), "abcdefgh");
	buf_free(&b);
}

static void
test_growth(void)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 100000);
	for (i = 0; i < 10000; i++)
		T_CHECK(buf_putc(&b, (char)('a' + i % 26)) == ERR_OK);
	T_CHECK(b.len == 10000 && strlen(buf_str(&b)) == 10000);
	T_CHECK(b.cap <= 100001);
	T_CHECK(buf_str(&b)[9999] == 'a' + 9999 % 26);
	buf_reset(&b);
	T_CHECK(b.len == 0);
	T_STREQ(buf_str(&b), "");
	T_CHECK(buf_puts(&b, "again") == ERR_OK);
	T_STREQ(buf_str(&b), "again");
	buf_free(&b);
}

static void
test_detach(void)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 100);
	T_CHECK(buf_puts(&b, "hello") == ERR_OK);
	s = buf_detach(&b);
	T_STREQ(s, "hello");
	T_CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	T_STREQ(buf_str(&b), "");
	/* The buffer is usable again, with its limit. */
	T_CHECK(buf_puts(&b, "world") == ERR_OK);
	T_STREQ(buf_str(&b), "world");
	free(s);
	buf_free(&b);
}

static void
test_binary(void)
{
	struct buf	 b;

	buf_init(&b, 16);
	T_CHECK(buf_append(&b, "a\0b", 3) == ERR_OK);
	T_CHECK(b.len == 3 && memcmp(b.data, "a\0b", 4) == 0);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_empty);
	T_RUN(test_limit);
	T_RUN(test_printf);
	T_RUN(test_growth);
	T_RUN(test_detach);
	T_RUN(test_binary);
	T_END();
}
