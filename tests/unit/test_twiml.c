#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "web/twiml.h"

#define HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
#define TAIL	"</Response>"

/*
 * Finishes t and checks the document is HEAD want TAIL; frees it. The
 * tests build a document with twiml_* calls, then check it with this.
 */
static void
check_doc(struct twiml *t, const char *want)
{
	char	*s, *full;
	size_t	 n;

	n = strlen(HEAD) + strlen(want) + strlen(TAIL) + 1;
	full = malloc(n);
	T_CHECK(full != NULL);
	if (full == NULL)
		return;
	snprintf(full, n, "%s%s%s", HEAD, want, TAIL);
	s = twiml_finish(t, NULL);
	T_STREQ(s, full);
	free(s);
	free(full);
}

static void
test_empty(void)
{
	struct twiml	 t;
	enum err	 e = ERR_INVAL;
	char		*s;

	twiml_init(&t);
	s = twiml_finish(&t, &e);
	T_STREQ(s, HEAD TAIL);
	T_CHECK(e == ERR_OK);
	free(s);
	twiml_init(&t);
	s = twiml_finish(&t, NULL);
	T_STREQ(s, HEAD TAIL);
	free(s);
}

static void
test_say(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_elem(&t, "Say", "Hello there.", "voice", NULL,
	    "language", NULL, NULL);
	check_doc(&t, "<Say>Hello there.</Say>");

	twiml_init(&t);
	twiml_elem(&t, "Say", "Hello there.", "voice", "Polly.Joanna",
	    "language", "en-US", NULL);
	check_doc(&t, "<Say voice=\"Polly.Joanna\" language=\"en-US\">"
	    "Hello there.</Say>");

	twiml_init(&t);
	twiml_elem(&t, "Say", "Hi", "voice", NULL, "language", "fr-FR", NULL);
	check_doc(&t, "<Say language=\"fr-FR\">Hi</Say>");
}

static void
test_dial_number(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_elem(&t, "Say", "Connecting you.", NULL);
	twiml_open(&t, "Dial", "callerId", "+14155550100", NULL);
	twiml_elem(&t, "Number", "+14155550199", NULL);
	check_doc(&t, "<Say>Connecting you.</Say>"
	    "<Dial callerId=\"+14155550100\"><Number>+14155550199</Number>"
	    "</Dial>");
}

static void
test_conference(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_open(&t, "Dial", NULL);
	twiml_elem(&t, "Conference", "+14155550100_at_1700000000000",
	    "endConferenceOnExit", "true", NULL);
	twiml_close(&t);
	check_doc(&t, "<Dial><Conference endConferenceOnExit=\"true\">"
	    "+14155550100_at_1700000000000</Conference></Dial>");
}

/*
 * §13's call policy as the inbound answer writes it: record, timeLimit
 * and timeout on <Dial>, record on <Conference>, each left out when NULL
 * (not set), in any position among the pairs.
 */
static void
test_dial_policy(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_open(&t, "Dial", "callerId", "+14155550100", "record",
	    "record-from-answer-dual", "timeLimit", "600", "timeout", "20",
	    NULL);
	twiml_elem(&t, "Number", "+12125551234", NULL);
	check_doc(&t, "<Dial callerId=\"+14155550100\" record=\""
	    "record-from-answer-dual\" timeLimit=\"600\" timeout=\"20\">"
	    "<Number>+12125551234</Number></Dial>");

	twiml_init(&t);
	twiml_open(&t, "Dial", "callerId", "+14155550100", "record", NULL,
	    "timeLimit", NULL, "timeout", "5", NULL);
	twiml_elem(&t, "Number", "+12125551234", NULL);
	check_doc(&t, "<Dial callerId=\"+14155550100\" timeout=\"5\">"
	    "<Number>+12125551234</Number></Dial>");

	twiml_init(&t);
	twiml_open(&t, "Dial", "callerId", NULL, "record", NULL, "timeLimit",
	    "14400", "timeout", NULL, NULL);
	twiml_elem(&t, "Conference", "room", "endConferenceOnExit", "true",
	    "record", "record-from-start", NULL);
	check_doc(&t, "<Dial timeLimit=\"14400\"><Conference "
	    "endConferenceOnExit=\"true\" record=\"record-from-start\">room"
	    "</Conference></Dial>");
}

static void
test_escaping(void)
{
	struct twiml	 t;
	char		*s;

	twiml_init(&t);
	twiml_elem(&t, "Say", "<&>\"'", "voice", "<&>\"'", NULL);
	s = twiml_finish(&t, NULL);
	T_STREQ(s, HEAD "<Say voice=\"&lt;&amp;&gt;&quot;&apos;\">"
	    "&lt;&amp;&gt;&quot;&apos;</Say>" TAIL);
	free(s);

	twiml_init(&t);
	twiml_elem(&t, "Say", "Tom & Jerry's <b>", NULL);
	s = twiml_finish(&t, NULL);
	T_STREQ(s, HEAD "<Say>Tom &amp; Jerry&apos;s &lt;b&gt;</Say>" TAIL);
	free(s);
}

