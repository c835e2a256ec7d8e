/* test_pagetok: the list endpoints' signed page tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/pagetok.h"
#include "t.h"

/* The test's key (which 0) or another one (which 1) into k. */
static void
get_key(int which, unsigned char k[PAGETOK_KEY_LEN])
{
	if (pagetok_key(which == 0 ? "0123456789abcdef0123456789abcdef" :
	    "another account's auth token", k) != ERR_OK) {
		fprintf(stderr, "pagetok_key failed\n");
		exit(1);
	}
}

static struct pagetok
tok(char kind, const char *scope, const char *ttok, long page, int size)
{
	struct pagetok p;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	snprintf(p.scope, sizeof(p.scope), "%s", scope);
	snprintf(p.twilio_token, sizeof(p.twilio_token), "%s", ttok);
	p.page = page;
	p.size = size;
	return p;
}

static int
same(const struct pagetok *a, const struct pagetok *b)
{
	return a->kind == b->kind && strcmp(a->scope, b->scope) == 0 &&
	    strcmp(a->twilio_token, b->twilio_token) == 0 &&
	    a->page == b->page && a->size == b->size;
}

static int
zeroed(const struct pagetok *p)
{
	static const struct pagetok z;

	return memcmp(p, &z, sizeof(z)) == 0;
}

static void
test_key(void)
{
	unsigned char	a[PAGETOK_KEY_LEN], b[PAGETOK_KEY_LEN];

	T_CHECK(pagetok_key("secret", a) == ERR_OK);
	T_CHECK(pagetok_key("secret", b) == ERR_OK);
	T_CHECK(memcmp(a, b, sizeof(a)) == 0);	/* every copy agrees */
	T_CHECK(pagetok_key("secret2", b) == ERR_OK);
	T_CHECK(memcmp(a, b, sizeof(a)) != 0);
	T_CHECK(pagetok_key("", a) == ERR_INVAL);
	T_CHECK(pagetok_key(NULL, a) == ERR_INVAL);
}

static void
test_round_trip(void)
{
	char		 big_scope[160], big_tok[200], out[PAGETOK_MAX];
	static const char *scopes[] = { "", "state=active", "state=",
	    "+14155550100|closed", "CH0123456789abcdef0123456789abcdef|asc",
	    "with space and | = & ? # % \" \\ ' <>", "caf\xc3\xa9" };
	static const char *ttoks[] = { "", "PT", "PAKs3K0123==",
	    "PTabc-_.~+/=", "PA0" };
	static const long pages[] = { 0, 1, 2, 255, 256, 65535, 65536, 99999,
	    100000 };
	static const int sizes[] = { 1, 2, 50, 99, 100 };
	static const char kinds[] = "apmz";
	struct pagetok	 p, q;
	size_t		 a, b, c, d, k, n = 0;
	unsigned char	 key[PAGETOK_KEY_LEN];

	get_key(0, key);

	for (k = 0; k < sizeof(kinds) - 1; k++)
	for (a = 0; a < T_NCASES(scopes); a++)
	for (b = 0; b < T_NCASES(ttoks); b++)
	for (c = 0; c < T_NCASES(pages); c++)
	for (d = 0; d < T_NCASES(sizes); d++) {
		p = tok(kinds[k], scopes[a], ttoks[b], pages[c], sizes[d]);
		T_CHECK_CASE(pagetok_encode(&p, key, sizeof(key), out,
		    sizeof(out)) == ERR_OK, n, scopes[a]);
		T_CHECK_CASE(strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(out),
		    n, out);
		T_CHECK_CASE(pagetok_decode(&q, key, sizeof(key), out) ==
		    ERR_OK && same(&p, &q), n, out);
		n++;
	}

	/* The largest fields make the longest token: it fits. */
	memset(big_scope, 'S', sizeof(big_scope) - 1);
	big_scope[sizeof(big_scope) - 1] = '\0';
	memset(big_tok, '=', sizeof(big_tok) - 1);
	big_tok[sizeof(big_tok) - 1] = '\0';
	p = tok('m', big_scope, big_tok, 100000, 100);
	T_CHECK(strlen(p.scope) == 159 && strlen(p.twilio_token) == 199);
	T_CHECK(pagetok_encode(&p, key, sizeof(key), out, sizeof(out)) ==
	    ERR_OK);
	T_CHECK(strlen(out) < PAGETOK_MAX);
	T_CHECK(pagetok_decode(&q, key, sizeof(key), out) == ERR_OK &&
	    same(&p, &q));
	/* Too little room: ERR_TOOBIG, out left "". */
	T_CHECK(pagetok_encode(&p, key, sizeof(key), out, strlen(out)) ==
	    ERR_TOOBIG);
	T_STREQ(out, "");
}

