#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "svc/sessreq.h"
#include "t.h"

#define ADDR	"\"addresses\":[\"+14155550100\"]"
#define MGSID	"MG0123456789abcdef0123456789ABCDEF"

/*
 * Parses body (len bytes) and checks that it is accepted with create_form
 * want; returns 1 if so, and prints what went wrong otherwise.
 */
static int
good_n(const char *body, size_t len, const char *want)
{
	struct sessreq		r;
	struct sessreq_error	why;
	enum err		e;
	int			ok;

	e = sessreq_parse(&r, body, len, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "good(%s): err %d, field %s: %s\n", body, e,
		    why.field ? why.field : "(null)", why.message);
		return 0;
	}
	ok = strcmp(buf_str(&r.create_form), want) == 0 &&
	    r.create_form.len == strlen(want);
	if (!ok)
		fprintf(stderr, "good(%s):\n  got  \"%s\"\n  want \"%s\"\n", body,
		    buf_str(&r.create_form), want);
	sessreq_free(&r);
	return ok;
}

/*
 * Parses body and checks that it is refused with err, naming field (NULL:
 * none), with a message starting with msg.
 */
static int
bad_n(const char *body, size_t len, enum err err, const char *field,
    const char *msg)
{
	struct sessreq		r;
	struct sessreq_error	why;
	enum err		e;
	int			ok;

	memset(&why, 0x5a, sizeof(why));	/* sessreq_parse must fill it */
	why.field = "garbage";
	e = sessreq_parse(&r, body, len, &why);
	ok = e == err &&
	    (field == NULL ? why.field == NULL :
	    why.field != NULL && strcmp(why.field, field) == 0) &&
	    memchr(why.message, '\0', sizeof(why.message)) != NULL &&
	    strncmp(why.message, msg, strlen(msg)) == 0;
	if (!ok)
		fprintf(stderr, "bad(%.80s): err %d, field %s: \"%.256s\"\n", body,
		    e, why.field ? why.field : "(null)", why.message);
	/* On failure r needs no freeing; freeing it again must be harmless. */
	if (e == ERR_OK)
		sessreq_free(&r);
	return ok;
}

/*
 * One case: body of len bytes. err ERR_OK: accepted, with create_form
 * want; otherwise refused with err, naming field (NULL: none), with a
 * message starting with want.
 */
struct scase {
	const char	*body;
	size_t		 len;
	enum err	 err;
	const char	*field;
	const char	*want;
};

/* The rows of a table, for a string literal body. */
#define GOOD(body, want)	{ (body), sizeof(body) - 1, ERR_OK, NULL, (want) }
#define BAD(body, err, field, msg) \
	{ (body), sizeof(body) - 1, (err), (field), (msg) }
#define INVAL(body, field, msg)	BAD(body, ERR_INVAL, field, msg)
#define PARSE(body, msg)	BAD(body, ERR_PARSE, NULL, msg)

/*
 * Checks every case of a table. A failure names the case: good_n and bad_n
 * print its body, T_CHECK_CASE its row and what was wanted.
 */
static void
check_cases(const struct scase *c, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (c[i].err == ERR_OK)
			T_CHECK_CASE(good_n(c[i].body, c[i].len, c[i].want), i,
			    c[i].want);
		else
			T_CHECK_CASE(bad_n(c[i].body, c[i].len, c[i].err,
			    c[i].field, c[i].want), i, c[i].want);
	}
}

#define CHECK_CASES(tab)	check_cases((tab), T_NCASES(tab))

static void
test_addresses_only(void)
{
	static const struct scase more[] = {
		/* Whitespace around and inside, a trailing newline as curl -d @f sends. */
		GOOD(" \n{ \"addresses\" : [ \"+14155550100\" ] }\r\n", ""),
		/* 15 digits, the longest. */
		GOOD("{\"addresses\":[\"+861234567890123\"]}", ""),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*body;

	body = "{\"addresses\":[\"+14155550100\",\"+447700900123\",\"+6831234\"]}";
	T_CHECK(sessreq_parse(&r, body, strlen(body), &why) == ERR_OK);
	T_CHECK(r.naddresses == 3);
	T_STREQ(r.addresses[0], "+14155550100");
	T_STREQ(r.addresses[1], "+447700900123");
	T_STREQ(r.addresses[2], "+6831234");
	T_STREQ(buf_str(&r.create_form), "");
	T_CHECK(r.create_form.len == 0);
	T_CHECK(why.field == NULL && why.message[0] == '\0');
	sessreq_free(&r);
	T_CHECK(r.naddresses == 0);
	sessreq_free(&r);		/* twice is harmless */
	sessreq_free(NULL);

	CHECK_CASES(more);
}

static void
test_fifty(void)
{
	struct sessreq		 r;
	struct sessreq_error	 why;
	struct buf		 b;
	int			 i;

	buf_init(&b, 4096);
	T_CHECK(buf_puts(&b, "{\"addresses\":[") == ERR_OK);
	for (i = 0; i < 50; i++)
		T_CHECK(buf_printf(&b, "%s\"+1415555%04d\"", i ? "," : "", i)
		    == ERR_OK);
	T_CHECK(buf_puts(&b, "]}") == ERR_OK);
	T_CHECK(sessreq_parse(&r, buf_str(&b), b.len, &why) == ERR_OK);
	T_CHECK(r.naddresses == 50);
	T_STREQ(r.addresses[0], "+14155550000");
	T_STREQ(r.addresses[49], "+14155550049");
	sessreq_free(&r);

	/* 51: refused. */
	b.len -= 2;
	T_CHECK(buf_puts(&b, ",\"+14155550050\"]}") == ERR_OK);
	T_CHECK(bad_n(buf_str(&b), b.len, ERR_INVAL, "addresses",
	    "addresses must list 1 to 50 numbers (got 51)"));
	buf_free(&b);
}

/* uniqueName is kept apart: session.c sends it (or one it makes up). */
static void
test_unique_name(void)
{
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*body = "{" ADDR ",\"uniqueName\":\"ride-42\"}";

	T_CHECK(sessreq_parse(&r, body, strlen(body), &why) == ERR_OK);
	T_STREQ(r.unique_name, "ride-42");
	T_STREQ(buf_str(&r.create_form), "");
	sessreq_free(&r);
	T_CHECK(r.unique_name == NULL);
	body = "{" ADDR "}";
	T_CHECK(sessreq_parse(&r, body, strlen(body), &why) == ERR_OK);
	T_CHECK(r.unique_name == NULL);
	sessreq_free(&r);
}

static void
test_every_property(void)
{
	static const struct scase cases[] = {
		/* Every property, flat, in body order; form-encoded exactly. */
		GOOD("{" ADDR ","
		    "\"friendlyName\":\"Ride 42\","
		    "\"uniqueName\":\"ride-42_a.b~c\","
		    "\"attributes\":\"{\\\"k\\\":\\\"v\\\"}\","
		    "\"messagingServiceSid\":\"" MGSID "\","
		    "\"state\":\"inactive\","
		    "\"dateCreated\":\"2024-01-02T03:04:05Z\","
		    "\"dateUpdated\":\"2024-01-02T03:04:06+01:00\","
		    "\"timers.inactive\":\"PT1H\","
		    "\"timers.closed\":\"P1D\","
		    "\"bindings.email.address\":\"ann@example.com\","
		    "\"bindings.email.name\":\"Ann & Bob\"}",
		    "FriendlyName=Ride%2042"
		    "&MessagingServiceSid=" MGSID
		    "&State=inactive"
		    "&DateCreated=2024-01-02T03%3A04%3A05Z"
		    "&DateUpdated=2024-01-02T03%3A04%3A06%2B01%3A00"
		    "&Timers.Inactive=PT1H"
		    "&Timers.Closed=P1D"
		    "&Bindings.Email.Address=ann%40example.com"
		    "&Bindings.Email.Name=Ann%20%26%20Bob"),

		/* The form follows the body's order, addresses anywhere. */
		GOOD("{\"state\":\"closed\"," ADDR ",\"friendlyName\":\"x\"}",
		    "State=closed&FriendlyName=x"),
		GOOD("{\"state\":\"active\"," ADDR "}", "State=active"),

		/* UTF-8 and reserved characters are percent-encoded, bytewise. */
		GOOD("{" ADDR ",\"friendlyName\":\"Caf\xc3\xa9 \\u00e9=+/?%\"}",
		    "FriendlyName=Caf%C3%A9%20%C3%A9%3D%2B%2F%3F%25"),
		/* JSON escapes are decoded first. */
		GOOD("{" ADDR ",\"friendlyName\":\"a\\tb\\\"c\\\\d\\/e\\u20ac\"}",
		    "FriendlyName=a%09b%22c%5Cd%2Fe%E2%82%AC"),
		/* An empty string is a value. */
		GOOD("{" ADDR ",\"friendlyName\":\"\"}", "FriendlyName="),
		/* Upper-case hex in a messaging service SID. */
		GOOD("{" ADDR ",\"messagingServiceSid\":"
		    "\"MGABCDEF0123456789ABCDEF0123456789\"}",
		    "MessagingServiceSid=MGABCDEF0123456789ABCDEF0123456789"),
	};

	CHECK_CASES(cases);
}

/*
 * Parses body as kind at time now; checks that it is accepted with
 * create_form form, and attributes attrs (NULL: none kept). Returns 1 if so.
 */
static int
good_as(enum sessreq_kind kind, const char *body, long long now,
    const char *form, const char *attrs)
{
	struct sessreq		r;
	struct sessreq_error	why;
	enum err		e;
	int			ok;

	e = sessreq_parse_as(&r, kind, body, strlen(body), now, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "good_as(%d, %s): err %d, field %s: %s\n", kind,
		    body, e, why.field ? why.field : "(null)", why.message);
		return 0;
	}
	ok = strcmp(buf_str(&r.create_form), form) == 0 &&
	    (attrs == NULL ? r.attributes == NULL :
	    r.attributes != NULL && strcmp(r.attributes, attrs) == 0);
	if (!ok)
		fprintf(stderr, "good_as(%d, %s):\n  got  \"%s\" attributes %s\n"
		    "  want \"%s\" attributes %s\n", kind, body,
		    buf_str(&r.create_form), r.attributes ? r.attributes : "(none)",
		    form, attrs ? attrs : "(none)");
	sessreq_free(&r);
	return ok;
}

