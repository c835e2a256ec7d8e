#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "t.h"
#include "web/sig.h"

#define URL		"https://mycompany.com/myapp.php?foo=1&bar=2"
#define URL_PORT	"https://mycompany.com:443/myapp.php?foo=1&bar=2"
#define SIG1		"RSOYDt4T1cUTdK1PDd93/VVr8B8="
#define SIG1_PORT	"kvajT1Ptam85bY51eRf/AJRuM3w="

static const char *const tok[] = { "12345" };

static const char params1[] =
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&"
    "From=%2B14158675309&To=%2B18005551212";

static int
valid(const char *url, const char *body, const char *header)
{
	struct form	 f;
	int		 ok;

	if (form_parse(&f, body, strlen(body)) != ERR_OK)
		return -1;
	ok = sig_valid(tok, 1, url, &f, NULL, 0, header);
	form_free(&f);
	return ok;
}

static void
b64(const unsigned char s[SIG_LEN], char out[29])
{
	EVP_EncodeBlock((unsigned char *)out, s, SIG_LEN);
}

static void
test_compute_vectors(void)
{
	struct form	 f;
	unsigned char	 s[SIG_LEN];
	char		 out[29];

	T_CHECK(form_parse(&f, params1, strlen(params1)) == ERR_OK);
	T_CHECK(sig_compute("12345", URL, &f, s) == ERR_OK);
	b64(s, out);
	T_STREQ(out, SIG1);
	T_CHECK(sig_compute("12345", URL_PORT, &f, s) == ERR_OK);
	b64(s, out);
	T_STREQ(out, SIG1_PORT);
	form_free(&f);
}

static void
test_published(void)
{
	/* Either URL form validates either signature. */
	T_CHECK(valid(URL, params1, SIG1) == 1);
	T_CHECK(valid(URL, params1, SIG1_PORT) == 1);
	T_CHECK(valid(URL_PORT, params1, SIG1) == 1);
	T_CHECK(valid(URL_PORT, params1, SIG1_PORT) == 1);
}

static void
test_published_other_caller(void)
{
	/* '+' written raw in the body is a space: only %2B is a plus. */
	T_CHECK(valid(URL, "CallSid=CA1234567890ABCDE&Caller=%2B12349013030"
	    "&Digits=1234&From=%2B12349013030&To=%2B18005551212",
	    "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") == 1);
	T_CHECK(valid(URL, "CallSid=CA1234567890ABCDE&Caller=+12349013030"
	    "&Digits=1234&From=+12349013030&To=+18005551212",
	    "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") == 0);
	/* Order in the body does not matter. */
	T_CHECK(valid(URL, "To=%2B18005551212&From=%2B12349013030"
	    "&Digits=1234&Caller=%2B12349013030&CallSid=CA1234567890ABCDE",
	    "0/KCTR6DLpKmkAf8muzZqo1nDgQ=") == 1);
}

static void
test_repeated(void)
{
	T_CHECK(valid(URL, "Sid=CA123&SidAccount=AC123&Digits=5678&"
	    "Digits=1234&Digits=1234", "IK+Dwps556ElfBT0I3Rgjkr1wJU=") == 1);
	T_CHECK(valid(URL, "Digits=1234&Sid=CA123&Digits=5678&"
	    "SidAccount=AC123", "IK+Dwps556ElfBT0I3Rgjkr1wJU=") == 1);
	T_CHECK(valid(URL, "Sid=CA123&SidAccount=AC123&Digits=5678",
	    "IK+Dwps556ElfBT0I3Rgjkr1wJU=") == 0);
}

#define JSON_BODY	"{\"property\": \"value\", \"boolean\": true}"
#define JSON_HASH \
    "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
#define JSON_SIG	"a9nBmqA0ju/hNViExpshrM61xv4="

