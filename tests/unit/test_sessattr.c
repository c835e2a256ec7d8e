/* test_sessattr: the service's own data inside a conversation's attributes. */
#include <stdlib.h>
#include <string.h>

#include "svc/sessattr.h"
#include "t.h"

static int
same(const struct sessattr *a, const struct sessattr *b)
{
	return a->ttl == b->ttl && a->expiry == b->expiry &&
	    a->mode == b->mode && a->changed == b->changed &&
	    a->call_record == b->call_record &&
	    a->call_time_limit == b->call_time_limit &&
	    a->call_ring_timeout == b->call_ring_timeout;
}

/* join(text, s) into a fresh buffer: the result's code, the text in *out. */
static enum err
join(const char *text, const struct sessattr *s, char **out,
    const char **why)
{
	struct buf	b;
	enum err	e;

	buf_init(&b, 1 << 16);
	e = sessattr_join(text, text != NULL ? strlen(text) : 0, s, &b, why);
	*out = buf_detach(&b);
	buf_free(&b);
	return e;
}

static const struct sessattr settings[] = {
	{ 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 },
	{ 3600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 },
	{ 0, 1796551200, SESSATTR_MODE_NONE, false, 0, 0, 0 },
	{ 0, 0, SESSATTR_MODE_VOICE, false, 0, 0, 0 },
	{ 0, 0, SESSATTR_MODE_NONE, true, 0, 0, 0 },
	{ 600, 1796551200, SESSATTR_MODE_BOTH, true, 0, 0, 0 },
	{ 86400, 4102444799, SESSATTR_MODE_MESSAGE, false, 0, 0, 0 },
	{ 2147483647, 1, SESSATTR_MODE_VOICE, true, 0, 0, 0 },
	/* §13's call: each key alone, and all with the rest. */
	{ 0, 0, SESSATTR_MODE_NONE, false, 2, 0, 0 },
	{ 0, 0, SESSATTR_MODE_NONE, false, 1, 0, 0 },
	{ 0, 0, SESSATTR_MODE_NONE, false, 0, 14400, 0 },
	{ 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 5 },
	{ 600, 1796551200, SESSATTR_MODE_VOICE, true, 2, 1, 600 },
};

/* Texts join takes; split gives each back byte for byte. */
static const char *const texts[] = {
	"{}",
	"{ }",
	" {}\n",
	"{\"a\":1}",
	"{ \"a\" : 1 }",
	"\t{\"a\":1,\"b\":[1,2,{\"c\":null}]}\r\n",
	"{\"nested\":{\"maskedSession\":{\"ttl\":5}}}",
	"{\"s\":\"\\\"maskedSession\\\":{\\\"ttl\\\":600}}\"}",
	"{\"note\":\"maskedSession\",\"x\":\"}\"}",
	"{\"u\":\"caf\\u00e9 \\ud83d\\ude00\",\"raw\":\"caf\xc3\xa9\"}",
	"{\"slash\":\"a\\/b\",\"n\":-1.5e10,\"t\":true,\"f\":false}",
	"{\"a\":{}}",
	"{\"a\":[]}",
	"{\"maskedsession\":1,\"MaskedSession\":2}",
	"{\"a\":{\"maskedSession\":{\"ttl\":600}}}",
	"{\"k\":\"x\",\n  \"maskedSessionX\": 1\n}\n",
};

static void
test_round_trip(void)
{
	struct sessattr	 got;
	const char	*why;
	char		*stored, *back;
	size_t		 i, k, n = 0;

	for (i = 0; i < T_NCASES(texts); i++)
	for (k = 0; k < T_NCASES(settings); k++, n++) {
		stored = back = NULL;
		T_CHECK_CASE(join(texts[i], &settings[k], &stored, &why) ==
		    ERR_OK, n, texts[i]);
		T_CHECK_CASE(sessattr_split(stored, &back, &got) == ERR_OK, n,
		    texts[i]);
		T_CHECK_CASE(back != NULL && strcmp(back, texts[i]) == 0, n,
		    back != NULL ? back : "(null)");
		T_CHECK_CASE(same(&got, &settings[k]), n, stored);
		free(stored);
		free(back);
	}
	/* No caller text: our member alone, which splits to "{}". */
	for (k = 0; k < T_NCASES(settings); k++) {
		T_CHECK_CASE(join(NULL, &settings[k], &stored, &why) == ERR_OK,
		    k, "NULL");
		T_CHECK_CASE(sessattr_split(stored, &back, &got) == ERR_OK, k,
		    "NULL");
		T_CHECK_CASE(k == 0 ? strcmp(stored, "") == 0 :
		    strcmp(back, "{}") == 0, k, back);
		T_CHECK_CASE(same(&got, &settings[k]), k, stored);
		free(stored);
		free(back);
	}
}