static void
test_encode_refuses(void)
{
	char		 out[PAGETOK_MAX];
	struct pagetok	 p;
	size_t		 i;
	static const struct {
		char		 kind;
		const char	*scope, *ttok;
		long		 page;
		int		 size;
	} bad[] = {
		{ 'A', "s", "PT", 0, 50 },
		{ '\0', "s", "PT", 0, 50 },
		{ '1', "s", "PT", 0, 50 },
		{ 'a', "s", "PT", -1, 50 },
		{ 'a', "s", "PT", 100001, 50 },
		{ 'a', "s", "PT", 0, 0 },
		{ 'a', "s", "PT", 0, 101 },
		{ 'a', "s", "PT", 0, -5 },
		{ 'a', "new\nline", "PT", 0, 50 },
		{ 'a', "tab\t", "PT", 0, 50 },
		{ 'a', "del\x7f", "PT", 0, 50 },
		{ 'a', "s", "P T", 0, 50 },
		{ 'a', "s", "P%", 0, 50 },
		{ 'a', "s", "P&x=1", 0, 50 },
		{ 'a', "s", "P\xc3\xa9", 0, 50 },
	};
	unsigned char	 key[PAGETOK_KEY_LEN];

	get_key(0, key);

	for (i = 0; i < T_NCASES(bad); i++) {
		p = tok(bad[i].kind, bad[i].scope, bad[i].ttok, bad[i].page,
		    bad[i].size);
		T_CHECK_CASE(pagetok_encode(&p, key, sizeof(key), out,
		    sizeof(out)) == ERR_INVAL, i, bad[i].scope);
	}
	/* Strings not NUL-terminated in their arrays. */
	p = tok('a', "", "", 0, 50);
	memset(p.scope, 'x', sizeof(p.scope));
	T_CHECK(pagetok_encode(&p, key, sizeof(key), out, sizeof(out)) ==
	    ERR_INVAL);
	p = tok('a', "", "", 0, 50);
	memset(p.twilio_token, 'x', sizeof(p.twilio_token));
	T_CHECK(pagetok_encode(&p, key, sizeof(key), out, sizeof(out)) ==
	    ERR_INVAL);
	/* No key. */
	p = tok('a', "", "PT", 0, 50);
	T_CHECK(pagetok_encode(&p, NULL, 0, out, sizeof(out)) == ERR_INVAL);
	T_CHECK(pagetok_encode(&p, key, 0, out, sizeof(out)) == ERR_INVAL);
}

/* Every one-byte change of a good token, and every cut, is refused. */
static void
test_tamper(void)
{
	char		 good[PAGETOK_MAX], t[PAGETOK_MAX + 2];
	struct pagetok	 p, q;
	size_t		 i, len;
	int		 c, refused = 1;
	unsigned char	 key[PAGETOK_KEY_LEN];

	get_key(0, key);

	p = tok('p', "+14155550100|closed", "PAKs3K0123==", 3, 50);
	T_CHECK(pagetok_encode(&p, key, sizeof(key), good, sizeof(good)) ==
	    ERR_OK);
	len = strlen(good);
	for (i = 0; i < len; i++) {
		for (c = 1; c < 256; c++) {
			if (c == (unsigned char)good[i])
				continue;
			memcpy(t, good, len + 1);
			t[i] = (char)c;
			memset(&q, 0x55, sizeof(q));
			if (pagetok_decode(&q, key, sizeof(key), t) != ERR_INVAL ||
			    !zeroed(&q)) {
				fprintf(stderr, "  byte %zu set to %d accepted\n",
				    i, c);
				refused = 0;
			}
		}
	}
	T_CHECK(refused);
	/* Truncated anywhere (a NUL written at i). */
	for (i = 0; i < len; i++) {
		memcpy(t, good, len + 1);
		t[i] = '\0';
		T_CHECK_CASE(pagetok_decode(&q, key, sizeof(key), t) ==
		    ERR_INVAL && zeroed(&q), i, t);
	}
	/* Extended by any character. */
	for (c = 1; c < 256; c++) {
		memcpy(t, good, len + 1);
		t[len] = (char)c;
		t[len + 1] = '\0';
		T_CHECK_CASE(pagetok_decode(&q, key, sizeof(key), t) ==
		    ERR_INVAL, (size_t)c, t);
		/* ... or at the front. */
		t[0] = (char)c;
		memcpy(t + 1, good, len + 1);
		T_CHECK_CASE(pagetok_decode(&q, key, sizeof(key), t) ==
		    ERR_INVAL, (size_t)c, t);
	}
	/* The payload or the MAC of another good token swapped in. */
	{
		char		 other_tok[PAGETOK_MAX];
		const char	*dot_a, *dot_b;

		p.page = 4;
		T_CHECK(pagetok_encode(&p, key, sizeof(key), other_tok,
		    sizeof(other_tok)) == ERR_OK);
		dot_a = strchr(good, '.');
		dot_b = strchr(other_tok, '.');
		snprintf(t, sizeof(t), "%.*s%s", (int)(dot_a - good), good,
		    dot_b);
		T_CHECK(pagetok_decode(&q, key, sizeof(key), t) == ERR_INVAL);
	}
	T_CHECK(pagetok_decode(&q, key, sizeof(key), good) == ERR_OK);
}