static void
test_json(void)
{
	const char	*body = JSON_BODY;
	size_t		 len = strlen(body);

	T_CHECK(sig_valid(tok, 1, URL "&bodySHA256=" JSON_HASH, NULL,
	    body, len, JSON_SIG));
	T_CHECK(sig_valid(tok, 1, URL_PORT "&bodySHA256=" JSON_HASH, NULL,
	    body, len, JSON_SIG));
	/* Another body, same URL and signature. */
	T_CHECK(!sig_valid(tok, 1, URL "&bodySHA256=" JSON_HASH, NULL,
	    "{}", 2, JSON_SIG));
	/* No hash in the URL. */
	T_CHECK(!sig_valid(tok, 1, URL, NULL, body, len, JSON_SIG));
	T_CHECK(!sig_valid(tok, 1, "https://mycompany.com/myapp.php", NULL,
	    body, len, JSON_SIG));
	/* Short hash. */
	T_CHECK(!sig_valid(tok, 1, URL "&bodySHA256=0a1ff7", NULL, body, len,
	    JSON_SIG));
}

static void
test_json_upper_hash(void)
{
	unsigned char	 s[SIG_LEN];
	char		 h[29];
	const char	*url = URL "&bodySHA256="
	    "0A1FF7634D9AB3B95DB5C9A2DFE9416E41502B283A80C7CF19632632F96E6620";

	T_CHECK(sig_compute("12345", url, NULL, s) == ERR_OK);
	b64(s, h);
	T_CHECK(sig_valid(tok, 1, url, NULL, JSON_BODY, strlen(JSON_BODY), h));
	T_CHECK(!sig_valid(tok, 1, url, NULL, "x", 1, h));
}

static void
test_tokens(void)
{
	struct form		 f;
	const char *const	 wrong[] = { "54321" };
	const char *const	 two[] = { "old-token", "12345" };
	const char *const	 holes[] = { NULL, "", "12345" };

	T_CHECK(form_parse(&f, params1, strlen(params1)) == ERR_OK);
	T_CHECK(!sig_valid(wrong, 1, URL, &f, NULL, 0, SIG1));
	T_CHECK(sig_valid(two, 2, URL, &f, NULL, 0, SIG1));
	T_CHECK(!sig_valid(two, 1, URL, &f, NULL, 0, SIG1));
	T_CHECK(sig_valid(holes, 3, URL, &f, NULL, 0, SIG1));
	T_CHECK(!sig_valid(two, 0, URL, &f, NULL, 0, SIG1));
	T_CHECK(!sig_valid(NULL, 1, URL, &f, NULL, 0, SIG1));
	form_free(&f);
}

static void
test_tampered(void)
{
	T_CHECK(valid(URL, "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&"
	    "Digits=1235&From=%2B14158675309&To=%2B18005551212", SIG1) == 0);
	/* An extra parameter. */
	T_CHECK(valid(URL, "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&"
	    "Digits=1234&From=%2B14158675309&To=%2B18005551212&X=", SIG1) == 0);
	/* A missing one. */
	T_CHECK(valid(URL, "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&"
	    "Digits=1234&From=%2B14158675309", SIG1) == 0);
	/* Case of a name matters. */
	T_CHECK(valid(URL, "callSid=CA1234567890ABCDE&Caller=%2B14158675309&"
	    "Digits=1234&From=%2B14158675309&To=%2B18005551212", SIG1) == 0);
}