static void
test_attributes(void)
{
	static const struct scase cases[] = {
		/* Not JSON text: Twilio would refuse it. */
		INVAL("{" ADDR ",\"attributes\":\"plain\"}", "attributes",
		    "attributes must be JSON text"),
		INVAL("{" ADDR ",\"attributes\":\"{\\\"a\\\":1\"}", "attributes",
		    "attributes must be JSON text"),
	};

	/* Kept apart from the form (sessattr joins them), never in it. */
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\": { \"a\" : "
	    "\"x/y z\" ,\n \"n\": [1, 2.5, true, false, null], \"o\": {}, \"e\": "
	    "\"\\u00e9\", \"q\": \"\\\"\" }}", 0, "",
	    "{\"a\":\"x/y z\",\"n\":[1,2.5,true,false,null],\"o\":{},\"e\":"
	    "\"\xc3\xa9\",\"q\":\"\\\"\"}"));
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\":{}}", 0, "",
	    "{}"));
	/* A string is kept byte for byte. */
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\":"
	    "\"{ \\\"a\\\": 1 }\"}", 0, "", "{ \"a\": 1 }"));
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"friendlyName\":\"f\","
	    "\"attributes\":\"{\\\"team\\\": \\\"blue\\\"}\"}", 0,
	    "FriendlyName=f", "{\"team\": \"blue\"}"));
	/* Without §10's keys, any JSON text is the caller's. */
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\":\"[1,2]\"}",
	    0, "", "[1,2]"));
	/* Nesting within SESSREQ_MAX_DEPTH. */
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\":{\"a\":{\"b\":"
	    "{\"c\":{\"d\":{\"e\":[1]}}}}}}", 0, "",
	    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":[1]}}}}}"));
	/* The same as UPDATE. */
	T_CHECK(good_as(SESSREQ_UPDATE, "{\"attributes\":{\"k\":\"v\"}}", 0, "",
	    "{\"k\":\"v\"}"));
	/* every property's attributes went here too */
	T_CHECK(good_as(SESSREQ_CREATE, "{" ADDR ",\"attributes\":"
	    "\"{\\\"k\\\":\\\"v\\\"}\",\"state\":\"inactive\"}", 0,
	    "State=inactive", "{\"k\":\"v\"}"));

	CHECK_CASES(cases);
}

static void
test_timers_bindings(void)
{
	static const struct scase cases[] = {
		GOOD("{" ADDR ",\"timers\":{\"inactive\":\"PT5M\","
		    "\"closed\":\"PT10M\"}}",
		    "Timers.Inactive=PT5M&Timers.Closed=PT10M&State=active"),
		GOOD("{\"timers\":{\"closed\":\"P2D\"}," ADDR "}",
		    "Timers.Closed=P2D&State=active"),
		GOOD("{" ADDR ",\"timers\":{}}", ""),
		/* Flat and nested mixed, each property once. */
		GOOD("{" ADDR ",\"timers.inactive\":\"PT1H\","
		    "\"timers\":{\"closed\":\"P1D\"}}",
		    "Timers.Inactive=PT1H&Timers.Closed=P1D&State=active"),

		GOOD("{" ADDR ",\"bindings\":{\"email\":{\"address\":\"a@b.c\","
		    "\"name\":\"A B\"}}}",
		    "Bindings.Email.Address=a%40b.c&Bindings.Email.Name=A%20B"),
		GOOD("{" ADDR ",\"bindings.email.address\":\"a@b.c\","
		    "\"bindings.email.name\":\"N\"}",
		    "Bindings.Email.Address=a%40b.c&Bindings.Email.Name=N"),
		GOOD("{" ADDR ",\"bindings\":{\"email\":{\"name\":\"N\"}}}",
		    "Bindings.Email.Name=N"),
		GOOD("{" ADDR ",\"bindings\":{\"email\":{}}}", ""),
		GOOD("{" ADDR ",\"bindings\":{}}", ""),
	};

	CHECK_CASES(cases);
}

static void
test_nulls(void)
{
	static const struct scase cases[] = {
		/* null is absent, as JavaScript callers send undefined properties. */
		GOOD("{" ADDR ",\"friendlyName\":null,\"uniqueName\":null,"
		    "\"attributes\":null,\"messagingServiceSid\":null,\"state\":null,"
		    "\"dateCreated\":null,\"dateUpdated\":null,\"timers\":null,"
		    "\"bindings\":null,\"timers.inactive\":null,"
		    "\"bindings.email.name\":null}", ""),
		GOOD("{" ADDR ",\"timers\":{\"inactive\":null,\"closed\":\"P1D\"},"
		    "\"bindings\":{\"email\":null}}", "Timers.Closed=P1D&State=active"),
		GOOD("{" ADDR ",\"bindings\":{\"email\":{\"address\":null,"
		    "\"name\":\"N\"}}}", "Bindings.Email.Name=N"),
		/* A null does not count as given: the other spelling may follow. */
		GOOD("{" ADDR ",\"timers.inactive\":null,"
		    "\"timers\":{\"inactive\":\"PT1H\"}}",
		    "Timers.Inactive=PT1H&State=active"),
		/* But addresses is required: null is missing. */
		INVAL("{\"addresses\":null}", "addresses",
		    "addresses is required"),
	};

	CHECK_CASES(cases);
}

