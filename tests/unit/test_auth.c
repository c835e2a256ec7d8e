#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "t.h"
#include "web/auth.h"

#define USER	"operator"
#define PASS	"s3cret:with:colons"

/* "Basic " and base64 of credentials (len bytes), in a static buffer. */
static const char *
basic_n(const char *scheme, const char *cred, size_t len)
{
	static char	 h[8192];
	size_t		 n;

	n = (size_t)snprintf(h, sizeof(h), "%s", scheme);
	if (4 * ((len + 2) / 3) + n >= sizeof(h))
		abort();
	EVP_EncodeBlock((unsigned char *)h + n, (const unsigned char *)cred,
	    (int)len);
	return h;
}

static const char *
basic(const char *cred)
{
	return basic_n("Basic ", cred, strlen(cred));
}

static enum auth_result
check(const char *header)
{
	return auth_basic_check(header, USER, PASS);
}

static void
test_ok(void)
{
	/* RFC 7617's own example. */
	T_CHECK(auth_basic_check("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
	    "Aladdin", "open sesame") == AUTH_OK);
	T_CHECK(check(basic(USER ":" PASS)) == AUTH_OK);
	/* The password may hold colons: the split is on the first one. */
	T_CHECK(auth_basic_check(basic("u:a:b"), "u", "a:b") == AUTH_OK);
	T_CHECK(auth_basic_check(basic("u:a:b"), "u:a", "b") == AUTH_WRONG);
	T_CHECK(auth_basic_check(basic("u::"), "u", ":") == AUTH_OK);
	/* An empty password is a password (config refuses to set one). */
	T_CHECK(auth_basic_check(basic("u:"), "u", "") == AUTH_OK);
	/* UTF-8 is compared bytewise. */
	T_CHECK(auth_basic_check(basic("j\xc3\xb6rg:p\xc3\xa4ss"), "j\xc3\xb6rg",
	    "p\xc3\xa4ss") == AUTH_OK);
	/* Every padding length. */
	T_CHECK(auth_basic_check(basic("a:b"), "a", "b") == AUTH_OK);	/* none */
	T_CHECK(auth_basic_check(basic("a:bc"), "a", "bc") == AUTH_OK);	/* == */
	T_CHECK(auth_basic_check(basic("a:bcd"), "a", "bcd") == AUTH_OK); /* = */
}

static void
test_scheme(void)
{
	const char	*b64 = basic(USER ":" PASS) + 6;
	char		 h[512];

	/* The scheme is case-insensitive; extra blanks around the token. */
	snprintf(h, sizeof(h), "basic %s", b64);
	T_CHECK(check(h) == AUTH_OK);
	snprintf(h, sizeof(h), "BASIC %s", b64);
	T_CHECK(check(h) == AUTH_OK);
	snprintf(h, sizeof(h), "Basic    %s  ", b64);
	T_CHECK(check(h) == AUTH_OK);

	/* Missing, or another scheme. */
	T_CHECK(check(NULL) == AUTH_MISSING);
	T_CHECK(check("") == AUTH_MISSING);
	T_CHECK(check("Bearer x") == AUTH_MISSING);
	snprintf(h, sizeof(h), "Bearer %s", b64);
	T_CHECK(check(h) == AUTH_MISSING);
	T_CHECK(check("Basic") == AUTH_MISSING);
	T_CHECK(check("Basicx") == AUTH_MISSING);
	snprintf(h, sizeof(h), "Digest %s", b64);
	T_CHECK(check(h) == AUTH_MISSING);
	snprintf(h, sizeof(h), " Basic %s", b64);
	T_CHECK(check(h) == AUTH_MISSING);
	/* "Basic " with nothing after it is malformed. */
	T_CHECK(check("Basic ") == AUTH_MALFORMED);
	T_CHECK(check("Basic    ") == AUTH_MALFORMED);
}

