#include <string.h>

#include "t.h"
#include "core/b64.h"

/* Decodes NUL-terminated s into out (size bytes); the result's code. */
static enum err
dec(const char *s, unsigned char *out, size_t size, size_t *n, int flags)
{
	return b64_decode(s, strlen(s), out, size, n, flags);
}

/*
 * One case: text in, decoded with flags into 64 bytes of room, gives err;
 * with ERR_OK the n bytes want, otherwise no bytes (n is 0 on failure).
 */
struct b64_case {
	const char	*in;
	int		 flags;
	enum err	 err;
	const char	*want;
	size_t		 n;
};

#define OK(in, flags, want)	{ (in), (flags), ERR_OK, (want), sizeof(want) - 1 }
#define BAD(in, flags)		{ (in), (flags), ERR_PARSE, "", 0 }
#define CANON			B64_CANONICAL

/* Decodes every case; a failure names the case and what came out. */
static void
check_cases(const struct b64_case *c, size_t nc)
{
	unsigned char	 out[64];
	size_t		 i, n;
	enum err	 e;

	for (i = 0; i < nc; i++) {
		n = 99;
		e = dec(c[i].in, out, sizeof(out), &n, c[i].flags);
		T_CHECK_CASE(e == c[i].err && n == c[i].n &&
		    (e != ERR_OK || memcmp(out, c[i].want, n) == 0), i, c[i].in);
		if (e != c[i].err || n != c[i].n)
			fprintf(stderr, "  got err %d, %zu bytes\n", e, n);
	}
}

#define CHECK_CASES(tab)	check_cases((tab), T_NCASES(tab))

static void
test_valid(void)
{
	static const struct b64_case cases[] = {
		OK("", 0, ""),
		OK("TWFu", 0, "Man"),
		OK("QWxhZGRpbjpvcGVuIHNlc2FtZQ==", CANON, "Aladdin:open sesame"),
		/* Both extra characters of the alphabet, and bytes not text. */
		OK("+/+/", CANON, "\xfb\xff\xbf"),
		OK("AAAA", 0, "\0\0\0"),
	};

	CHECK_CASES(cases);
}

static void
test_padding(void)
{
	static const struct b64_case cases[] = {
		/* RFC 4648 section 10's vectors: every padding length. */
		OK("Zg==", CANON, "f"),
		OK("Zm8=", CANON, "fo"),
		OK("Zm9v", CANON, "foo"),
		OK("Zm9vYg==", CANON, "foob"),
		OK("Zm9vYmE=", CANON, "fooba"),
		OK("Zm9vYmFy", CANON, "foobar"),
		/* Padding is required. */
		BAD("Zg", 0),
		BAD("Zm8", 0),
		BAD("Zg=", 0),
		/* Too much of it. */
		BAD("Z===", 0),
		BAD("====", 0),
		BAD("Zg==Zg==", 0),
		/* Stray bits under the padding: taken unless canonical. */
		OK("Zh==", 0, "f"),
		BAD("Zh==", CANON),
		OK("Zm9=", 0, "fo"),
		BAD("Zm9=", CANON),
	};

	CHECK_CASES(cases);
}

static void
test_bad_characters(void)
{
	static const struct b64_case cases[] = {
		BAD("Zm9v YmFy", 0),
		BAD(" Zm9v", 0),
		BAD("Zm9v\n", 0),
		BAD("Zm9vYmF\n", 0),
		BAD("Zm9vYmF ", 0),
		/* The URL-safe alphabet is another one. */
		BAD("-_-_", 0),
		BAD("Zm9\x80", 0),
		BAD("Zm9.", 0),
	};
	unsigned char	 out[16];
	size_t		 n;

	CHECK_CASES(cases);
	/* A NUL inside the length given is not base64. */
	T_CHECK(b64_decode("Zm\0v", 4, out, sizeof(out), &n, 0) == ERR_PARSE);
}

static void
test_equals_inside(void)
{
	static const struct b64_case cases[] = {
		BAD("Zm=v", 0),
		BAD("=m9v", 0),
		BAD("Zm9=YmFy", 0),
		BAD("Zg==YmFy", 0),
		BAD("Zm9vY=Fy", 0),
		BAD("Zm9vYm=y", 0),
	};

	CHECK_CASES(cases);
}

static void
test_length(void)
{
	static const struct b64_case cases[] = {
		BAD("Z", 0),
		BAD("Zm9vY", 0),
		BAD("Zm9vYm", 0),
		BAD("Zm9vYmF", 0),
	};
	unsigned char	 out[16];
	size_t		 n;

	CHECK_CASES(cases);
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