static void
test_not_json(void)
{
	static const struct scase cases[] = {
		PARSE("", "the body is not valid JSON: unexpected end of the "
		    "text at byte 0"),
		PARSE("   ", "the body is not valid JSON: unexpected end of the "
		    "text at byte 3"),
		PARSE("hello", "the body is not valid JSON: "),
		PARSE("addresses=%2B14155550100", "the body is not valid JSON: "),
		/* Truncated. */
		PARSE("{" ADDR, "the body is not valid JSON: expected ',' or '}' "
		    "in an object at byte 29"),
		PARSE("{\"addresses\":[\"+1415", "the body is not valid JSON: "
		    "unterminated string at byte 20"),
		/* Trailing garbage, or a second value. */
		PARSE("{" ADDR "}x", "the body is not valid JSON: "),
		PARSE("{" ADDR "}{}", "the body is not valid JSON: "),
		PARSE("{" ADDR "},", "the body is not valid JSON: "),
		/* Not strict JSON. */
		PARSE("{" ADDR ",}", "the body is not valid JSON: "),
		PARSE("{" ADDR ",friendlyName:\"x\"}", "the body is not valid "
		    "JSON: "),
		PARSE("{" ADDR ",\"friendlyName\":'x'}", "the body is not valid "
		    "JSON: "),
		PARSE("{" ADDR ",/* c */\"state\":\"active\"}", "the body is not "
		    "valid JSON: "),
		PARSE("{" ADDR ",\"attributes\":{\"a\":01}}", "the body is not "
		    "valid JSON: "),
		PARSE("{" ADDR ",\"friendlyName\":\"\\x41\"}", "the body is not "
		    "valid JSON: "),
		/* Only len bytes are read: the same text, cut short, is truncated. */
		{ "{" ADDR "}", 10, ERR_PARSE, NULL,
		    "the body is not valid JSON: unterminated string at byte 10" },
		/* A NUL byte in the body. */
		PARSE("{" ADDR "}\0", "the body is not"),
		PARSE("{" ADDR ",\"friendlyName\":\"a\0b\"}", "the body is not"),
		/* Deeper than SESSREQ_MAX_DEPTH: refused by the parser, not a crash. */
		PARSE("{" ADDR ",\"attributes\":{\"a\":{\"b\":{\"c\":{\"d\":"
		    "{\"e\":[[[1]]]}}}}}}", "the body is not valid JSON: nested too "
		    "deep at byte 70"),

		/* Invalid UTF-8: a lone continuation byte, a cut sequence, overlong. */
		PARSE("{" ADDR ",\"friendlyName\":\"\xff\"}", "the body is not "
		    "valid JSON: invalid UTF-8 at byte"),
		PARSE("{" ADDR ",\"friendlyName\":\"a\x80\"}", "the body is not "
		    "valid JSON: invalid UTF-8 at byte"),
		PARSE("{" ADDR ",\"friendlyName\":\"\xc3\"}", "the body is not "
		    "valid JSON: invalid UTF-8 at byte"),
		PARSE("{\"addresses\":[\"+1415555\xe2\x82\"]}", "the body is not "
		    "valid JSON: invalid UTF-8 at byte"),
	};
	struct buf	b;
	int		i;

	CHECK_CASES(cases);

	/* Far deeper: refused at the ninth level. */
	buf_init(&b, 100000);
	for (i = 0; i < 20000; i++)
		T_CHECK(buf_putc(&b, '[') == ERR_OK);
	T_CHECK(bad_n(buf_str(&b), b.len, ERR_PARSE, NULL,
	    "the body is not valid JSON: nested too deep at byte 8"));
	buf_free(&b);
}

static void
test_bad_addresses(void)
{
	static const char *const bad_numbers[] = {
		"14155550100",		/* no + */
		"+04155550100",		/* leading zero */
		"+1234567890123456",	/* 16 digits */
		"+1415555010a",		/* a letter */
		"+1 415 555 0100",	/* blanks */
		"+1-415-555-0100",
		"+1",			/* one digit */
		"+",
		"",
		" +14155550100",
		"+14155550100 ",
		"++14155550100",
		"\\u002b14155550100x",
	};
	static const struct scase cases[] = {
		INVAL("{}", "addresses", "addresses is required"),
		INVAL("{\"friendlyName\":\"x\"}", "addresses",
		    "addresses is required"),
		INVAL("{\"addresses\":[]}", "addresses",
		    "addresses must list 1 to 50 numbers (got 0)"),
		INVAL("{\"addresses\":\"+14155550100\"}", "addresses",
		    "addresses must be an array of E.164 phone numbers"),
		INVAL("{\"addresses\":{\"a\":\"+14155550100\"}}", "addresses",
		    "addresses must be an array of E.164 phone numbers"),
		INVAL("{\"addresses\":[\"+14155550100\",\"+14155550101\","
		    "\"+14155550100\"]}", "addresses",
		    "addresses[2] repeats +14155550100"),
		INVAL("{\"addresses\":[14155550100]}", "addresses",
		    "addresses[0] must be a string"),
		INVAL("{\"addresses\":[\"+14155550100\",null]}", "addresses",
		    "addresses[1] must be a string"),
		INVAL("{\"addresses\":[[\"+14155550100\"]]}", "addresses",
		    "addresses[0] must be a string"),
		INVAL("{\"addresses\":[\"+14155550100\",true]}", "addresses",
		    "addresses[1] must be a string"),
		/* A NUL inside a number. */
		INVAL("{\"addresses\":[\"+1415555\\u00000100\"]}", "addresses",
		    "addresses[0] is not an E.164 number (+ then 2 to 15 digits, no "
		    "leading 0)"),
		/* Checked after the other properties, which are reported first. */
		INVAL("{\"addresses\":[],\"state\":\"x\"}", "state",
		    "state must be"),
	};
	struct buf	b;
	size_t		i;

	CHECK_CASES(cases);

	buf_init(&b, 1000);
	for (i = 0; i < sizeof(bad_numbers) / sizeof(bad_numbers[0]); i++) {
		buf_reset(&b);
		T_CHECK(buf_printf(&b, "{\"addresses\":[\"+14155550100\",\"%s\"]}",
		    bad_numbers[i]) == ERR_OK);
		if (!bad_n(buf_str(&b), b.len, ERR_INVAL, "addresses",
		    "addresses[1] is not an E.164 number (+ then 2 to 15 "
		    "digits, no leading 0)")) {
			fprintf(stderr, "  number \"%s\"\n", bad_numbers[i]);
			T_CHECK(0);
		}
	}
	buf_free(&b);
}