static void
test_wrong(void)
{
	T_CHECK(check(basic("operato:" PASS)) == AUTH_WRONG);
	T_CHECK(check(basic("operator2:" PASS)) == AUTH_WRONG);
	T_CHECK(check(basic("Operator:" PASS)) == AUTH_WRONG);
	T_CHECK(check(basic(USER ":s3cret")) == AUTH_WRONG);
	T_CHECK(check(basic(USER ":" PASS "x")) == AUTH_WRONG);
	/* The secret repeated, or a prefix of it, is not the secret. */
	T_CHECK(check(basic(USER ":" PASS PASS)) == AUTH_WRONG);
	T_CHECK(auth_basic_check(basic("u:abab"), "u", "ab") == AUTH_WRONG);
	T_CHECK(auth_basic_check(basic("u:a"), "u", "ab") == AUTH_WRONG);
	T_CHECK(auth_basic_check(basic("u:x"), "u", "") == AUTH_WRONG);
	T_CHECK(check(basic(USER ":")) == AUTH_WRONG);
	T_CHECK(check(basic(PASS ":" USER)) == AUTH_WRONG);
	T_CHECK(check(basic("x:y")) == AUTH_WRONG);
	/* A NUL in the decoded credentials is malformed, not a prefix match. */
	T_CHECK(check(basic_n("Basic ", USER ":" PASS "\0x",
	    sizeof(USER ":" PASS "\0x") - 1)) == AUTH_MALFORMED);
	T_CHECK(check(basic_n("Basic ", USER "\0:" PASS,
	    sizeof(USER "\0:" PASS) - 1)) == AUTH_MALFORMED);
}

static void
test_malformed(void)
{
	char	*h;
	size_t	 n;

	/* Not base64, or base64 without its padding. */
	T_CHECK(check("Basic !!!!") == AUTH_MALFORMED);
	T_CHECK(check("Basic dXNlcjpwYXNz!") == AUTH_MALFORMED);
	T_CHECK(check("Basic dXNlcjpwYXNz=") == AUTH_MALFORMED);	/* 13 chars */
	T_CHECK(check("Basic YTpi") == AUTH_WRONG);		/* a:b */
	T_CHECK(auth_basic_check("Basic YTpi", "a", "b") == AUTH_OK);
	T_CHECK(check("Basic YTpiYw") == AUTH_MALFORMED);	/* a:bc, unpadded */
	T_CHECK(check("Basic YTpiYw=") == AUTH_MALFORMED);
	T_CHECK(check("Basic YTpiY===") == AUTH_MALFORMED);
	T_CHECK(check("Basic YT=iYw==") == AUTH_MALFORMED);	/* '=' inside */
	T_CHECK(check("Basic =TpiYw==") == AUTH_MALFORMED);
	T_CHECK(check("Basic ====") == AUTH_MALFORMED);
	T_CHECK(check("Basic YTpi YWJj") == AUTH_MALFORMED);	/* a blank inside */
	T_CHECK(check("Basic YTpi\tYWJj") == AUTH_MALFORMED);
	T_CHECK(check("Basic YTpi\nYWJj") == AUTH_MALFORMED);
	T_CHECK(check("Basic YTpi-_Jj") == AUTH_MALFORMED);	/* base64url */
	/* No colon, or an empty user. */
	T_CHECK(check(basic("operator")) == AUTH_MALFORMED);
	T_CHECK(check(basic(":" PASS)) == AUTH_MALFORMED);
	T_CHECK(check(basic(":")) == AUTH_MALFORMED);
	T_CHECK(auth_basic_check(basic(":"), "", "") == AUTH_MALFORMED);

	/* Credentials of 768 bytes (1024 base64 characters) are the limit. */
	{
		char cred[769];

		memset(cred, 'p', 768);
		cred[768] = '\0';
		cred[0] = 'u';
		cred[1] = ':';
		T_CHECK(auth_basic_check(basic(cred), "u", cred + 2) == AUTH_OK);
		T_CHECK(auth_basic_check(basic_n("Basic ", cred, 767), "u",
		    cred + 2) == AUTH_WRONG);
	}
	{
		char cred[770];	/* 1028 base64 characters: over the limit */

		memset(cred, 'p', 769);
		cred[769] = '\0';
		cred[0] = 'u';
		cred[1] = ':';
		T_CHECK(auth_basic_check(basic(cred), "u", cred + 2) ==
		    AUTH_MALFORMED);
	}

	/* A very long header: refused, not a crash. */
	n = 1024 * 1024;
	if ((h = malloc(n + 7)) == NULL) {
		T_CHECK(0);
		return;
	}
	memcpy(h, "Basic ", 6);
	memset(h + 6, 'A', n);
	h[n + 6] = '\0';
	T_CHECK(check(h) == AUTH_MALFORMED);
	memset(h + 6, ' ', n);
	T_CHECK(check(h) == AUTH_MALFORMED);
	free(h);
}

int
main(void)
{
	T_RUN(test_ok);
	T_RUN(test_scheme);
	T_RUN(test_wrong);
	T_RUN(test_malformed);
	T_END();
}