/* What join writes, exactly. */
static void
test_join_text(void)
{
	static const struct {
		const char	*caller;
		struct sessattr	 s;
		const char	*want;
	} cases[] = {
		{ NULL, { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 },
		    "{\"maskedSession\":{\"ttl\":600}}" },
		{ "{}", { 0, 1796551200, SESSATTR_MODE_BOTH, true, 0, 0, 0 },
		    "{\"maskedSession\":{\"dateExpiry\":\"2026-12-06T10:00:00Z\","
		    "\"mode\":\"voice-and-message\",\"changed\":true}}" },
		{ "{ }", { 3600, 0, SESSATTR_MODE_MESSAGE, false, 0, 0, 0 },
		    "{ \"maskedSession\":{\"ttl\":3600,\"mode\":\"message-only\"}}"
		},
		{ " {\"ride\": 42} \n", { 3600, 1796551200, SESSATTR_MODE_VOICE,
		    true, 0, 0, 0 }, " {\"ride\": 42,\"maskedSession\":{\"ttl\":3600,"
		    "\"dateExpiry\":\"2026-12-06T10:00:00Z\",\"mode\":"
		    "\"voice-only\",\"changed\":true}} \n" },
		/* Nothing to keep: the caller's text as it is, any JSON. */
		{ "{\"a\":1}", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 },
		    "{\"a\":1}" },
		{ "[1, 2]", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 }, "[1, 2]" },
		{ "\"text\"", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 }, "\"text\"" },
		{ "7", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 }, "7" },
		{ NULL, { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 }, "" },
		{ "", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 }, "" },
	};
	const char	*why;
	char		*out;
	size_t		 i;

	for (i = 0; i < T_NCASES(cases); i++) {
		T_CHECK_CASE(join(cases[i].caller, &cases[i].s, &out, &why) ==
		    ERR_OK, i, cases[i].want);
		T_CHECK_CASE(out != NULL && strcmp(out, cases[i].want) == 0, i,
		    out != NULL ? out : "(null)");
		free(out);
	}
}

/* {"a": and n arrays nested, into out. */
static void
nest(char *out, int n)
{
	int i, k;

	k = sprintf(out, "{\"a\":");
	for (i = 0; i < n; i++)
		out[k++] = '[';
	for (i = 0; i < n; i++)
		out[k++] = ']';
	strcpy(out + k, "}");
}

static void
test_join_refuses(void)
{
	static const struct sessattr some = { 600, 0, SESSATTR_MODE_NONE,
	    false, 0, 0, 0 }, none = { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 };
	static const struct {
		const char		*caller;
		const struct sessattr	*s;
	} cases[] = {
		{ "{\"maskedSession\":{}}", &none },
		{ "{\"maskedSession\":{}}", &some },
		{ "{\"a\":1,\"maskedSession\":null}", &some },
		{ "{\"masked\\u0053ession\":1}", &none },
		{ " { \"maskedSession\" : 1 } ", &some },
		{ "[1]", &some },
		{ "\"str\"", &some },
		{ "null", &some },
		{ "{", &none },
		{ "{\"a\":1", &some },
		{ "{\"a\":1}}", &some },
		{ "{\"a\":1} x", &none },
		{ "{'a':1}", &none },
		{ "{\"a\":NaN}", &some },
		{ "{\"a\":1,\"a\":2}", &some },
		{ "{\"a\":\"\x01\"}", &some },
		{ "{\"a\":\"\xff\"}", &some },
		{ "not json", &none },
		{ " ", &some },
	};
	struct sessattr	 bad;
	struct buf	 b;
	const char	*why;
	char		 deep[200];
	size_t		 i;

	buf_init(&b, 1 << 16);
	T_CHECK(buf_puts(&b, "kept") == ERR_OK);
	for (i = 0; i < T_NCASES(cases); i++) {
		why = NULL;
		T_CHECK_CASE(sessattr_join(cases[i].caller,
		    strlen(cases[i].caller), cases[i].s, &b, &why) == ERR_INVAL,
		    i, cases[i].caller);
		T_CHECK_CASE(why != NULL && why[0] != '\0', i, cases[i].caller);
		T_CHECK_CASE(strcmp(buf_str(&b), "kept") == 0, i,
		    cases[i].caller);
	}
	/* A NUL inside the text. */
	T_CHECK(sessattr_join("{}\0", 3, &some, &b, &why) == ERR_INVAL);

	/* Nested deeper than SESSATTR_MAX_DEPTH. */
	nest(deep, SESSATTR_MAX_DEPTH);
	T_CHECK(sessattr_join(deep, strlen(deep), &none, &b, &why) ==
	    ERR_INVAL);
	/* One less deep: taken, and split gives it back. */
	nest(deep, SESSATTR_MAX_DEPTH - 1);
	T_CHECK(sessattr_join(deep, strlen(deep), &some, &b, &why) == ERR_OK);
	{
		struct sessattr	 got;
		char		*back;
		const char	*stored = buf_str(&b) + strlen("kept");

		T_CHECK(sessattr_split(stored, &back, &got) == ERR_OK);
		T_STREQ(back, deep);
		T_CHECK(same(&got, &some));
		free(back);
	}
	buf_reset(&b);
	T_CHECK(buf_puts(&b, "kept") == ERR_OK);

	/* Fields out of range. */
	bad = some;
	bad.ttl = -1;
	T_CHECK(sessattr_join("{}", 2, &bad, &b, &why) == ERR_INVAL);
	bad = some;
	bad.expiry = SESSATTR_TIME_MAX + 1;
	T_CHECK(sessattr_join("{}", 2, &bad, &b, &why) == ERR_INVAL);
	bad = some;
	bad.mode = (enum sessattr_mode)9;
	T_CHECK(sessattr_join("{}", 2, &bad, &b, &why) == ERR_INVAL);
	T_STREQ(buf_str(&b), "kept");

	/* Past out's limit: ERR_TOOBIG, out as it was. */
	buf_free(&b);
	buf_init(&b, 10);
	T_CHECK(buf_puts(&b, "kept") == ERR_OK);
	T_CHECK(sessattr_join("{}", 2, &some, &b, &why) == ERR_TOOBIG);
	T_STREQ(buf_str(&b), "kept");
	buf_free(&b);
}