static void
test_bad_properties(void)
{
	static const struct scase cases[] = {
		/* Unknown fields: the message and the field name them. */
		BAD("{" ADDR ",\"friendly_name\":\"x\"}", ERR_INVAL,
		    "friendly_name", "unknown field \"friendly_name\""),
		BAD("{\"foo\":1," ADDR "}", ERR_INVAL, "foo",
		    "unknown field \"foo\""),
		BAD("{" ADDR ",\"FriendlyName\":\"x\"}", ERR_INVAL,
		    "FriendlyName", "unknown field \"FriendlyName\""),
		BAD("{" ADDR ",\"timers.foo\":\"x\"}", ERR_INVAL, "timers.foo",
		    "unknown field \"timers.foo\""),
		BAD("{" ADDR ",\"timers\":{\"inactive\":\"PT1H\",\"open\":\"x\"}}",
		    ERR_INVAL, "timers.open", "unknown field \"timers.open\""),
		BAD("{" ADDR ",\"bindings\":{\"sms\":{}}}", ERR_INVAL,
		    "bindings.sms", "unknown field \"bindings.sms\""),
		BAD("{" ADDR ",\"bindings\":{\"email\":{\"phone\":\"x\"}}}",
		    ERR_INVAL, "bindings.email.phone",
		    "unknown field \"bindings.email.phone\""),
		BAD("{" ADDR ",\"participants\":[]}", ERR_INVAL, "participants",
		    "unknown field \"participants\""),
		/*
		 * A long key is cut in the message, never inside a character: 59
		 * bytes of 'k' then "é" (2 bytes) would be cut after its first byte.
		 */
		BAD("{" ADDR ",\"" "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		    "\xc3\xa9\xc3\xa9\":1}", ERR_INVAL,
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
		    "unknown field \""
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\""),
		BAD("{" ADDR ",\"timers\":{\"" "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		    "\xe2\x82\xac\":1}}", ERR_INVAL,
		    "timers.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
		    "unknown field \"timers."
		    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\""),
		/* A very long unknown name is cut, not overflowed. */
		BAD("{" ADDR ",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "\":1}", ERR_INVAL, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    "unknown field \"aaaaaaaaaa"),

		/* Wrong types. */
		INVAL("{" ADDR ",\"friendlyName\":42}", "friendlyName",
		    "friendlyName must be a string"),
		INVAL("{" ADDR ",\"uniqueName\":true}", "uniqueName",
		    "uniqueName must be a string"),
		INVAL("{" ADDR ",\"uniqueName\":[\"x\"]}", "uniqueName",
		    "uniqueName must be a string"),
		INVAL("{" ADDR ",\"dateCreated\":1700000000}", "dateCreated",
		    "dateCreated must be a string"),
		INVAL("{" ADDR ",\"attributes\":5}", "attributes",
		    "attributes must be a string or an object"),
		INVAL("{" ADDR ",\"attributes\":[1]}", "attributes",
		    "attributes must be a string or an object"),
		INVAL("{" ADDR ",\"timers\":\"PT1H\"}", "timers",
		    "timers must be an object"),
		INVAL("{" ADDR ",\"timers\":[]}", "timers",
		    "timers must be an object"),
		INVAL("{" ADDR ",\"timers\":{\"inactive\":3600}}",
		    "timers.inactive", "timers.inactive must be a string"),
		INVAL("{" ADDR ",\"timers.closed\":{}}", "timers.closed",
		    "timers.closed must be a string"),
		INVAL("{" ADDR ",\"bindings\":\"a@b.c\"}", "bindings",
		    "bindings must be an object"),
		INVAL("{" ADDR ",\"bindings\":{\"email\":\"a@b.c\"}}",
		    "bindings.email", "bindings.email must be an object"),
		INVAL("{" ADDR ",\"bindings\":{\"email\":{\"address\":"
		    "{\"x\":1}}}}", "bindings.email.address",
		    "bindings.email.address must be a string"),

		/* state and messagingServiceSid are checked. */
		INVAL("{" ADDR ",\"state\":\"open\"}", "state",
		    "state must be active, inactive or closed"),
		INVAL("{" ADDR ",\"state\":\"Active\"}", "state",
		    "state must be active, inactive or closed"),
		INVAL("{" ADDR ",\"state\":\"\"}", "state",
		    "state must be active, inactive or closed"),
		INVAL("{" ADDR ",\"messagingServiceSid\":\"MGxyz\"}",
		    "messagingServiceSid", "messagingServiceSid must be MG followed by "
		    "32 hexadecimal digits"),
		INVAL("{" ADDR ",\"messagingServiceSid\":"
		    "\"IS0123456789abcdef0123456789abcdef\"}", "messagingServiceSid",
		    "messagingServiceSid must be MG"),
		INVAL("{" ADDR ",\"messagingServiceSid\":"
		    "\"MG0123456789abcdef0123456789abcdeg\"}", "messagingServiceSid",
		    "messagingServiceSid must be MG"),
		INVAL("{" ADDR ",\"messagingServiceSid\":"
		    "\"MG0123456789abcdef0123456789abcdef0\"}", "messagingServiceSid",
		    "messagingServiceSid must be MG"),

		/* The same property twice, flat and nested: refused, not sent twice. */
		INVAL("{" ADDR ",\"timers.inactive\":\"PT1H\","
		    "\"timers\":{\"inactive\":\"PT2H\"}}", "timers.inactive",
		    "timers.inactive is given twice"),
		INVAL("{" ADDR ",\"bindings\":{\"email\":{\"name\":\"a\"}},"
		    "\"bindings.email.name\":\"b\"}", "bindings.email.name",
		    "bindings.email.name is given twice"),

		/* Not an object. */
		INVAL("[]", NULL, "the body must be a JSON object"),
		INVAL("[\"+14155550100\"]", NULL, "the body must be a JSON "
		    "object"),
		INVAL("\"x\"", NULL, "the body must be a JSON object"),
		INVAL("true", NULL, "the body must be a JSON object"),
		INVAL("null", NULL, "the body must be a JSON object"),
		INVAL(" 42 ", NULL, "the body must be a JSON object"),
	};

	CHECK_CASES(cases);
}

/* What json-c alone let through: refused by the strict check first. */
static void
test_strict(void)
{
	static const struct scase cases[] = {
		PARSE("{'addresses':[\"+14155550100\"]}", "the body is not valid "
		    "JSON: expected a string in double quotes at byte 1"),
		PARSE("{" ADDR ",\"attributes\":{\"a\":NaN}}", "the body is "
		    "not valid JSON: unexpected character"),
		PARSE("{" ADDR ",\"attributes\":{\"a\":Infinity}}", "the body "
		    "is not valid JSON: unexpected character"),
		PARSE("{" ADDR ",\"attributes\":{\"a\":1.}}", "the body is "
		    "not valid JSON: malformed number"),
		PARSE("{" ADDR ",\"friendlyName\":\"a\tb\"}", "the body is "
		    "not valid JSON: control character inside a string"),
		PARSE("{" ADDR ",\"friendlyName\":\"a\",\"friendlyName\":\"b\"}",
		    "the body is not valid JSON: duplicate key in an object"),
		/* The same key spelled with an escape is still the same key. */
		PARSE("{" ADDR ",\"\\u0061ddresses\":[]}", "the body is not "
		    "valid JSON: duplicate key in an object"),
		PARSE("{" ADDR ",\"attributes\":{\"x\":1,\"x\":2}}", "the body "
		    "is not valid JSON: duplicate key in an object"),
		PARSE("{" ADDR ",\"friendlyName\":\"\\ud800\"}", "the body is "
		    "not valid JSON: lone surrogate escape"),
		PARSE("{" ADDR ",\"friendlyName\":\"\xed\xa0\x80\"}", "the body "
		    "is not valid JSON: invalid UTF-8"),
		PARSE("{" ADDR ",\"friendlyName\":\"\xc0\xaf\"}", "the body "
		    "is not valid JSON: invalid UTF-8"),
		/* A well-formed surrogate pair and escapes pass. */
		GOOD("{" ADDR ",\"friendlyName\":\"\\ud83d\\ude00\"}",
		    "FriendlyName=%F0%9F%98%80"),
	};

	CHECK_CASES(cases);
}