static void
test_decode_refuses(void)
{
	char		 good[PAGETOK_MAX], t[PAGETOK_MAX * 2];
	struct pagetok	 p, q;
	static const char *junk[] = { "", ".", "a.b", "AAAA", "AAAA.",
	    ".AAAAAAAAAAAAAAAAAAAAAA", "MWEAAAAyAA.AAAAAAAAAAAAAAAAAAAAAA",
	    "MWEAAAAyAA==.AAAAAAAAAAAAAAAAAAAAAA" };
	size_t		 i;
	unsigned char	 key[PAGETOK_KEY_LEN], other[PAGETOK_KEY_LEN];

	get_key(0, key);
	get_key(1, other);
	for (i = 0; i < T_NCASES(junk); i++)
		T_CHECK_CASE(pagetok_decode(&q, key, sizeof(key), junk[i]) ==
		    ERR_INVAL && zeroed(&q), i, junk[i]);
	T_CHECK(pagetok_decode(&q, key, sizeof(key), NULL) == ERR_INVAL);

	/* Made with another key. */
	p = tok('a', "state=active", "PT1", 1, 50);
	T_CHECK(pagetok_encode(&p, other, sizeof(other), good, sizeof(good)) ==
	    ERR_OK);
	T_CHECK(pagetok_decode(&q, other, sizeof(other), good) == ERR_OK);
	T_CHECK(pagetok_decode(&q, key, sizeof(key), good) == ERR_INVAL &&
	    zeroed(&q));
	T_CHECK(pagetok_decode(&q, key, sizeof(key) - 1, good) == ERR_INVAL);
	T_CHECK(pagetok_decode(&q, NULL, 0, good) == ERR_INVAL);

	/* A token of 'a' decodes as 'a': comparing is the caller's part. */
	p = tok('a', "state=active", "", 7, 20);
	T_CHECK(pagetok_encode(&p, key, sizeof(key), good, sizeof(good)) ==
	    ERR_OK);
	T_CHECK(pagetok_decode(&q, key, sizeof(key), good) == ERR_OK &&
	    q.kind == 'a' && strcmp(q.scope, "state=active") == 0);

	/* PAGETOK_MAX characters or more: refused before anything else. */
	memset(t, 'A', sizeof(t) - 1);
	t[sizeof(t) - 1] = '\0';
	T_CHECK(pagetok_decode(&q, key, sizeof(key), t) == ERR_INVAL);
	t[PAGETOK_MAX] = '\0';
	T_CHECK(pagetok_decode(&q, key, sizeof(key), t) == ERR_INVAL);
}

struct url_case {
	const char	*url;
	enum err	 err;
	const char	*ttok;
	long		 page;
	int		 size;
};

