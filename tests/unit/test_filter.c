#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/filter.h"
#include "t.h"

#define CORPUS	"tests/filter/corpus.tsv"

/* text redacted with FILTER_MARK, as a string (the tests' texts are short). */
static const char *
redacted(const char *text, size_t len, size_t *n)
{
	static char	 out[1024];
	struct buf	 b;

	buf_init(&b, sizeof(out) - 1);
	out[0] = '\0';
	if (filter_redact(text, len, NULL, &b, n) == ERR_OK)
		memcpy(out, buf_str(&b), b.len + 1);
	else
		strcpy(out, "(error)");
	buf_free(&b);
	return out;
}

static void
test_hits(void)
{
	static const struct {
		const char		*text;
		size_t			 n;
		size_t			 off, len;	/* of the first hit */
		enum filter_kind	 kind;
	} cases[] = {
		{ "4155550100", 1, 0, 10, FILTER_PHONE },
		{ "call 415 555 0100", 1, 5, 12, FILTER_PHONE },
		{ "call (415) 555-0100 now", 1, 5, 14, FILTER_PHONE },
		{ "+44 20 7946 0958", 1, 0, 16, FILTER_PHONE },
		{ "x +49 (0)30 1234567", 1, 2, 17, FILTER_PHONE },
		{ "ana@example.com", 1, 0, 15, FILTER_EMAIL },
		{ "mail: ana@example.com.", 1, 6, 15, FILTER_EMAIL },
		{ "ana (at) example (dot) com", 1, 0, 26, FILTER_EMAIL },
		{ "1 800 555 0199 ext. 12!", 1, 0, 22, FILTER_PHONE },
		{ "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef\xbc\x90"
		  "\xef\xbc\x91\xef\xbc\x93", 1, 0, 21, FILTER_PHONE },
		{ "", 0, 0, 0, FILTER_PHONE },
		{ "123456", 0, 0, 0, FILTER_PHONE },
		{ "1234567890123456", 0, 0, 0, FILTER_PHONE },
		{ "order #4155550100", 0, 0, 0, FILTER_PHONE },
		{ "ana@localhost", 0, 0, 0, FILTER_PHONE },
		{ "@ana", 0, 0, 0, FILTER_PHONE },
		{ "ana@", 0, 0, 0, FILTER_PHONE },
	};
	struct filter_hit	 h[4];
	size_t			 i, n;

	for (i = 0; i < T_NCASES(cases); i++) {
		memset(h, 0, sizeof(h));
		n = filter_scan(cases[i].text, strlen(cases[i].text), h, 4);
		T_CHECK_CASE(n == cases[i].n, i, cases[i].text);
		if (n == 0 || cases[i].n == 0)
			continue;
		T_CHECK_CASE(h[0].off == cases[i].off, i, cases[i].text);
		T_CHECK_CASE(h[0].len == cases[i].len, i, cases[i].text);
		T_CHECK_CASE(h[0].kind == cases[i].kind, i, cases[i].text);
	}
}

static void
test_redact(void)
{
	static const struct {
		const char	*text, *want;
		size_t		 n;
	} cases[] = {
		{ "", "", 0 },
		{ "hello", "hello", 0 },
		{ "4155550100", "[redacted]", 1 },
		{ "4155550100 hi", "[redacted] hi", 1 },
		{ "hi 4155550100", "hi [redacted]", 1 },
		{ "a@example.com,b@example.com", "[redacted],[redacted]", 2 },
		{ "415 555 0100 or ana@example.com or +44 20 7946 0958",
		  "[redacted] or [redacted] or [redacted]", 3 },
		{ "caf\xc3\xa9 4155550100 \xc3\xa9t\xc3\xa9",
		  "caf\xc3\xa9 [redacted] \xc3\xa9t\xc3\xa9", 1 },
	};
	size_t		 i, n;

	for (i = 0; i < T_NCASES(cases); i++) {
		n = 99;
		T_IN_CASE(i, cases[i].text, T_STREQ(redacted(cases[i].text,
		    strlen(cases[i].text), &n), cases[i].want));
		T_CHECK_CASE(n == cases[i].n, i, cases[i].text);
	}
}

/* NUL bytes and invalid UTF-8 neither match nor stop the scan. */
static void
test_bytes(void)
{
	static const char	 nul[] = "4155550100\0x\0ana@example.com";
	static const char	 bad[] = "\xff\xfe 4155550100 \xc3 \xe2\x82";
	struct filter_hit	 h[2];
	struct buf		 b;
	size_t			 n;

	T_CHECK(filter_scan(nul, sizeof(nul) - 1, h, 2) == 2);
	T_CHECK(h[0].off == 0 && h[0].len == 10);
	T_CHECK(h[1].off == 13 && h[1].len == 15);
	buf_init(&b, 1024);
	T_CHECK(filter_redact(nul, sizeof(nul) - 1, "*", &b, &n) == ERR_OK);
	T_CHECK(n == 2 && b.len == 5 && memcmp(b.data, "*\0x\0*", 5) == 0);
	buf_free(&b);

	T_CHECK(filter_scan(bad, sizeof(bad) - 1, h, 2) == 1);
	T_CHECK(h[0].off == 3 && h[0].len == 10);
	T_CHECK(filter_scan("4155550100\xff", 11, h, 2) == 1);
	/* len cuts the text: nothing past it is read or matched. */
	T_CHECK(filter_scan("415555010099", 10, h, 2) == 1);
	T_CHECK(h[0].len == 10);
	T_CHECK(filter_scan("ana@example.com", 12, h, 2) == 0);
	T_CHECK(filter_scan(NULL, 0, NULL, 0) == 0);
	T_STREQ(redacted(NULL, 0, &n), "");
}