static void
test_nul(void)
{
	static const struct scase cases[] = {
		/* A NUL (\u0000) inside a string: refused, naming the field. */
		INVAL("{" ADDR ",\"friendlyName\":\"a\\u0000b\"}", "friendlyName",
		    "friendlyName must not contain NUL"),
		INVAL("{" ADDR ",\"attributes\":\"\\u0000\"}", "attributes",
		    "attributes must not contain NUL"),
		INVAL("{" ADDR ",\"timers\":{\"closed\":\"P1D\\u0000\"}}",
		    "timers.closed", "timers.closed must not contain NUL"),
		INVAL("{" ADDR ",\"state\":\"active\\u0000x\"}", "state",
		    "state must not contain NUL"),
		/*
		 * In a key, json-c would cut the name at the NUL, so that
		 * "friendlyName\u0000x" passed for friendlyName: refused whole.
		 */
		INVAL("{" ADDR ",\"friendlyName\\u0000x\":\"a\"}", NULL,
		    "the body must not contain \\u0000"),
		INVAL("{\"addresses\\u0000\":[\"+14155550100\"]}", NULL,
		    "the body must not contain \\u0000"),
		INVAL("{" ADDR ",\"attributes\":{\"a\":\"\\u0000\"}}", NULL,
		    "the body must not contain \\u0000"),
		/* An escaped backslash then "u0000" is text, not a NUL. */
		GOOD("{" ADDR ",\"friendlyName\":\"\\\\u0000\"}",
		    "FriendlyName=%5Cu0000"),
		GOOD("{" ADDR ",\"friendlyName\":\"\\\\\\\\u0000\"}",
		    "FriendlyName=%5C%5Cu0000"),
		GOOD("{" ADDR ",\"friendlyName\":\"\\u0001\"}",
		    "FriendlyName=%01"),
	};

	CHECK_CASES(cases);
}

static void
test_too_long(void)
{
	struct buf	b;
	size_t		i;

	/* A value whose encoding passes create_form's limit: named, refused. */
	buf_init(&b, 100000);
	T_CHECK(buf_puts(&b, "{" ADDR ",\"friendlyName\":\"") == ERR_OK);
	for (i = 0; i < 6000; i++)
		T_CHECK(buf_putc(&b, ' ') == ERR_OK);	/* 3 bytes each encoded */
	T_CHECK(buf_puts(&b, "\"}") == ERR_OK);
	T_CHECK(bad_n(buf_str(&b), b.len, ERR_INVAL, "friendlyName",
	    "friendlyName is too long"));
	buf_free(&b);
}

/* A fixed clock for §10's tests: 2027-01-15T08:00:00Z. */
#define NOW	1800000000LL

/*
 * One case of a kind: body, parsed as kind at NOW. err ERR_OK: accepted,
 * with create_form want; otherwise refused with err, naming field (NULL:
 * none), with a message starting with want.
 */
struct kcase {
	enum sessreq_kind kind;
	const char	*body;
	enum err	 err;
	const char	*field;
	const char	*want;
};

#define KGOOD(k, body, want)		{ (k), (body), ERR_OK, NULL, (want) }
#define KBAD(k, body, field, msg)	{ (k), (body), ERR_INVAL, (field), (msg) }

static int
kcase_ok(const struct kcase *c)
{
	struct sessreq		r;
	struct sessreq_error	why;
	enum err		e;
	int			ok;

	memset(&why, 0x5a, sizeof(why));
	why.field = "garbage";
	e = sessreq_parse_as(&r, c->kind, c->body, strlen(c->body), NOW, &why);
	if (c->err == ERR_OK) {
		if (e != ERR_OK) {
			fprintf(stderr, "kind %d (%s): err %d, field %s: %s\n",
			    c->kind, c->body, e, why.field ? why.field : "(null)",
			    why.message);
			return 0;
		}
		ok = strcmp(buf_str(&r.create_form), c->want) == 0;
		if (!ok)
			fprintf(stderr, "kind %d (%s):\n  got  \"%s\"\n  want \"%s\"\n",
			    c->kind, c->body, buf_str(&r.create_form), c->want);
		sessreq_free(&r);
		return ok;
	}
	/* Copy the field at once: it must stay valid after the parse. */
	ok = e == c->err &&
	    (c->field == NULL ? why.field == NULL :
	    why.field != NULL && strcmp(why.field, c->field) == 0) &&
	    strncmp(why.message, c->want, strlen(c->want)) == 0;
	if (!ok)
		fprintf(stderr, "kind %d (%.80s): err %d, field \"%.40s\": \"%.256s\"\n",
		    c->kind, c->body, e, why.field ? why.field : "(null)",
		    why.message);
	if (e == ERR_OK)
		sessreq_free(&r);
	return ok;
}

static void
check_kcases(const struct kcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		T_CHECK_CASE(kcase_ok(&c[i]), i, c[i].body);
}

#define C	SESSREQ_CREATE
#define U	SESSREQ_UPDATE