static void
test_from_url(void)
{
	static const struct url_case cases[] = {
		{ "https://conversations.twilio.com/v1/Conversations?"
		    "PageSize=50&Page=1&PageToken=PAKs3Kabc%2Bdef%2F0%3D%3D",
		    ERR_OK, "PAKs3Kabc+def/0==", 1, 50 },
		{ "https://conversations.twilio.com/v1/Conversations?"
		    "State=active&PageSize=20&Page=3&PageToken=PTCH0123",
		    ERR_OK, "PTCH0123", 3, 20 },
		{ "https://conversations.twilio.com/v1/ParticipantConversations"
		    "?Address=%2B14155550100&PageSize=100&Page=2"
		    "&PageToken=PA3Dw", ERR_OK, "PA3Dw", 2, 100 },
		{ "https://conversations.twilio.com/v1/Conversations/CH0123/"
		    "Messages?Order=desc&PageSize=1&Page=100000"
		    "&PageToken=PT12#frag", ERR_OK, "PT12", 100000, 1 },
		/* Page alone; PageToken alone; PageSize absent: kept. */
		{ "https://x/v1/Y?Page=4", ERR_OK, "", 4, 7 },
		{ "https://x/v1/Y?PageToken=PT9", ERR_OK, "PT9", 0, 7 },
		/* '+' is itself in a URL's query, escapes in names too. */
		{ "https://x/?Page%54oken=PT+a&Page=0", ERR_OK, "PT+a", 0, 7 },
		{ "https://x/?&&Page=1&&", ERR_OK, "", 1, 7 },
		{ "https://x/?Other=%zz&Page=1", ERR_OK, "", 1, 7 },
		{ "https://x/?pagetoken=PT1&page=1", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/v1/Y", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/v1/Y?", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/v1/Y?PageSize=50", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/v1/Y?PageToken=&PageSize=50", ERR_INVAL, NULL, 0,
		    0 },
		{ "https://x/v1/Y#?Page=1", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=P%20T", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=P%00T", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=P%2", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=P%zzT", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=P%26T", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=PT\xc3\xa9", ERR_INVAL, NULL, 0,
		    0 },
		{ "https://x/?Page=100001", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=-1", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=+1", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1x", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=0000001", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&Page=2", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageToken=a&PageToken=a", ERR_INVAL, NULL,
		    0, 0 },
		{ "https://x/?Page=1&PageSize=0", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageSize=101", ERR_INVAL, NULL, 0, 0 },
		{ "https://x/?Page=1&PageSize=50&PageSize=50", ERR_INVAL, NULL,
		    0, 0 },
		{ "", ERR_INVAL, NULL, 0, 0 },
	};
	char		 url[600];
	struct pagetok	 p, before;
	size_t		 i;
	enum err	 e;

	for (i = 0; i < T_NCASES(cases); i++) {
		p = tok('m', "CH0|asc", "old", 9, 7);
		before = p;
		e = pagetok_from_url(&p, cases[i].url);
		T_CHECK_CASE(e == cases[i].err, i, cases[i].url);
		if (e != ERR_OK) {
			T_CHECK_CASE(same(&p, &before), i, cases[i].url);
			continue;
		}
		T_CHECK_CASE(p.kind == 'm' && strcmp(p.scope, "CH0|asc") == 0,
		    i, cases[i].url);
		T_CHECK_CASE(strcmp(p.twilio_token, cases[i].ttok) == 0 &&
		    p.page == cases[i].page && p.size == cases[i].size, i,
		    cases[i].url);
	}
	T_CHECK(pagetok_from_url(&p, NULL) == ERR_INVAL);

	/* A PageToken of 199 bytes fits, 200 does not. */
	snprintf(url, sizeof(url), "https://x/?Page=1&PageToken=%0199d", 0);
	T_CHECK(pagetok_from_url(&p, url) == ERR_OK &&
	    strlen(p.twilio_token) == 199);
	snprintf(url, sizeof(url), "https://x/?Page=1&PageToken=%0200d", 0);
	T_CHECK(pagetok_from_url(&p, url) == ERR_INVAL);
}

/* What from_url reads, encode takes and decode gives back. */
static void
test_url_to_token(void)
{
	char		 out[PAGETOK_MAX];
	struct pagetok	 p, q;
	unsigned char	 key[PAGETOK_KEY_LEN];

	get_key(0, key);

	p = tok('a', "state=closed", "", 0, 50);
	T_CHECK(pagetok_from_url(&p, "https://conversations.twilio.com/v1/"
	    "Conversations?State=closed&PageSize=50&Page=1&PageToken="
	    "PAKs3KUT0xzeWRrZDAxdWcxOGR5c3BpMjQ%3D") == ERR_OK);
	T_CHECK(pagetok_encode(&p, key, sizeof(key), out, sizeof(out)) ==
	    ERR_OK);
	T_CHECK(pagetok_decode(&q, key, sizeof(key), out) == ERR_OK &&
	    same(&p, &q));
	T_STREQ(q.twilio_token, "PAKs3KUT0xzeWRrZDAxdWcxOGR5c3BpMjQ=");
	T_CHECK(q.page == 1 && q.size == 50 && q.kind == 'a');
}

int
main(void)
{
	T_RUN(test_key);
	T_RUN(test_round_trip);
	T_RUN(test_encode_refuses);
	T_RUN(test_tamper);
	T_RUN(test_decode_refuses);
	T_RUN(test_from_url);
	T_RUN(test_url_to_token);
	T_END();
}