/* More hits than room: all counted, the first max written. */
static void
test_many(void)
{
	struct filter_hit	 h[3];
	struct buf		 b;
	size_t			 i, n;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 100; i++)
		T_CHECK(buf_printf(&b, "call 415555%04zu, ", i) == ERR_OK);
	memset(h, 0, sizeof(h));
	T_CHECK(filter_scan(b.data, b.len, h, 2) == 100);
	T_CHECK(h[0].off == 5 && h[1].off == 5 + 17 && h[2].len == 0);
	T_CHECK(filter_scan(b.data, b.len, NULL, 0) == 100);
	T_STREQ(redacted(b.data, 34, &n), "call [redacted], call [redacted], ");
	buf_free(&b);
}

/* A failed redaction leaves the output as it was. */
static void
test_toobig(void)
{
	struct buf	 b;
	size_t		 n = 7;

	buf_init(&b, 12);
	T_CHECK(buf_puts(&b, "x:") == ERR_OK);
	T_CHECK(filter_redact("call 4155550100", 15, NULL, &b, &n) ==
	    ERR_TOOBIG);
	T_STREQ(buf_str(&b), "x:");
	T_CHECK(n == 7);
	T_CHECK(filter_redact("4155550100", 10, "#", &b, &n) == ERR_OK);
	T_STREQ(buf_str(&b), "x:#");
	buf_free(&b);
}

/*
 * Texts the fuzz target found, where redacting uncovered a hit: the
 * verdict on a number depended on the text of another hit.
 */
static void
test_redact_again(void)
{
	static const char *const texts[] = {
		"1234511 1234511a@b.co",
		"+49 &0)30 1234567 e+a@ba@job.Jxt 1234567 ext 12 12",
		"0000020ext00006:692590270736",
		"023432284398-+491284398,+49128434568799",
		"1234567'-99999999999999999999999999999999999999999999999999"
		    "999999999999a@b.llama",
		"0 50 853858 ext 1\xef\xbc\x90" "5 2050",
		"oa@b.tttttttttttttttttttttttttttttttttttttttttttttttttttttt"
		    "ttttttttttttttttttttttdo@b.doo",
	};
	const char	*r;
	size_t		 i, n;

	for (i = 0; i < T_NCASES(texts); i++) {
		r = redacted(texts[i], strlen(texts[i]), &n);
		T_CHECK_CASE(n > 0, i, texts[i]);
		T_CHECK_CASE(filter_scan(r, strlen(r), NULL, 0) == 0, i, r);
	}
}

/*
 * The corpus: every line's verdict, and its redaction when given. Prints
 * precision and recall over the corpus.
 */
static void
test_corpus(void)
{
	char		 line[4096], *f[4], *s;
	FILE		*fp;
	size_t		 nf, lineno = 0, tp = 0, fp_ = 0, fn = 0, tn = 0, n;
	int		 want, got;

	if ((fp = fopen(CORPUS, "r")) == NULL) {
		perror(CORPUS);
		T_CHECK(fp != NULL);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (nf = 0, s = line; nf < 4 && s != NULL; nf++) {
			f[nf] = s;
			if ((s = strchr(s, '\t')) != NULL)
				*s++ = '\0';
		}
		T_CHECK_CASE(nf >= 3 && (strcmp(f[0], "contact") == 0 ||
		    strcmp(f[0], "clean") == 0), lineno, line);
		if (nf < 3)
			continue;
		want = strcmp(f[0], "contact") == 0;
		got = filter_scan(f[2], strlen(f[2]), NULL, 0) > 0;
		if (want && got)
			tp++;
		else if (got)
			fp_++;
		else if (want)
			fn++;
		else
			tn++;
		if (want != got)
			fprintf(stderr, "%s:%zu: %s, found %s: %s\n", CORPUS,
			    lineno, f[0], got ? "contact" : "nothing", f[2]);
		T_CHECK_CASE(want == got, lineno, f[2]);
		if (nf == 4)
			T_IN_CASE(lineno, f[2], T_STREQ(redacted(f[2],
			    strlen(f[2]), &n), f[3]));
	}
	fclose(fp);
	T_CHECK(tp + fn >= 50 && tn + fp_ >= 50);
	printf("filter corpus: %zu messages, precision %.3f, recall %.3f "
	    "(tp %zu fp %zu fn %zu tn %zu)\n", tp + fp_ + fn + tn,
	    tp + fp_ ? (double)tp / (double)(tp + fp_) : 1.0,
	    tp + fn ? (double)tp / (double)(tp + fn) : 1.0, tp, fp_, fn, tn);
}

int
main(void)
{
	T_RUN(test_hits);
	T_RUN(test_redact);
	T_RUN(test_bytes);
	T_RUN(test_many);
	T_RUN(test_toobig);
	T_RUN(test_redact_again);
	T_RUN(test_corpus);
	T_END();
}