/* §10 on create: ttl, dateExpiry, expiresIn, mode. */
static void
test_create_lifetime(void)
{
	static const struct kcase cases[] = {
		/* ttl: the closed timer, in seconds, with State (50382). */
		KGOOD(C, "{" ADDR ",\"ttl\":3600}",
		    "Timers.Closed=PT3600S&State=active"),
		KGOOD(C, "{" ADDR ",\"ttl\":600}",
		    "Timers.Closed=PT600S&State=active"),
		KGOOD(C, "{\"ttl\":86400,\"state\":\"inactive\"," ADDR "}",
		    "State=inactive&Timers.Closed=PT86400S"),
		/* 0 and null on create: no ttl. */
		KGOOD(C, "{" ADDR ",\"ttl\":0}", ""),
		KGOOD(C, "{" ADDR ",\"ttl\":null}", ""),
		KGOOD(C, "{" ADDR ",\"ttl\":0,\"timers\":{\"closed\":\"P1D\"}}",
		    "Timers.Closed=P1D&State=active"),
		KBAD(C, "{" ADDR ",\"ttl\":599}", "ttl", "ttl must be 600 to"),
		KBAD(C, "{" ADDR ",\"ttl\":1}", "ttl", "ttl must be 600 to"),
		KBAD(C, "{" ADDR ",\"ttl\":-600}", "ttl", "ttl must be 600 to"),
		KBAD(C, "{" ADDR ",\"ttl\":316224001}", "ttl", "ttl must be 600 to"),
		KBAD(C, "{" ADDR ",\"ttl\":\"3600\"}", "ttl", "ttl must be an "
		    "integer"),
		KBAD(C, "{" ADDR ",\"ttl\":3600.5}", "ttl", "ttl must be an "
		    "integer"),
		KBAD(C, "{" ADDR ",\"ttl\":true}", "ttl", "ttl must be an integer"),
		KBAD(C, "{" ADDR ",\"ttl\":3600,\"timers\":{\"inactive\":"
		    "\"PT1H\"}}", "ttl", "ttl and timers cannot both be given"),
		KBAD(C, "{\"timers.closed\":\"P1D\"," ADDR ",\"ttl\":3600}", "ttl",
		    "ttl and timers cannot both be given"),

		/* dateExpiry and expiresIn: kept, not in the form. */
		KGOOD(C, "{" ADDR ",\"dateExpiry\":\"2030-01-01T00:00:00Z\"}", ""),
		KGOOD(C, "{" ADDR ",\"expiresIn\":60}", ""),
		KGOOD(C, "{" ADDR ",\"dateExpiry\":null}", ""),
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"2030-01-01T00:00:00Z\","
		    "\"expiresIn\":60}", "expiresIn",
		    "dateExpiry and expiresIn cannot both be given"),
		KBAD(C, "{\"expiresIn\":60," ADDR ",\"dateExpiry\":"
		    "\"2030-01-01T00:00:00Z\"}", "dateExpiry",
		    "dateExpiry and expiresIn cannot both be given"),
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"2020-01-01T00:00:00Z\"}",
		    "dateExpiry", "dateExpiry is in the past"),
		/* NOW itself is not in the future. */
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"2027-01-15T08:00:00Z\"}",
		    "dateExpiry", "dateExpiry is in the past"),
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"tomorrow\"}", "dateExpiry",
		    "dateExpiry must be an ISO 8601"),
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"2030-01-01T00:00:00\"}",
		    "dateExpiry", "dateExpiry must be an ISO 8601"),
		KBAD(C, "{" ADDR ",\"dateExpiry\":\"2030-02-30T00:00:00Z\"}",
		    "dateExpiry", "dateExpiry must be an ISO 8601"),
		KBAD(C, "{" ADDR ",\"dateExpiry\":1900000000}", "dateExpiry",
		    "dateExpiry must be an ISO 8601"),
		KBAD(C, "{" ADDR ",\"expiresIn\":0}", "expiresIn",
		    "expiresIn must be an integer from 1"),
		KBAD(C, "{" ADDR ",\"expiresIn\":-5}", "expiresIn",
		    "expiresIn must be an integer from 1"),
		KBAD(C, "{" ADDR ",\"expiresIn\":\"60\"}", "expiresIn",
		    "expiresIn must be an integer from 1"),

		/* mode */
		KGOOD(C, "{" ADDR ",\"mode\":\"voice-and-message\"}", ""),
		KGOOD(C, "{" ADDR ",\"mode\":\"voice-only\"}", ""),
		KGOOD(C, "{" ADDR ",\"mode\":\"message-only\"}", ""),
		KGOOD(C, "{" ADDR ",\"mode\":null}", ""),
		KBAD(C, "{" ADDR ",\"mode\":\"voice\"}", "mode",
		    "mode must be voice-and-message, voice-only or message-only"),
		KBAD(C, "{" ADDR ",\"mode\":\"Voice-only\"}", "mode", "mode must be"),
		KBAD(C, "{" ADDR ",\"mode\":1}", "mode", "mode must be"),

		/* The caller's attributes next to what the service keeps. */
		KBAD(C, "{" ADDR ",\"attributes\":\"{\\\"maskedSession\\\":1}\"}",
		    "attributes", "attributes must not have the key "
		    "\"maskedSession\""),
		KBAD(C, "{" ADDR ",\"attributes\":{\"maskedSession\":{}}}",
		    "attributes", "attributes must not have the key"),
		KBAD(C, "{" ADDR ",\"attributes\":\"[1]\",\"mode\":\"voice-only\"}",
		    "attributes", "attributes must be a JSON object when"),
		KBAD(C, "{" ADDR ",\"ttl\":600,\"attributes\":\"\\\"x\\\"\"}",
		    "attributes", "attributes must be a JSON object when"),
		KBAD(C, "{" ADDR ",\"expiresIn\":9,\"attributes\":\"null\"}",
		    "attributes", "attributes must be a JSON object when"),

		/* Keys of other kinds are unknown here. */
		KBAD(C, "{" ADDR ",\"body\":\"hi\"}", "body", "unknown field "
		    "\"body\""),
		KBAD(C, "{\"address\":\"+14155550100\"}", "address",
		    "unknown field \"address\""),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*b;

	check_kcases(cases, T_NCASES(cases));

	/* What is kept: the values, and what was given. */
	b = "{" ADDR ",\"ttl\":3600,\"expiresIn\":90,\"mode\":\"message-only\"}";
	T_CHECK(sessreq_parse_as(&r, C, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_ttl && r.set_expiry && r.set_mode);
	T_CHECK(r.keep.ttl == 3600 && r.keep.expiry == NOW + 90 &&
	    r.keep.mode == SESSATTR_MODE_MESSAGE && !r.keep.changed);
	T_CHECK(r.timers && r.state);
	sessreq_free(&r);
	b = "{" ADDR ",\"dateExpiry\":\"2030-01-02T03:04:05.678+02:00\"}";
	T_CHECK(sessreq_parse_as(&r, C, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_expiry && r.keep.expiry == 1893546245LL);	/* 01:04:05Z */
	T_CHECK(!r.set_ttl && !r.set_mode && !r.timers && !r.state);
	sessreq_free(&r);
	b = "{" ADDR ",\"ttl\":0,\"mode\":null,\"dateExpiry\":null}";
	T_CHECK(sessreq_parse_as(&r, C, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(!r.set_ttl && !r.set_expiry && !r.set_mode &&
	    !sessattr_any(&r.keep));
	sessreq_free(&r);
}

/* UPDATE: the conversation's properties and §10's; null clears. */
static void
test_update(void)
{
	static const struct kcase cases[] = {
		KGOOD(U, "{\"friendlyName\":\"x\"}", "FriendlyName=x"),
		KGOOD(U, "{\"state\":\"closed\"}", "State=closed"),
		/* No State added on update: Twilio needs it only on create. */
		KGOOD(U, "{\"timers\":{\"inactive\":\"PT1H\"}}",
		    "Timers.Inactive=PT1H"),
		KGOOD(U, "{\"ttl\":3600}", "Timers.Closed=PT3600S"),
		KGOOD(U, "{\"mode\":\"voice-only\"}", ""),
		KGOOD(U, "{\"mode\":null}", ""),
		KGOOD(U, "{\"dateExpiry\":null}", ""),
		KGOOD(U, "{\"expiresIn\":3600}", ""),
		KGOOD(U, "{\"uniqueName\":\"u\"}", ""),
		KBAD(U, "{}", NULL, "the body changes nothing"),
		KBAD(U, " { } ", NULL, "the body changes nothing"),
		/* ttl cannot be removed: Twilio keeps the closed timer. */
		KBAD(U, "{\"ttl\":null}", "ttl", "ttl must be 600 to"),
		KBAD(U, "{\"ttl\":0}", "ttl", "ttl must be 600 to"),
		KBAD(U, "{\"ttl\":599}", "ttl", "ttl must be 600 to"),
		KBAD(U, "{\"ttl\":700,\"timers.closed\":\"P1D\"}", "ttl",
		    "ttl and timers cannot both be given"),
		KBAD(U, "{\"dateExpiry\":null,\"expiresIn\":5}", "expiresIn",
		    "dateExpiry and expiresIn cannot both be given"),
		KBAD(U, "{\"mode\":\"both\"}", "mode", "mode must be"),
		KBAD(U, "{\"dateExpiry\":\"2001-01-01T00:00:00Z\"}", "dateExpiry",
		    "dateExpiry is in the past"),
		KBAD(U, "{\"attributes\":{\"maskedSession\":1}}", "attributes",
		    "attributes must not have the key"),
		/* Not update's keys. */
		KBAD(U, "{\"addresses\":[\"+14155550100\"]}", "addresses",
		    "unknown field \"addresses\""),
		KBAD(U, "{\"address\":\"+14155550100\"}", "address",
		    "unknown field \"address\""),
		KBAD(U, "{\"body\":\"x\"}", "body", "unknown field \"body\""),
		KBAD(U, "[]", NULL, "the body must be a JSON object"),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*b;

	check_kcases(cases, T_NCASES(cases));

	/* null clears: given, with nothing kept. */
	b = "{\"mode\":null,\"dateExpiry\":null}";
	T_CHECK(sessreq_parse_as(&r, U, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_mode && r.set_expiry && !r.set_ttl);
	T_CHECK(r.keep.mode == SESSATTR_MODE_NONE && r.keep.expiry == 0);
	T_CHECK(r.naddresses == 0 && r.attributes == NULL);
	sessreq_free(&r);
	b = "{\"expiresIn\":10,\"mode\":\"voice-and-message\",\"ttl\":900}";
	T_CHECK(sessreq_parse_as(&r, U, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_mode && r.set_expiry && r.set_ttl);
	T_CHECK(r.keep.mode == SESSATTR_MODE_BOTH && r.keep.expiry == NOW + 10 &&
	    r.keep.ttl == 900 && !r.state);
	sessreq_free(&r);
}

/* §13's "call" on create and update: kept, not in the form. */
static void
test_call(void)
{
	static const struct kcase cases[] = {
		KGOOD(C, "{" ADDR ",\"call\":{\"record\":true,\"timeLimit\":600,"
		    "\"ringTimeout\":20}}", ""),
		KGOOD(C, "{" ADDR ",\"call\":{}}", ""),
		KGOOD(C, "{" ADDR ",\"call\":null}", ""),
		KGOOD(C, "{" ADDR ",\"call\":{\"record\":null}}", ""),
		KGOOD(C, "{" ADDR ",\"call\":{\"timeLimit\":1,\"ringTimeout\":5}}",
		    ""),
		KGOOD(C, "{" ADDR ",\"call\":{\"timeLimit\":14400,"
		    "\"ringTimeout\":600}}", ""),
		KBAD(C, "{" ADDR ",\"call\":true}", "call", "call must be an "
		    "object"),
		KBAD(C, "{" ADDR ",\"call\":[]}", "call", "call must be an object"),
		KBAD(C, "{" ADDR ",\"call\":{\"record\":\"yes\"}}", "call.record",
		    "call.record must be true or false"),
		KBAD(C, "{" ADDR ",\"call\":{\"record\":1}}", "call.record",
		    "call.record must be true or false"),
		KBAD(C, "{" ADDR ",\"call\":{\"timeLimit\":0}}", "call.timeLimit",
		    "call.timeLimit must be an integer from 1 to 14400"),
		KBAD(C, "{" ADDR ",\"call\":{\"timeLimit\":14401}}",
		    "call.timeLimit", "call.timeLimit must be"),
		KBAD(C, "{" ADDR ",\"call\":{\"timeLimit\":\"60\"}}",
		    "call.timeLimit", "call.timeLimit must be"),
		KBAD(C, "{" ADDR ",\"call\":{\"timeLimit\":60.5}}",
		    "call.timeLimit", "call.timeLimit must be"),
		KBAD(C, "{" ADDR ",\"call\":{\"ringTimeout\":4}}",
		    "call.ringTimeout", "call.ringTimeout must be an integer from "
		    "5 to 600"),
		KBAD(C, "{" ADDR ",\"call\":{\"ringTimeout\":601}}",
		    "call.ringTimeout", "call.ringTimeout must be"),
		KBAD(C, "{" ADDR ",\"call\":{\"recording\":true}}", "call.recording",
		    "unknown field \"call.recording\""),
		KBAD(C, "{" ADDR ",\"call\":{\"record\":true},\"attributes\":\"[]\"}",
		    "attributes", "attributes must be a JSON object when"),
		KGOOD(U, "{\"call\":{\"record\":false}}", ""),
		KGOOD(U, "{\"call\":null}", ""),
		KGOOD(U, "{\"call\":{\"timeLimit\":null}}", ""),
		KBAD(U, "{\"call\":{\"ringTimeout\":0}}", "call.ringTimeout",
		    "call.ringTimeout must be"),
		/* Not a key of the other kinds. */
		KBAD(SESSREQ_ADD, "{\"address\":\"+14155550100\",\"call\":{}}",
		    "call", "unknown field \"call\""),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*b;

	check_kcases(cases, T_NCASES(cases));

	b = "{" ADDR ",\"call\":{\"record\":false,\"ringTimeout\":30}}";
	T_CHECK(sessreq_parse_as(&r, C, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_call == (SESSREQ_CALL_RECORD | SESSREQ_CALL_RING_TIMEOUT));
	T_CHECK(r.keep.call_record == 1 && r.keep.call_ring_timeout == 30 &&
	    r.keep.call_time_limit == 0 && sessattr_any(&r.keep));
	sessreq_free(&r);
	/* On create, null is as if absent. */
	b = "{" ADDR ",\"call\":{\"record\":null,\"timeLimit\":null}}";
	T_CHECK(sessreq_parse_as(&r, C, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_call == 0 && !sessattr_any(&r.keep));
	sessreq_free(&r);
	/* On update, null clears: given, nothing kept. */
	b = "{\"call\":null}";
	T_CHECK(sessreq_parse_as(&r, U, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_call == SESSREQ_CALL_ALL && !sessattr_call_any(&r.keep));
	sessreq_free(&r);
	b = "{\"call\":{\"timeLimit\":null,\"record\":true}}";
	T_CHECK(sessreq_parse_as(&r, U, b, strlen(b), NOW, &why) == ERR_OK);
	T_CHECK(r.set_call == (SESSREQ_CALL_TIME_LIMIT | SESSREQ_CALL_RECORD));
	T_CHECK(r.keep.call_record == 2 && r.keep.call_time_limit == 0);
	sessreq_free(&r);
}

/* ADD: address xor addresses, and nothing else. */
static void
test_add(void)
{
	static const struct kcase cases[] = {
		KGOOD(SESSREQ_ADD, "{\"address\":\"+14155550100\"}", ""),
		KGOOD(SESSREQ_ADD, "{\"addresses\":[\"+14155550100\","
		    "\"+12125550100\"]}", ""),
		KBAD(SESSREQ_ADD, "{}", "addresses", "address or addresses is "
		    "required"),
		KBAD(SESSREQ_ADD, "{\"address\":\"+14155550100\",\"addresses\":"
		    "[\"+12125550100\"]}", "addresses",
		    "give address or addresses, not both"),
		KBAD(SESSREQ_ADD, "{\"addresses\":[\"+12125550100\"],\"address\":"
		    "\"+14155550100\"}", "address",
		    "give address or addresses, not both"),
		KBAD(SESSREQ_ADD, "{\"address\":\"14155550100\"}", "address",
		    "address"),
		KBAD(SESSREQ_ADD, "{\"address\":[\"+14155550100\"]}", "address",
		    "address"),
		KBAD(SESSREQ_ADD, "{\"addresses\":\"+14155550100\"}", "addresses",
		    "addresses must be an array"),
		KBAD(SESSREQ_ADD, "{\"addresses\":[]}", "addresses",
		    "addresses must list 1 to 50"),
		KBAD(SESSREQ_ADD, "{\"address\":\"+14155550100\",\"ttl\":600}",
		    "ttl", "unknown field \"ttl\""),
		KBAD(SESSREQ_ADD, "{\"address\":\"+14155550100\",\"friendlyName\":"
		    "\"x\"}", "friendlyName", "unknown field \"friendlyName\""),
		KBAD(SESSREQ_ADD, "{\"address\":\"+14155550100\",\"mode\":"
		    "\"voice-only\"}", "mode", "unknown field \"mode\""),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	const char		*b = "{\"address\":\"+447700900123\"}";

	check_kcases(cases, T_NCASES(cases));
	T_CHECK(sessreq_parse_as(&r, SESSREQ_ADD, b, strlen(b), NOW, &why) ==
	    ERR_OK);
	T_CHECK(r.naddresses == 1);
	T_STREQ(r.addresses[0], "+447700900123");
	sessreq_free(&r);
}

/* SAY (a message into the session) and TELL (to one participant). */
static void
test_say_tell(void)
{
	static const struct kcase cases[] = {
		KGOOD(SESSREQ_SAY, "{\"body\":\"hi there\"}", "Body=hi%20there"),
		KGOOD(SESSREQ_SAY, "{\"author\":\"ops\",\"body\":\"x\"}",
		    "Author=ops&Body=x"),
		KGOOD(SESSREQ_SAY, "{\"body\":\"x\",\"attributes\":{\"a\":1}}",
		    "Body=x&Attributes=%7B%22a%22%3A1%7D"),
		KGOOD(SESSREQ_SAY, "{\"body\":\"x\",\"attributes\":\"{ }\"}",
		    "Body=x&Attributes=%7B%20%7D"),
		KBAD(SESSREQ_SAY, "{}", "body", "body is required"),
		KBAD(SESSREQ_SAY, "{\"author\":\"a\"}", "body", "body is required"),
		KBAD(SESSREQ_SAY, "{\"body\":\"\"}", "body", "body must be 1 to "
		    "1600 characters (got 0)"),
		KBAD(SESSREQ_SAY, "{\"body\":5}", "body", "body must be a string"),
		KBAD(SESSREQ_SAY, "{\"body\":\"a\\u0000b\"}", "body",
		    "body must not contain NUL"),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"author\":\"\"}", "author",
		    "author must be 1 to 256 characters"),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"author\":7}", "author",
		    "author must be a string"),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"attributes\":\"nope\"}",
		    "attributes", "attributes must be JSON text"),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"attributes\":3}",
		    "attributes", "attributes must be a string or an object"),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"to\":\"+14155550100\"}",
		    "to", "unknown field \"to\""),
		KBAD(SESSREQ_SAY, "{\"body\":\"x\",\"ttl\":600}", "ttl",
		    "unknown field \"ttl\""),

		/* TELL: body only, nothing in the form (Messages.json's). */
		KGOOD(SESSREQ_TELL, "{\"body\":\"psst\"}", ""),
		KBAD(SESSREQ_TELL, "{}", "body", "body is required"),
		KBAD(SESSREQ_TELL, "{\"body\":\"\"}", "body", "body must be 1 to"),
		KBAD(SESSREQ_TELL, "{\"body\":null}", "body", "body must be a "
		    "string"),
		KBAD(SESSREQ_TELL, "{\"body\":\"x\",\"author\":\"a\"}", "author",
		    "unknown field \"author\""),
		KBAD(SESSREQ_TELL, "{\"body\":\"x\",\"attributes\":\"{}\"}",
		    "attributes", "unknown field \"attributes\""),
		KBAD(SESSREQ_TELL, "{\"body\":\"x\",\"address\":\"+14155550100\"}",
		    "address", "unknown field \"address\""),
	};
	struct sessreq		r;
	struct sessreq_error	why;
	struct buf		b;
	size_t			i;

	check_kcases(cases, T_NCASES(cases));

	/* The text, kept for both; 1600 characters (not bytes) the most. */
	T_CHECK(sessreq_parse_as(&r, SESSREQ_TELL, "{\"body\":\"h\xc3\xa9\"}",
	    strlen("{\"body\":\"h\xc3\xa9\"}"), NOW, &why) == ERR_OK);
	T_STREQ(r.body, "h\xc3\xa9");
	T_STREQ(buf_str(&r.create_form), "");
	sessreq_free(&r);
	buf_init(&b, 100000);
	T_CHECK(buf_puts(&b, "{\"body\":\"") == ERR_OK);
	for (i = 0; i < SESSREQ_BODY_MAX; i++)
		T_CHECK(buf_puts(&b, "\xc3\xa9") == ERR_OK);
	T_CHECK(buf_puts(&b, "\"}") == ERR_OK);
	T_CHECK(sessreq_parse_as(&r, SESSREQ_SAY, buf_str(&b), b.len, NOW,
	    &why) == ERR_OK);
	T_CHECK(r.body != NULL && strlen(r.body) == 2 * SESSREQ_BODY_MAX);
	sessreq_free(&r);
	buf_reset(&b);
	T_CHECK(buf_puts(&b, "{\"body\":\"") == ERR_OK);
	for (i = 0; i <= SESSREQ_BODY_MAX; i++)
		T_CHECK(buf_putc(&b, 'x') == ERR_OK);
	T_CHECK(buf_puts(&b, "\"}") == ERR_OK);
	T_CHECK(sessreq_parse_as(&r, SESSREQ_TELL, buf_str(&b), b.len, NOW,
	    &why) == ERR_INVAL);
	T_CHECK(strncmp(why.message, "body must be 1 to 1600 characters (got "
	    "1601)", 44) == 0);
	buf_free(&b);
}

#undef C
#undef U

/* The keys of object j, in order, as "k1,k2,". */
static void
keys(json_object *j, struct buf *out)
{
	buf_reset(out);
	json_object_object_foreach(j, k, v) {
		(void)v;
		(void)buf_printf(out, "%s,", k);
	}
}

static void
test_camelize(void)
{
	json_object	*in, *out, *v, *w;
	struct buf	 b;

	buf_init(&b, 4096);
	in = json_tokener_parse("{\"account_sid\":1,\"chat_service_sid\":2,"
	    "\"links\":{\"a_b\":1},\"sid\":3}");
	T_CHECK(in != NULL);
	out = sessreq_camelize(in);
	T_CHECK(out != NULL);
	keys(out, &b);
	T_STREQ(buf_str(&b), "accountSid,chatServiceSid,links,sid,");
	T_STREQ(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
	    "{\"accountSid\":1,\"chatServiceSid\":2,\"links\":{\"a_b\":1},"
	    "\"sid\":3}");
	/* The values are shared, and outlive the input. */
	T_CHECK(json_object_object_get_ex(in, "links", &v));
	T_CHECK(json_object_object_get_ex(out, "links", &w));
	T_CHECK(v == w);
	json_object_put(in);
	T_STREQ(json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN),
	    "{\"a_b\":1}");
	json_object_put(out);

	/* A Twilio conversation, as the SDK turns it. */
	in = json_tokener_parse("{\"account_sid\":\"AC1\",\"chat_service_sid\":"
	    "\"IS1\",\"messaging_service_sid\":\"MG1\",\"sid\":\"CH1\","
	    "\"friendly_name\":null,\"unique_name\":null,\"attributes\":\"{}\","
	    "\"state\":\"active\",\"date_created\":\"d\",\"date_updated\":\"d\","
	    "\"timers\":{},\"url\":\"u\",\"links\":{},\"bindings\":null}");
	out = sessreq_camelize(in);
	keys(out, &b);
	T_STREQ(buf_str(&b), "accountSid,chatServiceSid,messagingServiceSid,"
	    "sid,friendlyName,uniqueName,attributes,state,dateCreated,"
	    "dateUpdated,timers,url,links,bindings,");
	json_object_put(in);
	json_object_put(out);

	/* Odd underscores: leading kept, doubled and trailing dropped. */
	in = json_tokener_parse("{\"_x\":1,\"a__b\":2,\"c_\":3,\"d_1e\":4,"
	    "\"\":5,\"already\":6,\"camelCase\":7}");
	out = sessreq_camelize(in);
	keys(out, &b);
	T_STREQ(buf_str(&b), "_x,aB,c,d1e,,already,camelCase,");
	json_object_put(in);
	json_object_put(out);

	/* Empty object; not an object. */
	in = json_object_new_object();
	out = sessreq_camelize(in);
	T_CHECK(out != NULL && out != in && json_object_object_length(out) == 0);
	json_object_put(in);
	json_object_put(out);
	in = json_object_new_array();
	T_CHECK(sessreq_camelize(in) == NULL);
	json_object_put(in);
	T_CHECK(sessreq_camelize(NULL) == NULL);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_addresses_only);
	T_RUN(test_fifty);
	T_RUN(test_every_property);
	T_RUN(test_attributes);
	T_RUN(test_timers_bindings);
	T_RUN(test_nulls);
	T_RUN(test_not_json);
	T_RUN(test_bad_addresses);
	T_RUN(test_bad_properties);
	T_RUN(test_strict);
	T_RUN(test_unique_name);
	T_RUN(test_nul);
	T_RUN(test_too_long);
	T_RUN(test_camelize);
	T_RUN(test_create_lifetime);
	T_RUN(test_update);
	T_RUN(test_call);
	T_RUN(test_add);
	T_RUN(test_say_tell);
	T_END();
}