/* Texts that someone else edited, or never ours. */
static void
test_split_foreign(void)
{
	static const struct {
		const char	*stored;
		const char	*caller;
		struct sessattr	 s;
	} cases[] = {
		/* Ours first, not last: re-serialised. */
		{ "{\"maskedSession\":{\"ttl\":600}, \"a\": 1}", "{\"a\":1}",
		    { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		/* Ours last but reformatted. */
		{ "{\"a\":1, \"maskedSession\": {\"ttl\": 600}}", "{\"a\":1}",
		    { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"a\":\"x/y\",\"maskedSession\":{\"mode\":\"voice-only\","
		    "\"ttl\":600}}", "{\"a\":\"x/y\"}",
		    { 600, 0, SESSATTR_MODE_VOICE, false, 0, 0, 0 } },
		/* Malformed or unknown members of ours: ignored. */
		{ "{\"a\":1,\"maskedSession\":{\"ttl\":\"600\",\"mode\":\"x\","
		    "\"changed\":1,\"dateExpiry\":\"tomorrow\",\"new\":1}}",
		    "{\"a\":1}", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"a\":1,\"maskedSession\":{\"ttl\":-5,\"changed\":false}}",
		    "{\"a\":1}", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"a\":1,\"maskedSession\":5}", "{\"a\":1}",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"maskedSession\":null}", "{}",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"maskedSession\":{\"dateExpiry\":\"2026-12-06T11:00:00+01:00\"}}",
		    "{}", { 0, 1796551200, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		/* Our member alone, as join writes it: "{}". */
		{ "{\"maskedSession\":{\"ttl\":600}}", "{}",
		    { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		/* Ours at the end of a nested object, ours at the top too. */
		{ "{\"maskedSession\":{\"ttl\":600},\"n\":{\"maskedSession\":"
		    "{\"ttl\":600}}}", "{\"n\":{\"maskedSession\":{\"ttl\":600}}}",
		    { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		/* Key absent, or not an object, or not JSON: unchanged. */
		{ "{\"n\":{\"maskedSession\":{\"ttl\":600}}}",
		    "{\"n\":{\"maskedSession\":{\"ttl\":600}}}",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "[\"maskedSession\"]", "[\"maskedSession\"]",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"maskedSession\":{\"ttl\":600}", "{\"maskedSession\":{\"ttl\":600}",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "", "", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{}", "{}", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "garbage", "garbage", { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		/* Text after the object (not JSON): ours goes all the same. */
		{ "{\"a\":1,\"maskedSession\":{\"ttl\":600}} x", "{\"a\":1}",
		    { 600, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
		{ "{\"a\":1} {\"maskedSession\":{\"ttl\":600}}",
		    "{\"a\":1} {\"maskedSession\":{\"ttl\":600}}",
		    { 0, 0, SESSATTR_MODE_NONE, false, 0, 0, 0 } },
	};
	struct sessattr	 got;
	char		*back;
	size_t		 i;

	for (i = 0; i < T_NCASES(cases); i++) {
		back = NULL;
		memset(&got, 0x5a, sizeof(got));
		T_CHECK_CASE(sessattr_split(cases[i].stored, &back, &got) ==
		    ERR_OK, i, cases[i].stored);
		T_CHECK_CASE(back != NULL && strcmp(back, cases[i].caller) == 0,
		    i, back != NULL ? back : "(null)");
		T_CHECK_CASE(same(&got, &cases[i].s), i, cases[i].stored);
		free(back);
	}
	T_CHECK(sessattr_split(NULL, &back, &got) == ERR_OK);
	T_STREQ(back, "{}");
	free(back);
}

static void
test_modes(void)
{
	enum sessattr_mode	 m = SESSATTR_MODE_NONE;

	T_CHECK(sessattr_mode_parse("voice-and-message", &m) &&
	    m == SESSATTR_MODE_BOTH);
	T_CHECK(sessattr_mode_parse("voice-only", &m) &&
	    m == SESSATTR_MODE_VOICE);
	T_CHECK(sessattr_mode_parse("message-only", &m) &&
	    m == SESSATTR_MODE_MESSAGE);
	T_CHECK(!sessattr_mode_parse("Voice-only", &m) &&
	    m == SESSATTR_MODE_MESSAGE);
	T_CHECK(!sessattr_mode_parse("", &m));
	T_CHECK(!sessattr_mode_parse(NULL, &m));
	T_CHECK(!sessattr_mode_parse("voice-only ", &m));
	T_STREQ(sessattr_mode_name(SESSATTR_MODE_BOTH), "voice-and-message");
	T_STREQ(sessattr_mode_name(SESSATTR_MODE_VOICE), "voice-only");
	T_STREQ(sessattr_mode_name(SESSATTR_MODE_MESSAGE), "message-only");
	T_CHECK(sessattr_mode_name(SESSATTR_MODE_NONE) == NULL);
	T_CHECK(sessattr_mode_name((enum sessattr_mode)42) == NULL);
}

static void
test_any(void)
{
	struct sessattr s;

	memset(&s, 0, sizeof(s));
	T_CHECK(!sessattr_any(&s));
	s.changed = true;
	T_CHECK(sessattr_any(&s));
	s.changed = false;
	s.mode = SESSATTR_MODE_VOICE;
	T_CHECK(sessattr_any(&s));
	s.mode = SESSATTR_MODE_NONE;
	s.expiry = 1;
	T_CHECK(sessattr_any(&s));
	s.expiry = 0;
	s.ttl = 600;
	T_CHECK(sessattr_any(&s));
}

static void
test_time(void)
{
	static const struct {
		const char	*in;
		long long	 want;
	} cases[] = {
		{ "2026-12-06T10:00:00Z", 1796551200 },
		{ "2026-12-06t10:00:00z", 1796551200 },
		{ "2026-12-06T10:00:00.123Z", 1796551200 },
		{ "2026-12-06T10:00:00.999999999+00:00", 1796551200 },
		{ "2026-12-06T11:30:00+01:30", 1796551200 },
		{ "2026-12-06T05:00:00-05:00", 1796551200 },
		{ "2026-12-06T10:00:00-00:00", 1796551200 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2000-02-29T12:00:00Z", 951825600 },
		{ "9999-12-31T23:59:59Z", SESSATTR_TIME_MAX },
		{ "2026-12-06T10:00:00", -1 },
		{ "2026-12-06 10:00:00Z", -1 },
		{ "2026-12-06T10:00Z", -1 },
		{ "2026-12-06", -1 },
		{ "2026-13-01T00:00:00Z", -1 },
		{ "2026-00-01T00:00:00Z", -1 },
		{ "2026-02-29T00:00:00Z", -1 },
		{ "1900-02-29T00:00:00Z", -1 },
		{ "2026-04-31T00:00:00Z", -1 },
		{ "2026-12-00T00:00:00Z", -1 },
		{ "2026-12-06T24:00:00Z", -1 },
		{ "2026-12-06T10:60:00Z", -1 },
		{ "2026-12-06T10:00:60Z", -1 },
		{ "2026-12-06T10:00:00.Z", -1 },
		{ "2026-12-06T10:00:00+1:00", -1 },
		{ "2026-12-06T10:00:00+01", -1 },
		{ "2026-12-06T10:00:00+0100", -1 },
		{ "2026-12-06T10:00:00+24:00", -1 },
		{ "2026-12-06T10:00:00Zjunk", -1 },
		{ "2026-12-06T10:00:00Z ", -1 },
		{ " 2026-12-06T10:00:00Z", -1 },
		{ "+2026-12-06T10:00:00Z", -1 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "1970-01-01T00:00:00+00:01", -1 },
		{ "9999-12-31T23:59:59-00:01", -1 },
		{ "", -1 },
		{ "2", -1 },
	};
	char	 out[21];
	size_t	 i;

	for (i = 0; i < T_NCASES(cases); i++)
		T_CHECK_CASE(sessattr_time_parse(cases[i].in) == cases[i].want,
		    i, cases[i].in);
	T_CHECK(sessattr_time_parse(NULL) == -1);

	sessattr_time_format(1796551200, out);
	T_STREQ(out, "2026-12-06T10:00:00Z");
	sessattr_time_format(0, out);
	T_STREQ(out, "1970-01-01T00:00:00Z");
	sessattr_time_format(-5, out);
	T_STREQ(out, "1970-01-01T00:00:00Z");
	sessattr_time_format(SESSATTR_TIME_MAX, out);
	T_STREQ(out, "9999-12-31T23:59:59Z");
	sessattr_time_format(SESSATTR_TIME_MAX * 2, out);
	T_STREQ(out, "9999-12-31T23:59:59Z");
	/* Every day of a few years and back. */
	for (i = 0; i < 3 * 366; i++) {
		long long t = 1704067200LL + (long long)i * 86400 + 3723;

		sessattr_time_format(t, out);
		T_CHECK_CASE(sessattr_time_parse(out) == t, i, out);
	}
}

/* §13's call: how it is written, and what is ignored when read. */
static void
test_call(void)
{
	struct sessattr	 s, got;
	const char	*why;
	char		*out = NULL, *back = NULL;

	memset(&s, 0, sizeof(s));
	s.mode = SESSATTR_MODE_VOICE;
	s.call_record = 2;
	s.call_time_limit = 600;
	s.call_ring_timeout = 20;
	s.changed = true;
	T_CHECK(join("{\"a\":1}", &s, &out, &why) == ERR_OK);
	T_STREQ(out, "{\"a\":1,\"maskedSession\":{\"mode\":\"voice-only\","
	    "\"call\":{\"record\":true,\"timeLimit\":600,\"ringTimeout\":20},"
	    "\"changed\":true}}");
	free(out);
	memset(&s, 0, sizeof(s));
	s.call_record = 1;
	T_CHECK(sessattr_any(&s) && sessattr_call_any(&s));
	T_CHECK(join(NULL, &s, &out, &why) == ERR_OK);
	T_STREQ(out, "{\"maskedSession\":{\"call\":{\"record\":false}}}");
	free(out);
	/* Out of range: refused on join. */
	s.call_ring_timeout = 4;
	out = NULL;
	T_CHECK(join(NULL, &s, &out, &why) == ERR_INVAL);
	free(out);
	s.call_ring_timeout = 0;
	s.call_time_limit = 14401;
	out = NULL;
	T_CHECK(join(NULL, &s, &out, &why) == ERR_INVAL);
	free(out);
	/* Read: what is malformed or out of range is ignored, the rest kept. */
	T_CHECK(sessattr_split("{\"maskedSession\":{\"call\":{\"record\":1,"
	    "\"timeLimit\":0,\"ringTimeout\":700,\"x\":1}}}", &back, &got) ==
	    ERR_OK);
	T_CHECK(!sessattr_call_any(&got));
	T_STREQ(back, "{}");
	free(back);
	T_CHECK(sessattr_split("{\"maskedSession\":{\"call\":{\"timeLimit\":"
	    "14400,\"ringTimeout\":5,\"record\":false}},\"b\":2}", &back, &got) ==
	    ERR_OK);
	T_CHECK(got.call_record == 1 && got.call_time_limit == 14400 &&
	    got.call_ring_timeout == 5);
	T_STREQ(back, "{\"b\":2}");
	free(back);
	T_CHECK(sessattr_split("{\"maskedSession\":{\"call\":[1]}}", &back,
	    &got) == ERR_OK);
	T_CHECK(!sessattr_call_any(&got));
	free(back);
}

int
main(void)
{
	T_RUN(test_round_trip);
	T_RUN(test_join_text);
	T_RUN(test_join_refuses);
	T_RUN(test_split_foreign);
	T_RUN(test_modes);
	T_RUN(test_any);
	T_RUN(test_call);
	T_RUN(test_time);
	T_END();
}
