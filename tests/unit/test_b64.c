#include <string.h>

#include "t.h"
#include "core/b64.h"

/* Decodes NUL-terminated s into out (size bytes); the result's code. */
static enum err
dec(const char *s, unsigned char *out, size_t size, size_t *n, int flags)
{
	return b64_decode(s, strlen(s), out, size, n, flags);
}

static void
test_valid(void)
{
	unsigned char	 out[64];
	size_t		 n = 99;

	T_CHECK(dec("", out, sizeof(out), &n, 0) == ERR_OK && n == 0);
	T_CHECK(dec("TWFu", out, sizeof(out), &n, 0) == ERR_OK && n == 3 &&
	    memcmp(out, "Man", 3) == 0);
	T_CHECK(dec("QWxhZGRpbjpvcGVuIHNlc2FtZQ==", out, sizeof(out), &n,
	    B64_CANONICAL) == ERR_OK && n == 19 &&
	    memcmp(out, "Aladdin:open sesame", 19) == 0);
	/* Both extra characters of the alphabet, and bytes that are not text. */
	T_CHECK(dec("+/+/", out, sizeof(out), &n, B64_CANONICAL) == ERR_OK &&
	    n == 3 && memcmp(out, "\xfb\xff\xbf", 3) == 0);
	T_CHECK(dec("AAAA", out, sizeof(out), &n, 0) == ERR_OK && n == 3 &&
	    memcmp(out, "\0\0\0", 3) == 0);
}

static void
test_padding(void)
{
	unsigned char	 out[8];
	size_t		 n;

	/* RFC 4648 section 10's vectors: every padding length. */
	T_CHECK(dec("Zg==", out, sizeof(out), &n, B64_CANONICAL) == ERR_OK &&
	    n == 1 && memcmp(out, "f", 1) == 0);
	T_CHECK(dec("Zm8=", out, sizeof(out), &n, B64_CANONICAL) == ERR_OK &&
	    n == 2 && memcmp(out, "fo", 2) == 0);
	T_CHECK(dec("Zm9v", out, sizeof(out), &n, B64_CANONICAL) == ERR_OK &&
	    n == 3 && memcmp(out, "foo", 3) == 0);
	T_CHECK(dec("Zm9vYg==", out, sizeof(out), &n, B64_CANONICAL) ==
	    ERR_OK && n == 4 && memcmp(out, "foob", 4) == 0);
	T_CHECK(dec("Zm9vYmE=", out, sizeof(out), &n, B64_CANONICAL) ==
	    ERR_OK && n == 5 && memcmp(out, "fooba", 5) == 0);
	T_CHECK(dec("Zm9vYmFy", out, sizeof(out), &n, B64_CANONICAL) ==
	    ERR_OK && n == 6 && memcmp(out, "foobar", 6) == 0);
	/* Padding is required. */
	T_CHECK(dec("Zg", out, sizeof(out), &n, 0) == ERR_PARSE && n == 0);
	T_CHECK(dec("Zm8", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zg=", out, sizeof(out), &n, 0) == ERR_PARSE);
	/* Too much of it. */
	T_CHECK(dec("Z===", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("====", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zg==Zg==", out, sizeof(out), &n, 0) == ERR_PARSE);
	/* Stray bits under the padding: taken unless canonical. */
	T_CHECK(dec("Zh==", out, sizeof(out), &n, 0) == ERR_OK && n == 1 &&
	    out[0] == 'f');
	T_CHECK(dec("Zh==", out, sizeof(out), &n, B64_CANONICAL) == ERR_PARSE);
	T_CHECK(dec("Zm9=", out, sizeof(out), &n, 0) == ERR_OK && n == 2 &&
	    memcmp(out, "fo", 2) == 0);
	T_CHECK(dec("Zm9=", out, sizeof(out), &n, B64_CANONICAL) == ERR_PARSE);
}

static void
test_bad_characters(void)
{
	unsigned char	 out[16];
	size_t		 n;

	T_CHECK(dec("Zm9v YmFy", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec(" Zm9v", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9v\n", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vYmF\n", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vYmF ", out, sizeof(out), &n, 0) == ERR_PARSE);
	/* The URL-safe alphabet is another one. */
	T_CHECK(dec("-_-_", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9\x80", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9.", out, sizeof(out), &n, 0) == ERR_PARSE);
	/* A NUL inside the length given is not base64. */
	T_CHECK(b64_decode("Zm\0v", 4, out, sizeof(out), &n, 0) == ERR_PARSE);
}

static void
test_equals_inside(void)
{
	unsigned char	 out[16];
	size_t		 n;

	T_CHECK(dec("Zm=v", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("=m9v", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9=YmFy", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zg==YmFy", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vY=Fy", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vYm=y", out, sizeof(out), &n, 0) == ERR_PARSE);
}

static void
test_length(void)
{
	unsigned char	 out[16];
	size_t		 n;

	T_CHECK(dec("Z", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vY", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vYm", out, sizeof(out), &n, 0) == ERR_PARSE);
	T_CHECK(dec("Zm9vYmF", out, sizeof(out), &n, 0) == ERR_PARSE);
	/* Only len characters are read. */
	T_CHECK(b64_decode("Zm9vYmFy", 4, out, sizeof(out), &n, 0) == ERR_OK &&
	    n == 3 && memcmp(out, "foo", 3) == 0);
}

static void
test_bound(void)
{
	unsigned char	 out[8];
	size_t		 n = 99;

	/* Exactly the room the bytes need, padding needing none. */
	memset(out, 0x5a, sizeof(out));
	T_CHECK(dec("Zm9vYg==", out, 4, &n, 0) == ERR_OK && n == 4 &&
	    memcmp(out, "foob", 4) == 0);
	T_CHECK(out[4] == 0x5a && out[5] == 0x5a);
	memset(out, 0x5a, sizeof(out));
	T_CHECK(dec("Zm9vYmE=", out, 5, &n, 0) == ERR_OK && n == 5 &&
	    out[5] == 0x5a);
	/* One byte short. */
	T_CHECK(dec("Zm9vYg==", out, 3, &n, 0) == ERR_TOOBIG && n == 0);
	T_CHECK(dec("Zm9vYmFy", out, 5, &n, 0) == ERR_TOOBIG);
	T_CHECK(dec("Zg==", out, 0, &n, 0) == ERR_TOOBIG);
	T_CHECK(dec("", out, 0, &n, 0) == ERR_OK && n == 0);
	/* Malformed text is ERR_PARSE whatever the room. */
	T_CHECK(dec("Zm9vYmFy!!!!", out, 3, &n, 0) == ERR_PARSE);
	T_CHECK(B64_DECODED_MAX(28) == 21 && B64_DECODED_MAX(1024) == 768);
}

int
main(void)
{
	T_RUN(test_valid);
	T_RUN(test_padding);
	T_RUN(test_bad_characters);
	T_RUN(test_equals_inside);
	T_RUN(test_length);
	T_RUN(test_bound);
	T_END();
}