static void
test_bad_headers(void)
{
	T_CHECK(valid(URL, params1, NULL) == 0);
	T_CHECK(valid(URL, params1, "") == 0);
	T_CHECK(valid(URL, params1, "garbage") == 0);
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93") == 0);
	/* Short, long, no padding, whitespace, another alphabet. */
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93/VVr8B8") == 0);
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93/VVr8B8==") == 0);
	T_CHECK(valid(URL, params1, SIG1 "AAAA") == 0);
	T_CHECK(valid(URL, params1, " " SIG1) == 0);
	T_CHECK(valid(URL, params1, SIG1 " ") == 0);
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93_VVr8B8=") == 0);
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93/VVr8B8A") == 0);
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1P\nd93/VVr8B8=") == 0);
	/* Same 20 bytes, but stray bits in the last character. */
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93/VVr8B9=") == 0);
	/* 21 bytes' worth, and a 32-byte HMAC's length. */
	T_CHECK(valid(URL, params1, "RSOYDt4T1cUTdK1PDd93/VVr8B8A") == 0);
	T_CHECK(valid(URL, params1,
	    "RSOYDt4T1cUTdK1PDd93/VVr8B8RSOYDt4T1cUTdK1PD=") == 0);
	T_CHECK(valid(URL, params1, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") == 0);
}

static void
test_urls(void)
{
	T_CHECK(valid("https://mycompany.com/myapp.php?foo=1&bar=3",
	    params1, SIG1) == 0);
	T_CHECK(valid("https://mycompany.com/myapp.php?bar=2&foo=1",
	    params1, SIG1) == 0);
	T_CHECK(valid("https://mycompany.com/myapp.php", params1, SIG1) == 0);
	T_CHECK(valid("http://mycompany.com/myapp.php?foo=1&bar=2",
	    params1, SIG1) == 0);
	/* A port other than the default is not dropped. */
	T_CHECK(valid("https://mycompany.com:8443/myapp.php?foo=1&bar=2",
	    params1, SIG1) == 0);
	T_CHECK(valid("https://mycompany.com:80/myapp.php?foo=1&bar=2",
	    params1, SIG1) == 0);
}

/* Signs url with token 12345 and checks the variants validate it. */
static void
test_port_variants(void)
{
	static const char *const pairs[][2] = {
		{ "http://example.com/x?a=1", "http://example.com:80/x?a=1" },
		{ "https://example.com", "https://example.com:443" },
		{ "https://example.com?q", "https://example.com:443?q" },
		{ "https://u:p@example.com/", "https://u:p@example.com:443/" },
		{ "https://[::1]/a", "https://[::1]:443/a" },
		{ "HTTPS://example.com/a", "HTTPS://example.com:443/a" },
	};
	unsigned char	 s[SIG_LEN];
	char		 h[29];
	size_t		 i;
	int		 j;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		for (j = 0; j < 2; j++) {
			T_CHECK(sig_compute("12345", pairs[i][j], NULL, s) ==
			    ERR_OK);
			b64(s, h);
			T_CHECK(valid(pairs[i][!j], "", h) == 1);
			T_CHECK(valid(pairs[i][j], "", h) == 1);
		}
	/* http's default port is not https's. */
	T_CHECK(sig_compute("12345", "http://example.com:443/", NULL, s) ==
	    ERR_OK);
	b64(s, h);
	T_CHECK(valid("http://example.com/", "", h) == 0);
}

static void
test_empty_params(void)
{
	unsigned char	 a[SIG_LEN], b[SIG_LEN];
	struct form	 f = { NULL, 0 };

	T_CHECK(sig_compute("12345", URL, NULL, a) == ERR_OK);
	T_CHECK(sig_compute("12345", URL, &f, b) == ERR_OK);
	T_CHECK(memcmp(a, b, SIG_LEN) == 0);
	T_CHECK(sig_compute(NULL, URL, NULL, a) == ERR_INVAL);
	T_CHECK(sig_compute("12345", NULL, NULL, a) == ERR_INVAL);
	T_CHECK(!sig_valid(tok, 1, NULL, &f, NULL, 0, SIG1));
}

int
main(void)
{
	T_RUN(test_compute_vectors);
	T_RUN(test_published);
	T_RUN(test_published_other_caller);
	T_RUN(test_repeated);
	T_RUN(test_json);
	T_RUN(test_json_upper_hash);
	T_RUN(test_tokens);
	T_RUN(test_tampered);
	T_RUN(test_bad_headers);
	T_RUN(test_urls);
	T_RUN(test_port_variants);
	T_RUN(test_empty_params);
	T_END();
}