static void
test_control_chars(void)
{
	struct twiml	 t;
	char		*s;

	twiml_init(&t);
	twiml_elem(&t, "Say", "a\x01" "b\tc\nd\re\x1f\x7f", "x", "1\t2\n3\x02",
	    NULL);
	/* Well-formed UTF-8 kept; a stray byte, an overlong form, a
	 * surrogate, U+FFFE and a cut sequence dropped, every byte. */
	twiml_elem(&t, "Say", "\xe2\x82\xac|\x80|\xc0\xaf|\xed\xa0\x80|"
	    "\xef\xbf\xbe|\xf0\x9f\x98\x80|\xe2\x82", NULL);
	s = twiml_finish(&t, NULL);
	T_STREQ(s, HEAD "<Say x=\"1&#9;2&#10;3\">ab\tc\nd\re\x7f</Say>"
	    "<Say>\xe2\x82\xac|||||\xf0\x9f\x98\x80|</Say>" TAIL);
	free(s);
}

static void
test_self_closing(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_elem(&t, "Hangup", NULL, NULL);
	twiml_elem(&t, "Pause", "", "length", "2", NULL);
	twiml_open(&t, "Dial", NULL);
	check_doc(&t, "<Hangup/><Pause length=\"2\"/><Dial/>");
}

static void
test_nesting(void)
{
	struct twiml	 t;

	twiml_init(&t);
	twiml_open(&t, "Gather", "input", "dtmf", NULL);
	twiml_text(&t, "");
	twiml_text(&t, NULL);
	twiml_elem(&t, "Say", "Press 1", NULL);
	twiml_close(&t);
	twiml_elem(&t, "Say", "Bye", NULL);
	twiml_open(&t, "Dial", NULL);
	twiml_text(&t, "+1");
	twiml_text(&t, "415");
	check_doc(&t, "<Gather input=\"dtmf\"><Say>Press 1</Say></Gather>"
	    "<Say>Bye</Say><Dial>+1415</Dial>");
}

static void
test_depth(void)
{
	struct twiml	 t;
	enum err	 e = ERR_OK;
	char		*s;
	int		 i;

	/* <Response> is one level: TWIML_MAX_DEPTH - 1 more fit. */
	twiml_init(&t);
	for (i = 1; i < TWIML_MAX_DEPTH; i++)
		twiml_open(&t, "A", NULL);
	T_CHECK(t.err == ERR_OK);
	s = twiml_finish(&t, &e);
	T_CHECK(e == ERR_OK);
	T_STREQ(s, HEAD "<A><A><A><A><A><A><A/></A></A></A></A></A></A>"
	    TAIL);
	free(s);

	twiml_init(&t);
	for (i = 0; i < TWIML_MAX_DEPTH; i++)
		twiml_open(&t, "A", NULL);
	/* The error sticks: closing does not clear it. */
	for (i = 0; i < TWIML_MAX_DEPTH; i++)
		twiml_close(&t);
	twiml_elem(&t, "Say", "x", NULL);
	s = twiml_finish(&t, &e);
	T_CHECK(s == NULL);
	T_CHECK(e == ERR_TOOBIG);
}

static void
test_misuse(void)
{
	struct twiml	 t;
	enum err	 e = ERR_OK;
	char		*s;

	twiml_init(&t);
	twiml_close(&t);
	s = twiml_finish(&t, &e);
	T_CHECK(s == NULL && e == ERR_INVAL);

	twiml_init(&t);
	twiml_open(&t, NULL);
	s = twiml_finish(&t, &e);
	T_CHECK(s == NULL && e == ERR_INVAL);

	/* Abandoned writers are freed, twice is harmless. */
	twiml_init(&t);
	twiml_elem(&t, "Say", "x", NULL);
	twiml_free(&t);
	twiml_free(&t);
	twiml_free(NULL);
}

static void
test_too_long(void)
{
	struct twiml	 t;
	enum err	 e = ERR_OK;
	char		*s, *big;

	if ((big = malloc(TWIML_MAX_LEN + 1)) == NULL)
		return;
	memset(big, 'a', TWIML_MAX_LEN);
	big[TWIML_MAX_LEN] = '\0';
	twiml_init(&t);
	twiml_elem(&t, "Say", big, NULL);
	s = twiml_finish(&t, &e);
	T_CHECK(s == NULL && e == ERR_TOOBIG);
	free(big);
}

int
main(void)
{
	T_RUN(test_empty);
	T_RUN(test_say);
	T_RUN(test_dial_number);
	T_RUN(test_conference);
	T_RUN(test_dial_policy);
	T_RUN(test_escaping);
	T_RUN(test_control_chars);
	T_RUN(test_self_closing);
	T_RUN(test_nesting);
	T_RUN(test_depth);
	T_RUN(test_misuse);
	T_RUN(test_too_long);
	T_END();
}
