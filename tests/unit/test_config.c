#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/config.h"
#include "core/buf.h"
#include "core/log.h"
#include "svc/pool.h"
#include "t.h"

/*
 * Env-file parsing
 */

/* Collects the assignments as "NAME=VALUE|", in order. */
static int
collect(const char *name, const char *value, void *arg)
{
	struct buf *b = arg;

	return buf_printf(b, "%s=%s|", name, value) != ERR_OK;
}

static int
refuse_set(const char *name, const char *value, void *arg)
{
	(void)name;
	(void)value;
	(*(int *)arg)++;
	return 1;
}

/* Parses len bytes of s; the assignments go to out, the bad line to *line. */
static enum err
parse_n(const char *s, size_t len, struct buf *out, int *line)
{
	buf_reset(out);
	*line = -1;
	return config_envfile_parse(s, len, collect, out, line);
}

static enum err
parse(const char *s, struct buf *out, int *line)
{
	return parse_n(s, strlen(s), out, line);
}

static void
test_envfile_values(void)
{
	struct buf	 b;
	int		 line;

	buf_init(&b, 4096);

	T_CHECK(parse("A=1\nB=two words\nC=\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|B=two words|C=|");
	T_CHECK(line == -1);

	/* Blanks around the name, the '=' and a bare value are trimmed. */
	T_CHECK(parse("  A  =  x y  \n\tB\t=\tz\t\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=x y|B=z|");

	/* Names: letters, digits, '_', '.', '-'. */
	T_CHECK(parse("a.b-c_D9=v\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "a.b-c_D9=v|");

	/* export prefix, with a space or a tab. */
	T_CHECK(parse("export KEY=v\nexport\tK2='w'\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "KEY=v|K2=w|");
	/* "export" alone is an ordinary name. */
	T_CHECK(parse("export=1\nexported=2\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "export=1|exported=2|");

	/* Single quotes: literal, no escapes, '#' kept. */
	T_CHECK(parse("A='a \\n \"b\" # c'\nB=''\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=a \\n \"b\" # c|B=|");

	/* Double quotes: \n, \" and \\ unescaped; blanks kept; '#' kept. */
	T_CHECK(parse("A=\"one\\ntwo\"\nB=\"say \\\"hi\\\"\"\nC=\"back\\\\slash\"\n"
	    "D=\"  pad  \"\nE=\"a # b\"\nF=\"\"\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=one\ntwo|B=say \"hi\"|C=back\\slash|"
	    "D=  pad  |E=a # b|F=|");

	/* A comment after a quoted value. */
	T_CHECK(parse("A=\"x\" # note\nB='y'   #note\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=x|B=y|");

	/* Bare values: " #" starts a comment, a '#' inside a word does not. */
	T_CHECK(parse("A=value # comment\nB=val#ue\nC=x\t# tab comment\n"
	    "D=https://h/p#frag\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=value|B=val#ue|C=x|D=https://h/p#frag|");
	/* Nothing but a comment after '=': an empty value. */
	T_CHECK(parse("A= # only a comment\nB=\t#x\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=|B=|");
	/* A value that starts with '#' right after '=' is a value. */
	T_CHECK(parse("A=#notacomment\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=#notacomment|");

	/* JSON kept whole, as env.example writes NUMBER_POOL. */
	T_CHECK(parse("NUMBER_POOL=[\"+14155550100\",\"+14155550101\"]\n", &b,
	    &line) == ERR_OK);
	T_STREQ(buf_str(&b), "NUMBER_POOL=[\"+14155550100\",\"+14155550101\"]|");

	/* The last assignment of a name is reported last (the loader keeps it). */
	T_CHECK(parse("A=1\nA=2\n", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|A=2|");

	buf_free(&b);
}

static void
test_envfile_lines(void)
{
	struct buf	 b;
	int		 line;

	buf_init(&b, 4096);

	/* Blank and comment lines. */
	T_CHECK(parse("\n# comment\n   \n\t\n  # indented comment\nA=1\n\n",
	    &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|");

	/* CRLF line endings, bare and quoted. */
	T_CHECK(parse("A=1\r\nB='2'\r\n\r\nC=\"3\"\r\n# c\r\nD=x # y\r\n", &b,
	    &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|B=2|C=3|D=x|");

	/* No trailing newline. */
	T_CHECK(parse("A=1\nB=last", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|B=last|");
	T_CHECK(parse("A='q'", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=q|");

	/* Empty text. */
	T_CHECK(parse("", &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "");
	T_CHECK(parse_n(NULL, 0, &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "");

	/* Only len bytes are read. */
	T_CHECK(parse_n("A=1\nB=2", 3, &b, &line) == ERR_OK);
	T_STREQ(buf_str(&b), "A=1|");

	buf_free(&b);
}

/* s must be refused with ERR_PARSE at line want, before anything after it. */
static int
bad(const char *s, size_t len, int want, const char *set_before)
{
	struct buf	 b;
	int		 line, ok;

	buf_init(&b, 4096);
	ok = parse_n(s, len, &b, &line) == ERR_PARSE && line == want &&
	    strcmp(buf_str(&b), set_before) == 0;
	if (!ok)
		fprintf(stderr, "bad(\"%s\"): line %d, set \"%s\"\n", s, line,
		    buf_str(&b));
	buf_free(&b);
	return ok;
}
#define BAD(s, line, before)	bad((s), sizeof(s) - 1, (line), (before))

static void
test_envfile_bad(void)
{
	struct buf	 b;
	int		 calls = 0, line = -1;

	T_CHECK(BAD("just words\n", 1, ""));
	T_CHECK(BAD("A=1\nB\n", 2, "A=1|"));
	T_CHECK(BAD("A=1\n\n# c\nB 2\nC=3\n", 4, "A=1|"));
	T_CHECK(BAD("=value\n", 1, ""));
	T_CHECK(BAD("A B=1\n", 1, ""));
	T_CHECK(BAD("A:1\n", 1, ""));
	T_CHECK(BAD("export\n", 1, ""));
	T_CHECK(BAD("export \n", 1, ""));
	T_CHECK(BAD("KEY$=1\n", 1, ""));
	/* Unterminated quotes. */
	T_CHECK(BAD("A='open\n", 1, ""));
	T_CHECK(BAD("A=1\nB=\"open\n", 2, "A=1|"));
	T_CHECK(BAD("A=\"escaped end\\\"\n", 1, ""));
	T_CHECK(BAD("A=\"ends in backslash\\", 1, ""));
	T_CHECK(BAD("A='open", 1, ""));
	/* Something after a closing quote that is not a comment. */
	T_CHECK(BAD("A='x' y\n", 1, ""));
	T_CHECK(BAD("A=\"x\"y\n", 1, ""));
	/* A NUL byte anywhere on a line, including in a comment. */
	T_CHECK(BAD("A=1\nB=x\0y\n", 2, "A=1|"));
	T_CHECK(BAD("A=1\n# c\0\nB=2\n", 2, "A=1|"));
	T_CHECK(BAD("\0", 1, ""));
	T_CHECK(BAD("A='x\0y'\n", 1, ""));
	/* Line numbers count CRLF lines too. */
	T_CHECK(BAD("A=1\r\n\r\nbad\r\n", 3, "A=1|"));
	/* The last line, with no newline. */
	T_CHECK(BAD("A=1\nbad", 2, "A=1|"));

	/* A set() that fails stops the parse: ERR_NOMEM, not a bad line. */
	T_CHECK(config_envfile_parse("A=1\nB=2\n", 8, refuse_set, &calls,
	    &line) == ERR_NOMEM);
	T_CHECK(calls == 1);
	T_CHECK(line == -1);

	/* bad_line may be NULL. */
	buf_init(&b, 100);
	T_CHECK(config_envfile_parse("bad", 3, collect, &b, NULL) == ERR_PARSE);
	buf_free(&b);
}

static void
test_envfile_example(void)
{
	struct buf	 b, text;
	FILE		*f;
	char		 chunk[4096];
	size_t		 n;
	int		 line = -1;

	/* The shipped example must parse (the tests run from the top). */
	if ((f = fopen("env.example", "r")) == NULL) {
		perror("env.example");
		T_CHECK(0);
		return;
	}
	buf_init(&text, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		T_CHECK(buf_append(&text, chunk, n) == ERR_OK);
	fclose(f);
	buf_init(&b, 1024 * 1024);
	T_CHECK(config_envfile_parse(buf_str(&text), text.len, collect, &b,
	    &line) == ERR_OK);
	T_CHECK(line == -1);
	T_CHECK(strstr(buf_str(&b), "|DOMAIN=example.com|") != NULL);
	buf_free(&b);
	buf_free(&text);
}

/*
 * config_load
 */

/* Every variable config.c reads, cleared before each test. */
static const char *const vars[] = {
	"ENV_FILE", "LOG_TARGET",
	"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN_SECONDARY",
	"TWILIO_EDGE", "TWILIO_REGION",
	"TWILIO_CONVERSATIONS_URL", "TWILIO_API_URL",
	"RETRY_MAX_ATTEMPTS", "RETRY_MIN_TIMEOUT_MS", "RETRY_MAX_TIMEOUT_MS",
	"RETRY_FACTOR", "REQUEST_TIMEOUT_MS",
	"AREA_CODES_FILE", "NUMBER_POOL", "NUMBER_POOL_FILE",
	"NUMBER_POOL_STRICT_GEO",
	"CALL_ANNOUCEMENT_VOICE", "CALL_ANNOUNCEMENT_VOICE",
	"CALL_ANNOUCEMENT_LANGUAGE", "CALL_ANNOUNCEMENT_LANGUAGE",
	"OUT_OF_SESSION_MESSAGE_FOR_CALL",
	"CONNECTING_CALL_ANNOUCEMENT", "CONNECTING_CALL_ANNOUNCEMENT",
	"CALL_APOLOGY_MESSAGE",
	"TWILIO_WEBHOOK_VALIDATION", "DOMAIN",
	"AUTH_USERNAME", "AUTH_PASSWORD",
	"LOG_LEVEL", "TWILIO_SANDBOX", "WORKER_THREADS", "ALLOW_ROOT",
	"OUT_OF_SESSION_FORWARD_NUMBER", "CALL_RECORD", "CALL_TIME_LIMIT_S",
	"CALL_RING_TIMEOUT_S", "NUMBER_SELECTION", "GEO_MATCH",
};

#define SID	"AC0123456789abcdef0123456789ABCDEF"
#define TOKEN	"tok3n-Zq8VhXw2Lm"
#define TOKEN2	"tok3n-second-Rr7Y"
#define PASSWORD "pa55-Jx4Kc9Tn"
#define POOL	"[\"+14155550100\",\"+14155550101\"]"

static char	 tmpdir[] = "/tmp/test_config.XXXXXX";
static char	 made[16][64];	/* files made in tmpdir, removed at the end */
static int	 nmade;

static void
clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

/* A complete, valid configuration, all from the environment. */
static void
set_valid(void)
{
	clear_env();
	setenv("TWILIO_ACCOUNT_SID", SID, 1);
	setenv("TWILIO_AUTH_TOKEN", TOKEN, 1);
	setenv("NUMBER_POOL", POOL, 1);
	setenv("DOMAIN", "example.com", 1);
	setenv("AUTH_USERNAME", "operator", 1);
	setenv("AUTH_PASSWORD", PASSWORD, 1);
}

/* Writes s to a new file in tmpdir; returns its path (static storage). */
static const char *
temp_file(const char *s)
{
	char	*path;
	int	 fd;
	size_t	 len = strlen(s);

	if (nmade == (int)(sizeof(made) / sizeof(made[0])))
		abort();
	path = made[nmade++];
	snprintf(path, sizeof(made[0]), "%s/f.XXXXXX", tmpdir);
	if ((fd = mkstemp(path)) == -1 || write(fd, s, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	close(fd);
	return path;
}

/* The problem whose text starts with prefix, or NULL. */
static const struct config_problem *
problem(const struct config *c, const char *prefix)
{
	int i;

	for (i = 0; i < c->nproblems; i++)
		if (strncmp(c->problems[i].text, prefix, strlen(prefix)) == 0)
			return &c->problems[i];
	return NULL;
}

/*
 * Checks that c has a problem starting with prefix, whose whole text is
 * text (NULL: not checked) and which stops the programs in scope.
 */
static void
check_problem(const struct config *c, const char *prefix, const char *text,
    unsigned scope)
{
	const struct config_problem	*p;

	T_CHECK((p = problem(c, prefix)) != NULL);
	if (p == NULL) {
		fprintf(stderr, "  no problem \"%s...\"\n", prefix);
		return;
	}
	if (text != NULL)
		T_STREQ(p->text, text);
	T_CHECK(p->scope == scope);
}

/* Checks how many of c's problems stop /sessions, inbound and postevent. */
static void
check_counts(const struct config *c, int sessions, int inbound, int postevent)
{
	T_CHECK(config_problem_count(c, CONFIG_FOR_SESSIONS) == sessions);
	T_CHECK(config_problem_count(c, CONFIG_FOR_INBOUND) == inbound);
	T_CHECK(config_problem_count(c, CONFIG_FOR_POSTEVENT) == postevent);
}

/* No problem or warning text carries a secret. */
static int
no_secret(const struct config *c)
{
	static const char *const secrets[] = { TOKEN, TOKEN2, PASSWORD };
	size_t	 j;
	int	 i;

	for (j = 0; j < sizeof(secrets) / sizeof(secrets[0]); j++) {
		for (i = 0; i < c->nproblems; i++)
			if (strstr(c->problems[i].text, secrets[j]) != NULL)
				return 0;
		for (i = 0; i < c->nwarnings; i++)
			if (strstr(c->warnings[i], secrets[j]) != NULL)
				return 0;
	}
	return 1;
}

/* Loads the configuration; dumps the problems when want_problems differs. */
static enum err
load(struct config *c, int want_problems)
{
	enum err	e;
	int		i;

	e = config_load(c);
	if (c->nproblems != want_problems)
		for (i = 0; i < c->nproblems; i++)
			fprintf(stderr, "  problem: %s\n", c->problems[i].text);
	T_CHECK(c->nproblems == want_problems);
	T_CHECK(no_secret(c));
	return e;
}

static void
test_load_valid(void)
{
	struct config c;

	set_valid();
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.nwarnings == 0);
	T_CHECK(config_problem_count(&c, CONFIG_FOR_ALL) == 0);
	T_STREQ(c.twilio.account_sid, SID);
	T_STREQ(c.twilio.auth_token, TOKEN);
	T_CHECK(c.auth_token_secondary == NULL);
	T_STREQ(c.twilio.conversations_url, "https://conversations.twilio.com");
	T_STREQ(c.twilio.api_url, "https://api.twilio.com");
	T_CHECK(c.twilio.retry.max_attempts == 5);
	T_CHECK(c.twilio.retry.min_ms == 1000);
	T_CHECK(c.twilio.retry.factor == 2);
	T_CHECK(c.twilio.retry.max_ms == 360000);
	T_CHECK(c.request_timeout_ms == 10000);
	T_CHECK(c.areas != NULL);
	T_CHECK(c.pool != NULL && pool_size(c.pool) == 2);
	T_STREQ(pool_number(c.pool, 0), "+14155550100");
	T_STREQ(pool_number(c.pool, 1), "+14155550101");
	T_CHECK(!c.session.strict_geo);
	T_STREQ(c.domain, "example.com");
	T_CHECK(c.webhook_validation);
	T_STREQ(c.auth_username, "operator");
	T_STREQ(c.auth_password, PASSWORD);
	T_CHECK(c.log_level == LOG_INFO);
	T_CHECK(!c.sandbox);
	config_free(&c);
	/* config_free clears the struct and takes NULL. */
	T_CHECK(c.twilio.account_sid == NULL && c.pool == NULL && c.nproblems == 0);
	config_free(NULL);
}

static void
test_load_messages(void)
{
	struct config c;

	set_valid();
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.inbound.voice == NULL);
	T_CHECK(c.inbound.language == NULL);
	T_STREQ(c.inbound.out_of_session_message, "This number is not connected to an "
	    "active session. Goodbye.");
	T_STREQ(c.inbound.connecting_message, "Please wait while we connect your call.");
	T_STREQ(c.inbound.apology_message, "Sorry, we cannot connect your call right "
	    "now. Please try again later.");
	config_free(&c);

	/* The seed's spellings. */
	setenv("CALL_ANNOUCEMENT_VOICE", "alice", 1);
	setenv("CALL_ANNOUCEMENT_LANGUAGE", "en-GB", 1);
	setenv("OUT_OF_SESSION_MESSAGE_FOR_CALL", "No session.", 1);
	setenv("CONNECTING_CALL_ANNOUCEMENT", "Connecting.", 1);
	setenv("CALL_APOLOGY_MESSAGE", "Sorry.", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.inbound.voice, "alice");
	T_STREQ(c.inbound.language, "en-GB");
	T_STREQ(c.inbound.out_of_session_message, "No session.");
	T_STREQ(c.inbound.connecting_message, "Connecting.");
	T_STREQ(c.inbound.apology_message, "Sorry.");
	config_free(&c);

	/* The corrected spellings are aliases; the seed's win when both are set. */
	setenv("CALL_ANNOUNCEMENT_VOICE", "man", 1);
	setenv("CALL_ANNOUNCEMENT_LANGUAGE", "fr-FR", 1);
	setenv("CONNECTING_CALL_ANNOUNCEMENT", "Hold on.", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.inbound.voice, "alice");
	T_STREQ(c.inbound.language, "en-GB");
	T_STREQ(c.inbound.connecting_message, "Connecting.");
	config_free(&c);
	unsetenv("CALL_ANNOUCEMENT_VOICE");
	unsetenv("CALL_ANNOUCEMENT_LANGUAGE");
	unsetenv("CONNECTING_CALL_ANNOUCEMENT");
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.inbound.voice, "man");
	T_STREQ(c.inbound.language, "fr-FR");
	T_STREQ(c.inbound.connecting_message, "Hold on.");
	config_free(&c);

	/* Empty counts as unset: the default, or the attribute omitted. */
	setenv("CALL_ANNOUNCEMENT_VOICE", "", 1);
	setenv("OUT_OF_SESSION_MESSAGE_FOR_CALL", "", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.inbound.voice == NULL);
	T_STREQ(c.inbound.out_of_session_message, "This number is not connected to an "
	    "active session. Goodbye.");
	config_free(&c);
}

static void
test_load_envfile(void)
{
	struct config	 c;
	const char	*path;

	/* Everything from the file, quoted as a user would. */
	clear_env();
	path = temp_file("# masked\n"
	    "export TWILIO_ACCOUNT_SID=" SID "\n"
	    "TWILIO_AUTH_TOKEN='" TOKEN "'\r\n"
	    "NUMBER_POOL=" POOL "\n"
	    "DOMAIN=file.example.com # public host\n"
	    "AUTH_USERNAME=\"file user\"\n"
	    "AUTH_PASSWORD=" PASSWORD "\n"
	    "CALL_ANNOUNCEMENT_VOICE=Polly.Joanna\n"
	    "RETRY_MAX_ATTEMPTS=1\n"
	    "RETRY_MAX_ATTEMPTS=7\n");
	setenv("ENV_FILE", path, 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.twilio.account_sid, SID);
	T_STREQ(c.twilio.auth_token, TOKEN);
	T_STREQ(c.domain, "file.example.com");
	T_STREQ(c.auth_username, "file user");
	T_STREQ(c.auth_password, PASSWORD);
	T_STREQ(c.inbound.voice, "Polly.Joanna");
	T_CHECK(c.twilio.retry.max_attempts == 7);	/* the file's last wins */
	T_CHECK(c.pool != NULL && pool_size(c.pool) == 2);
	config_free(&c);

	/* The environment wins over the file. */
	setenv("DOMAIN", "env.example.com", 1);
	setenv("AUTH_USERNAME", "env-user", 1);
	setenv("RETRY_MAX_ATTEMPTS", "2", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.domain, "env.example.com");
	T_STREQ(c.auth_username, "env-user");
	T_CHECK(c.twilio.retry.max_attempts == 2);
	T_STREQ(c.twilio.auth_token, TOKEN);		/* still the file's */
	config_free(&c);

	/* The environment never changes: the file is not exported. */
	T_CHECK(getenv("TWILIO_AUTH_TOKEN") == NULL);
}

static void
test_load_envfile_errors(void)
{
	struct config			 c;
	const struct config_problem	*p;
	const char			*path;
	char				 want[256];

	/* A bad line: one problem naming the file and the line, for everyone. */
	set_valid();
	path = temp_file("A=1\n\nthis is not an assignment " TOKEN "\nB=2\n");
	setenv("ENV_FILE", path, 1);
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	snprintf(want, sizeof(want), "ENV_FILE: %s line 3 is not KEY=value", path);
	check_problem(&c, "ENV_FILE:", want, CONFIG_FOR_ALL);
	check_counts(&c, 1, 1, 1);
	config_free(&c);

	/* A missing ENV_FILE is a problem; a missing ./.env is not. */
	setenv("ENV_FILE", "/nonexistent/masked.env", 1);
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	T_CHECK((p = problem(&c, "ENV_FILE:")) != NULL);
	if (p != NULL)
		T_STREQ(p->text, "ENV_FILE: cannot read /nonexistent/masked.env: "
		    "no such file");
	config_free(&c);
	setenv("ENV_FILE", "", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	config_free(&c);
}

static void
test_load_dotenv(void)
{
	struct config	c;
	FILE		*f;

	/* Without ENV_FILE, ./.env (the tests run in their own directory). */
	clear_env();
	if ((f = fopen(".env", "w")) == NULL) {
		T_CHECK(0);
		return;
	}
	fputs("TWILIO_ACCOUNT_SID=" SID "\nTWILIO_AUTH_TOKEN=" TOKEN "\n"
	    "NUMBER_POOL=" POOL "\nDOMAIN=dot.example.com\n"
	    "AUTH_USERNAME=u\nAUTH_PASSWORD=" PASSWORD "\n", f);
	fclose(f);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.domain, "dot.example.com");
	config_free(&c);
	unlink(".env");
}

static void
test_load_twilio_credentials(void)
{
	struct config			 c;

	/* Missing SID and token stop every program. */
	set_valid();
	unsetenv("TWILIO_ACCOUNT_SID");
	unsetenv("TWILIO_AUTH_TOKEN");
	T_CHECK(load(&c, 2) == ERR_CONFIG);
	check_problem(&c, "TWILIO_ACCOUNT_SID:", "TWILIO_ACCOUNT_SID: required",
	    CONFIG_FOR_ALL);
	check_problem(&c, "TWILIO_AUTH_TOKEN:", "TWILIO_AUTH_TOKEN: required",
	    CONFIG_FOR_ALL);
	check_counts(&c, 2, 2, 2);
	config_free(&c);

	/* Empty is missing. */
	setenv("TWILIO_ACCOUNT_SID", "", 1);
	setenv("TWILIO_AUTH_TOKEN", "", 1);
	T_CHECK(load(&c, 2) == ERR_CONFIG);
	config_free(&c);

	/* Bad account SIDs. */
	setenv("TWILIO_AUTH_TOKEN", TOKEN, 1);
	{
		static const char *const sids[] = {
			"AC0123456789abcdef0123456789abcde",	/* 31 hex */
			"AC0123456789abcdef0123456789abcdef0",	/* 33 hex */
			"CA0123456789abcdef0123456789abcdef",	/* not AC */
			"ac0123456789abcdef0123456789abcdef",
			"AC0123456789abcdef0123456789abcdeg",
			"AC 123456789abcdef0123456789abcdef",
			"ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",	/* env.example */
		};
		size_t i;

		for (i = 0; i < sizeof(sids) / sizeof(sids[0]); i++) {
			setenv("TWILIO_ACCOUNT_SID", sids[i], 1);
			T_CHECK(load(&c, 1) == ERR_CONFIG);
			check_problem(&c, "TWILIO_ACCOUNT_SID:",
			    "TWILIO_ACCOUNT_SID: must be AC followed by 32 "
			    "hexadecimal digits", CONFIG_FOR_ALL);
			config_free(&c);
		}
	}

	/* The secondary token is optional and kept. */
	set_valid();
	setenv("TWILIO_AUTH_TOKEN_SECONDARY", TOKEN2, 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.auth_token_secondary, TOKEN2);
	config_free(&c);
}

/* The NUMBER_POOL problem of the current environment, checked for scope. */
static void
check_pool_problem(const char *name, const char *want)
{
	struct config			 c;

	T_CHECK(load(&c, 1) == ERR_CONFIG);
	check_problem(&c, name, want, CONFIG_FOR_SESSIONS);
	check_counts(&c, 1, 0, 0);
	T_CHECK(c.pool == NULL);
	config_free(&c);
}

/* A value of NUMBER_POOL (NULL: unset) and the problem it makes. */
struct pool_case {
	const char	*value;
	const char	*want;
};

#define POOL_BAD	"NUMBER_POOL: must list distinct E.164 numbers (+ then " \
			"2 to 15 digits)"
#define POOL_FILE_BAD	"NUMBER_POOL_FILE: must list distinct E.164 numbers " \
			"(+ then 2 to 15 digits)"
#define LONG_SECRET	"Long0Password1With2Nothing3But4Letters5And6" \
			"Digits7In8It9Over10Sixty11Four12Bytes"

static const struct pool_case pool_cases[] = {
	{ NULL, "NUMBER_POOL: required (a JSON array of E.164 numbers), or "
	    "NUMBER_POOL_FILE" },
	{ "[\"+14155550100\",", "NUMBER_POOL: not a JSON array of strings" },
	{ "+14155550100", "NUMBER_POOL: not a JSON array of strings" },
	{ "[\"+14155550100\",\"+14155550100\"]",
	    POOL_BAD " (bad entry: +14155550100)" },
	{ "[\"+14155550100\",\"4155550101\"]", POOL_BAD " (bad entry: 4155550101)" },
	{ "[]", "NUMBER_POOL: is empty: list the proxy numbers bought for the "
	    "service" },
	{ "{\"a\":\"+14155550100\"}", "NUMBER_POOL: not a JSON array of strings" },
	/* Characters that could forge a log line are not quoted. */
	{ "[\"+1415\\nerror: forged\"]", POOL_BAD },
	{ "[\"+1 (415) 555-0100\"]", POOL_BAD " (bad entry: +1 (415) 555-0100)" },
};

/*
 * A NUMBER_POOL_FILE's text, with AUTH_PASSWORD (NULL: set_valid's), and
 * the problem it makes. A bad entry is quoted only when it is plainly not
 * a secret: not when NUMBER_POOL_FILE names the env file by mistake; not
 * when it is a secret longer than the 64 bytes quoted, whose quote would
 * be cut and hold only part of it, which is still not to be shown.
 */
struct pool_file_case {
	const char	*text;
	const char	*password;
	const char	*want;
};

static const struct pool_file_case pool_file_cases[] = {
	{ "+14155550100\nnot-a-number\n", NULL,
	    POOL_FILE_BAD " (bad entry: not-a-number)" },
	{ "TWILIO_AUTH_TOKEN=" TOKEN "\n", NULL, POOL_FILE_BAD },
	{ TOKEN "\n", NULL, POOL_FILE_BAD },
	{ LONG_SECRET "\n", LONG_SECRET, POOL_FILE_BAD },
	{ "+1415Digits7In8It9Over10\n", LONG_SECRET, POOL_FILE_BAD },
};

static void
test_load_pool(void)
{
	struct config	 c;
	const char	*path = NULL;
	char		 want[256];
	size_t		 i;

	for (i = 0; i < T_NCASES(pool_cases); i++) {
		set_valid();
		if (pool_cases[i].value == NULL)
			unsetenv("NUMBER_POOL");
		else
			setenv("NUMBER_POOL", pool_cases[i].value, 1);
		T_IN_CASE(i, pool_cases[i].want,
		    check_pool_problem("NUMBER_POOL:", pool_cases[i].want));
	}

	/* NUMBER_POOL_FILE: one number per line. */
	set_valid();
	unsetenv("NUMBER_POOL");
	path = temp_file("# pool\n+14155550100\n\n+12125550100\n+447700900123\n");
	setenv("NUMBER_POOL_FILE", path, 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.pool != NULL && pool_size(c.pool) == 3);
	T_CHECK(c.pool != NULL && pool_index(c.pool, "+447700900123") >= 0);
	config_free(&c);

	for (i = 0; i < T_NCASES(pool_file_cases); i++) {
		set_valid();
		unsetenv("NUMBER_POOL");
		if (pool_file_cases[i].password != NULL)
			setenv("AUTH_PASSWORD", pool_file_cases[i].password, 1);
		path = temp_file(pool_file_cases[i].text);
		setenv("NUMBER_POOL_FILE", path, 1);
		T_IN_CASE(i, pool_file_cases[i].want,
		    check_pool_problem("NUMBER_POOL_FILE:",
		    pool_file_cases[i].want));
	}

	set_valid();
	unsetenv("NUMBER_POOL");
	setenv("NUMBER_POOL_FILE", "/nonexistent/pool.txt", 1);
	check_pool_problem("NUMBER_POOL_FILE:", "NUMBER_POOL_FILE: cannot read "
	    "/nonexistent/pool.txt: not found");

	/* Both: a problem naming both, not a silent choice. */
	setenv("NUMBER_POOL", POOL, 1);
	setenv("NUMBER_POOL_FILE", path, 1);
	check_pool_problem("NUMBER_POOL, NUMBER_POOL_FILE:", "NUMBER_POOL, "
	    "NUMBER_POOL_FILE: set one, not both");

	/* A bad area-code table. */
	set_valid();
	path = temp_file("not,a,table\n");
	setenv("AREA_CODES_FILE", path, 1);
	check_pool_problem("AREA_CODES_FILE:", NULL);
	setenv("AREA_CODES_FILE", "/nonexistent/ac.csv", 1);
	check_pool_problem("AREA_CODES_FILE:", "AREA_CODES_FILE: cannot read "
	    "/nonexistent/ac.csv: not found");
	path = temp_file("area_code,country,latitude,longitude\n"
	    "415,US,37.9,-122.5\n");
	setenv("AREA_CODES_FILE", path, 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	config_free(&c);

	/* Strict geo-matching. */
	set_valid();
	setenv("NUMBER_POOL_STRICT_GEO", "on", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.session.strict_geo);
	config_free(&c);
	setenv("NUMBER_POOL_STRICT_GEO", "maybe", 1);
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	snprintf(want, sizeof(want), "NUMBER_POOL_STRICT_GEO: must be on or off");
	T_CHECK(problem(&c, want) != NULL);
	config_free(&c);
}

/* §13: the call policy, the forward number, number selection. */
static void
test_load_policy(void)
{
	static const struct {
		const char	*name, *value, *problem;
		unsigned	 scope;
	} bad[] = {
		{ "OUT_OF_SESSION_FORWARD_NUMBER", "4155550100",
		  "OUT_OF_SESSION_FORWARD_NUMBER: must be an E.164 number (+ then "
		  "2 to 15 digits, no leading 0)", CONFIG_FOR_INBOUND },
		{ "OUT_OF_SESSION_FORWARD_NUMBER", "+1415555",
		  "OUT_OF_SESSION_FORWARD_NUMBER: must be an E.164", CONFIG_FOR_INBOUND },
		{ "OUT_OF_SESSION_FORWARD_NUMBER", "+14155550101",
		  "OUT_OF_SESSION_FORWARD_NUMBER: is one of the pool's proxy "
		  "numbers: calls would loop back to this service",
		  CONFIG_FOR_INBOUND },
		{ "CALL_RECORD", "sometimes", "CALL_RECORD: must be on or off",
		  CONFIG_FOR_ALL },
		{ "CALL_TIME_LIMIT_S", "0", "CALL_TIME_LIMIT_S: must be a whole "
		  "number from 1 to 14400", CONFIG_FOR_ALL },
		{ "CALL_TIME_LIMIT_S", "14401", "CALL_TIME_LIMIT_S: must be",
		  CONFIG_FOR_ALL },
		{ "CALL_TIME_LIMIT_S", "1h", "CALL_TIME_LIMIT_S: must be",
		  CONFIG_FOR_ALL },
		{ "CALL_RING_TIMEOUT_S", "4", "CALL_RING_TIMEOUT_S: must be a "
		  "whole number from 5 to 600", CONFIG_FOR_ALL },
		{ "CALL_RING_TIMEOUT_S", "601", "CALL_RING_TIMEOUT_S: must be",
		  CONFIG_FOR_ALL },
		{ "NUMBER_SELECTION", "sticky", "NUMBER_SELECTION: must be "
		  "default, prefer-sticky or avoid-sticky", CONFIG_FOR_SESSIONS },
		{ "GEO_MATCH", "strict", "GEO_MATCH: must be any, country or "
		  "area-code", CONFIG_FOR_SESSIONS },
	};
	struct config	 c;
	size_t		 i;

	/* Unset: nothing changes. */
	set_valid();
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.inbound.forward_number == NULL);
	T_CHECK(c.inbound.call.record == 0 && c.inbound.call.time_limit == 0 &&
	    c.inbound.call.ring_timeout == 0);
	T_CHECK(c.session.numbers.geo == POOL_GEO_ANY &&
	    c.session.numbers.pick == POOL_PICK_DEFAULT && !c.session.strict_geo);
	config_free(&c);

	setenv("OUT_OF_SESSION_FORWARD_NUMBER", "+12125550199", 1);
	setenv("CALL_RECORD", "on", 1);
	setenv("CALL_TIME_LIMIT_S", "14400", 1);
	setenv("CALL_RING_TIMEOUT_S", "5", 1);
	setenv("NUMBER_SELECTION", "prefer-sticky", 1);
	setenv("GEO_MATCH", "area-code", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.inbound.forward_number, "+12125550199");
	T_CHECK(c.inbound.call.record == 2 && c.inbound.call.time_limit == 14400 &&
	    c.inbound.call.ring_timeout == 5);
	T_CHECK(c.session.numbers.geo == POOL_GEO_AREA &&
	    c.session.numbers.pick == POOL_PICK_STICKY && c.session.strict_geo);
	config_free(&c);
	setenv("CALL_RECORD", "off", 1);
	setenv("NUMBER_SELECTION", "avoid-sticky", 1);
	setenv("GEO_MATCH", "any", 1);
	setenv("NUMBER_POOL_STRICT_GEO", "on", 1);	/* GEO_MATCH wins */
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.inbound.call.record == 1);
	T_CHECK(c.session.numbers.geo == POOL_GEO_ANY &&
	    c.session.numbers.pick == POOL_PICK_AVOID && !c.session.strict_geo);
	config_free(&c);
	/* NUMBER_POOL_STRICT_GEO=on alone is GEO_MATCH=country. */
	unsetenv("GEO_MATCH");
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.session.numbers.geo == POOL_GEO_COUNTRY && c.session.strict_geo);
	config_free(&c);

	for (i = 0; i < T_NCASES(bad); i++) {
		set_valid();
		setenv(bad[i].name, bad[i].value, 1);
		T_IN_CASE(i, bad[i].value, {
			T_CHECK(load(&c, 1) == ERR_CONFIG);
			check_problem(&c, bad[i].problem, NULL, bad[i].scope);
			config_free(&c);
		});
	}
}

static void
test_load_domain(void)
{
	struct config			 c;
	const struct config_problem	*p;

	/* Missing DOMAIN stops the webhooks, not /sessions. */
	set_valid();
	unsetenv("DOMAIN");
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	check_problem(&c, "DOMAIN:", NULL,
	    CONFIG_FOR_WEBHOOKS);
	check_counts(&c, 0, 1, 1);
	T_CHECK(c.nwarnings == 0);
	config_free(&c);

	/* Validation off, explicitly: no DOMAIN problem, but a warning. */
	setenv("TWILIO_WEBHOOK_VALIDATION", "off", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(!c.webhook_validation);
	T_CHECK(c.nwarnings == 1);
	if (c.nwarnings == 1)
		T_CHECK(strncmp(c.warnings[0], "TWILIO_WEBHOOK_VALIDATION=off:",
		    30) == 0);
	config_free(&c);
	/* Off with a DOMAIN: still the warning. */
	setenv("DOMAIN", "example.com", 1);
	setenv("TWILIO_WEBHOOK_VALIDATION", "false", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(!c.webhook_validation && c.nwarnings == 1);
	config_free(&c);
	setenv("TWILIO_WEBHOOK_VALIDATION", "on", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.webhook_validation && c.nwarnings == 0);
	config_free(&c);
	setenv("TWILIO_WEBHOOK_VALIDATION", "disabled", 1);
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	T_CHECK(problem(&c, "TWILIO_WEBHOOK_VALIDATION: must be on or off")
	    != NULL);
	T_CHECK(c.webhook_validation);		/* never off by mistake */
	config_free(&c);
	unsetenv("TWILIO_WEBHOOK_VALIDATION");

	/* DOMAIN is a host name, optionally with a port. */
	setenv("DOMAIN", "example.com:8443", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.domain, "example.com:8443");
	config_free(&c);
	{
		static const char *const bad[] = {
			"https://example.com", "example.com/hooks",
			"example.com?x", "exa mple.com", "example.com#f",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			setenv("DOMAIN", bad[i], 1);
			T_CHECK(load(&c, 1) == ERR_CONFIG);
			T_CHECK((p = problem(&c, "DOMAIN: a host name")) != NULL);
			T_CHECK(config_problem_count(&c, CONFIG_FOR_SESSIONS) == 0);
			config_free(&c);
		}
	}
}

static void
test_load_auth(void)
{
	struct config			 c;
	int				 i;

	for (i = 0; i < 3; i++) {
		set_valid();
		if (i != 1)
			unsetenv("AUTH_USERNAME");
		if (i != 2)
			setenv("AUTH_PASSWORD", "", 1);
		T_CHECK(load(&c, 1) == ERR_CONFIG);
		check_problem(&c, "AUTH_USERNAME, AUTH_PASSWORD:", NULL,
		    CONFIG_FOR_SESSIONS);
		check_counts(&c, 1, 0, 0);
		config_free(&c);
	}
}

/* The current environment has exactly one problem, name's, for everyone. */
static void
check_all_problem(const char *want)
{
	struct config			 c;

	T_CHECK(load(&c, 1) == ERR_CONFIG);
	check_problem(&c, want, want, CONFIG_FOR_ALL);
	config_free(&c);
}

static void
test_load_retry(void)
{
	struct config	c;
	size_t		i;
	static const char *const bad_long[] = {
		"abc", "", "5x", "1.5", "-1", "101", "99999999999999999999999",
	};

	set_valid();
	setenv("RETRY_MAX_ATTEMPTS", "0", 1);
	setenv("RETRY_MIN_TIMEOUT_MS", "250", 1);
	setenv("RETRY_FACTOR", "1.5", 1);
	setenv("RETRY_MAX_TIMEOUT_MS", "3600000", 1);
	setenv("REQUEST_TIMEOUT_MS", "100", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.twilio.retry.max_attempts == 0);
	T_CHECK(c.twilio.retry.min_ms == 250);
	T_CHECK(c.twilio.retry.factor == 1.5);
	T_CHECK(c.twilio.retry.max_ms == 3600000);
	T_CHECK(c.request_timeout_ms == 100);
	config_free(&c);

	setenv("RETRY_MAX_ATTEMPTS", "100", 1);
	setenv("RETRY_FACTOR", "100", 1);
	setenv("RETRY_MIN_TIMEOUT_MS", "0", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.twilio.retry.max_attempts == 100 && c.twilio.retry.factor == 100 &&
	    c.twilio.retry.min_ms == 0);
	config_free(&c);

	for (i = 0; i < sizeof(bad_long) / sizeof(bad_long[0]); i++) {
		set_valid();
		if (*bad_long[i] == '\0')
			continue;	/* empty is unset: the default */
		setenv("RETRY_MAX_ATTEMPTS", bad_long[i], 1);
		check_all_problem("RETRY_MAX_ATTEMPTS: must be a whole number "
		    "from 0 to 100");
	}
	set_valid();
	setenv("RETRY_MIN_TIMEOUT_MS", "3600001", 1);
	check_all_problem("RETRY_MIN_TIMEOUT_MS: must be a whole number from 0 "
	    "to 3600000");
	set_valid();
	setenv("RETRY_MAX_TIMEOUT_MS", "-5", 1);
	check_all_problem("RETRY_MAX_TIMEOUT_MS: must be a whole number from 0 "
	    "to 3600000");
	set_valid();
	setenv("REQUEST_TIMEOUT_MS", "99", 1);
	check_all_problem("REQUEST_TIMEOUT_MS: must be a whole number from 100 "
	    "to 600000");
	{
		static const char *const bad_factor[] = {
			"0.5", "0", "101", "two", "2x", "nan", "inf", "-2",
		};

		for (i = 0; i < sizeof(bad_factor) / sizeof(bad_factor[0]); i++) {
			set_valid();
			setenv("RETRY_FACTOR", bad_factor[i], 1);
			check_all_problem("RETRY_FACTOR: must be a number from 1 "
			    "to 100");
		}
	}

	/* An empty value is the default. */
	set_valid();
	setenv("RETRY_MAX_ATTEMPTS", "", 1);
	setenv("RETRY_FACTOR", "", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.twilio.retry.max_attempts == 5 && c.twilio.retry.factor == 2);
	config_free(&c);

	/* Several bad values: one problem each. */
	set_valid();
	setenv("RETRY_MAX_ATTEMPTS", "x", 1);
	setenv("RETRY_FACTOR", "x", 1);
	setenv("RETRY_MIN_TIMEOUT_MS", "x", 1);
	setenv("RETRY_MAX_TIMEOUT_MS", "x", 1);
	T_CHECK(load(&c, 4) == ERR_CONFIG);
	T_CHECK(config_problem_count(&c, CONFIG_FOR_INBOUND) == 4);
	config_free(&c);
}

static void
test_load_urls(void)
{
	struct config			 c;

	set_valid();
	setenv("TWILIO_EDGE", "sydney", 1);
	setenv("TWILIO_REGION", "au1", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.twilio.conversations_url, "https://conversations.sydney.au1.twilio.com");
	T_STREQ(c.twilio.api_url, "https://api.sydney.au1.twilio.com");
	config_free(&c);

	/* An edge alone: region us1, as Twilio's SDKs do. */
	unsetenv("TWILIO_REGION");
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.twilio.conversations_url, "https://conversations.sydney.us1.twilio.com");
	T_STREQ(c.twilio.api_url, "https://api.sydney.us1.twilio.com");
	config_free(&c);

	/* A region alone: no edge. */
	unsetenv("TWILIO_EDGE");
	setenv("TWILIO_REGION", "ie1", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.twilio.conversations_url, "https://conversations.ie1.twilio.com");
	T_STREQ(c.twilio.api_url, "https://api.ie1.twilio.com");
	config_free(&c);

	/* Explicit URLs win over edge and region; trailing slashes go. */
	setenv("TWILIO_EDGE", "dublin", 1);
	setenv("TWILIO_CONVERSATIONS_URL", "http://127.0.0.1:8080/conv//", 1);
	setenv("TWILIO_API_URL", "https://gw.example.com/", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.twilio.conversations_url, "http://127.0.0.1:8080/conv");
	T_STREQ(c.twilio.api_url, "https://gw.example.com");
	config_free(&c);

	/* Not http(s): a problem naming the variable. */
	set_valid();
	setenv("TWILIO_API_URL", "ftp://api.twilio.com", 1);
	T_CHECK(load(&c, 1) == ERR_CONFIG);
	check_problem(&c, "TWILIO_API_URL:", "TWILIO_API_URL: must start with "
	    "https:// or http://", CONFIG_FOR_ALL);
	config_free(&c);
	set_valid();
	setenv("TWILIO_CONVERSATIONS_URL", "conversations.twilio.com", 1);
	check_all_problem("TWILIO_CONVERSATIONS_URL: must start with https:// "
	    "or http://");
}

static void
test_load_misc(void)
{
	struct config c;

	set_valid();
	setenv("LOG_LEVEL", "debug", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.log_level == LOG_DEBUG);
	config_free(&c);
	setenv("LOG_LEVEL", "verbose", 1);
	check_all_problem("LOG_LEVEL: must be error, warn, info or debug");

	/* LOG_TARGET: stderr (the default), syslog, or a file it can write. */
	set_valid();
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.log_target, "stderr");
	config_free(&c);
	setenv("LOG_TARGET", "syslog", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_STREQ(c.log_target, "syslog");
	config_free(&c);
	setenv("LOG_TARGET", "file:/tmp/masked-test-never-made.log", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(access("/tmp/masked-test-never-made.log", F_OK) == -1);
	config_free(&c);
	setenv("LOG_TARGET", "file:/nonexistent/dir/masked.log", 1);
	check_all_problem("LOG_TARGET: cannot write /nonexistent/dir/masked.log: "
	    "No such file or directory");
	setenv("LOG_TARGET", "journal", 1);
	check_all_problem("LOG_TARGET: must be stderr, syslog or "
	    "file:/absolute/path");
	setenv("LOG_TARGET", "file:relative.log", 1);
	check_all_problem("LOG_TARGET: must be stderr, syslog or "
	    "file:/absolute/path");
	unsetenv("LOG_TARGET");

	set_valid();
	setenv("TWILIO_SANDBOX", "yes", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.sandbox);
	T_CHECK(c.nwarnings == 1);
	if (c.nwarnings == 1)
		T_CHECK(strncmp(c.warnings[0], "TWILIO_SANDBOX=on:", 18) == 0);
	config_free(&c);
	setenv("TWILIO_SANDBOX", "0", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(!c.sandbox && c.nwarnings == 0);
	config_free(&c);
}

static void
test_load_nothing(void)
{
	struct config	c;
	enum err	e;

	/*
	 * An empty environment: the struct is still usable, every program is
	 * stopped, and the problems name each required variable.
	 */
	clear_env();
	e = config_load(&c);
	T_CHECK(e == ERR_CONFIG);
	T_CHECK(problem(&c, "TWILIO_ACCOUNT_SID:") != NULL);
	T_CHECK(problem(&c, "TWILIO_AUTH_TOKEN:") != NULL);
	T_CHECK(problem(&c, "NUMBER_POOL:") != NULL);
	T_CHECK(problem(&c, "DOMAIN:") != NULL);
	T_CHECK(problem(&c, "AUTH_USERNAME, AUTH_PASSWORD:") != NULL);
	T_CHECK(c.nproblems == 5);
	check_counts(&c, 4, 3, 3);
	T_CHECK(config_problem_count(&c, CONFIG_FOR_ALL) == 5);
	T_STREQ(c.twilio.conversations_url, "https://conversations.twilio.com");
	T_STREQ(c.inbound.out_of_session_message, "This number is not connected to an "
	    "active session. Goodbye.");
	config_free(&c);
}

static void
test_load_no_secrets(void)
{
	struct config	 c;
	const char	*path;
	int		 i;

	/*
	 * As much wrong as possible while the secrets are set, in the
	 * environment and in the file; no line may quote them.
	 */
	clear_env();
	path = temp_file("TWILIO_AUTH_TOKEN=" TOKEN "\n"
	    "AUTH_PASSWORD=\"" PASSWORD "\"\n"
	    "TWILIO_AUTH_TOKEN_SECONDARY=" TOKEN2 "\n"
	    TOKEN "\n");
	setenv("ENV_FILE", path, 1);
	setenv("TWILIO_ACCOUNT_SID", TOKEN, 1);
	setenv("NUMBER_POOL", "[\"" PASSWORD "\"]", 1);
	setenv("DOMAIN", "https://" TOKEN, 1);
	setenv("RETRY_FACTOR", TOKEN, 1);
	setenv("RETRY_MAX_ATTEMPTS", PASSWORD, 1);
	setenv("LOG_LEVEL", TOKEN, 1);
	setenv("TWILIO_API_URL", TOKEN, 1);
	setenv("TWILIO_WEBHOOK_VALIDATION", PASSWORD, 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	T_CHECK(c.nproblems >= 7);
	T_CHECK(no_secret(&c));
	for (i = 0; i < c.nproblems; i++)
		T_CHECK(strstr(c.problems[i].text, "pa55") == NULL &&
		    strstr(c.problems[i].text, "tok3n") == NULL);
	config_free(&c);

	/* With the file good and secrets loaded from it, warnings neither. */
	set_valid();
	setenv("TWILIO_AUTH_TOKEN_SECONDARY", TOKEN2, 1);
	setenv("TWILIO_WEBHOOK_VALIDATION", "off", 1);
	setenv("TWILIO_SANDBOX", "on", 1);
	T_CHECK(load(&c, 0) == ERR_OK);
	T_CHECK(c.nwarnings == 2);
	config_free(&c);
}

/*
 * CALLBACK_*: the events URL, the secret (required with any URL of the
 * operator's, long enough, never in a problem), the budget.
 */
static void
test_load_callback(void)
{
	static const char *const cbvars[] = { "CALLBACK_URL",
	    "CALLBACK_SECRET", "CALLBACK_TIMEOUT_MS", "INTERCEPT_CALLBACK_URL",
	    "OUT_OF_SESSION_CALLBACK_URL" };
	static const char *const bad_urls[] = { "ftp://x.example/e",
	    "operator.example/events", "http://", "https:///events",
	    "http://a b/events", "/events" };
	struct config	 c;
	size_t		 i;

	set_valid();
	for (i = 0; i < T_NCASES(cbvars); i++)
		unsetenv(cbvars[i]);
	/* Unset: no events, the default budget, no problem. */
	T_CHECK(config_load(&c) == ERR_OK);
	T_CHECK(c.callback.events_url == NULL && c.callback.secret == NULL);
	T_CHECK(c.callback.budget_ms == 2000);
	config_free(&c);

	setenv("CALLBACK_URL", "https://ops.example/masked/events", 1);
	setenv("CALLBACK_SECRET", "s3cret-0123456789-abcdef", 1);
	setenv("CALLBACK_TIMEOUT_MS", "1500", 1);
	T_CHECK(config_load(&c) == ERR_OK);
	T_STREQ(c.callback.events_url, "https://ops.example/masked/events");
	T_STREQ(c.callback.secret, "s3cret-0123456789-abcdef");
	T_CHECK(c.callback.budget_ms == 1500);
	config_free(&c);

	for (i = 0; i < T_NCASES(bad_urls); i++) {
		setenv("CALLBACK_URL", bad_urls[i], 1);
		T_CHECK(config_load(&c) == ERR_CONFIG);
		T_IN_CASE(i, bad_urls[i], check_problem(&c, "CALLBACK_URL: ",
		    NULL, CONFIG_FOR_ALL));
		config_free(&c);
	}
	setenv("CALLBACK_URL", "http://127.0.0.1:8080/events", 1);

	/* The secret: required, and at least 16 bytes, never quoted. */
	unsetenv("CALLBACK_SECRET");
	T_CHECK(config_load(&c) == ERR_CONFIG);
	check_problem(&c, "CALLBACK_SECRET: required", NULL, CONFIG_FOR_ALL);
	config_free(&c);
	unsetenv("CALLBACK_URL");
	setenv("INTERCEPT_CALLBACK_URL", "https://ops.example/intercept", 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	check_problem(&c, "CALLBACK_SECRET: required", NULL, CONFIG_FOR_ALL);
	config_free(&c);
	unsetenv("INTERCEPT_CALLBACK_URL");
	setenv("OUT_OF_SESSION_CALLBACK_URL", "https://ops.example/twiml", 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	check_problem(&c, "CALLBACK_SECRET: required", NULL, CONFIG_FOR_ALL);
	config_free(&c);
	setenv("CALLBACK_SECRET", "short-secret15b", 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	check_problem(&c, "CALLBACK_SECRET: must be at least 16 bytes", NULL,
	    CONFIG_FOR_ALL);
	T_CHECK(strstr(c.problems[0].text, "short-secret15b") == NULL);
	config_free(&c);
	setenv("CALLBACK_SECRET", "sixteen-bytes-ok", 1);
	T_CHECK(config_load(&c) == ERR_OK);
	config_free(&c);

	/* The budget: 100 to 4000 ms. */
	setenv("CALLBACK_TIMEOUT_MS", "99", 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	check_problem(&c, "CALLBACK_TIMEOUT_MS: must be a whole number from "
	    "100 to 4000", NULL, CONFIG_FOR_ALL);
	config_free(&c);
	setenv("CALLBACK_TIMEOUT_MS", "4001", 1);
	T_CHECK(config_load(&c) == ERR_CONFIG);
	config_free(&c);
	for (i = 0; i < T_NCASES(cbvars); i++)
		unsetenv(cbvars[i]);
}

/*
 * Message interception, MESSAGE_FILTER* and INTERCEPT_* (SPEC §11), and
 * OUT_OF_SESSION_CALLBACK_URL (§13).
 */
static void
test_load_preevent(void)
{
	static const char *const pvars[] = { "MESSAGE_FILTER",
	    "MESSAGE_FILTER_MARK", "INTERCEPT_CALLBACK_URL", "INTERCEPT_FAIL",
	    "INTERCEPT_TIMEOUT_MS", "CALLBACK_SECRET", "CALLBACK_URL",
	    "OUT_OF_SESSION_CALLBACK_URL" };
	static const struct {
		const char	*name, *value, *prefix;
	} bad[] = {
		{ "MESSAGE_FILTER", "scrub", "MESSAGE_FILTER: " },
		{ "MESSAGE_FILTER_MARK", "[call 911]", "MESSAGE_FILTER_MARK: " },
		{ "MESSAGE_FILTER_MARK", "a@b", "MESSAGE_FILTER_MARK: " },
		{ "MESSAGE_FILTER_MARK", "tab\there", "MESSAGE_FILTER_MARK: " },
		{ "MESSAGE_FILTER_MARK", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxx", "MESSAGE_FILTER_MARK: " },
		{ "INTERCEPT_FAIL", "maybe", "INTERCEPT_FAIL: " },
		{ "INTERCEPT_TIMEOUT_MS", "99", "INTERCEPT_TIMEOUT_MS: " },
		{ "INTERCEPT_TIMEOUT_MS", "4001", "INTERCEPT_TIMEOUT_MS: " },
		{ "INTERCEPT_CALLBACK_URL", "ftp://ops.example/i",
		    "INTERCEPT_CALLBACK_URL: " },
		{ "INTERCEPT_CALLBACK_URL", "https:///i", "INTERCEPT_CALLBACK_URL: " },
		{ "OUT_OF_SESSION_CALLBACK_URL", "ops.example/oos",
		    "OUT_OF_SESSION_CALLBACK_URL: " },
	};
	struct config	 c;
	size_t		 i, k;

	set_valid();
	for (i = 0; i < T_NCASES(pvars); i++)
		unsetenv(pvars[i]);
	/* The defaults: redact with "[redacted]", nobody asked, open. */
	T_CHECK(config_load(&c) == ERR_OK);
	T_CHECK(c.preevent.filter == PREEVENT_FILTER_REDACT);
	T_STREQ(c.preevent.mark, "[redacted]");
	T_CHECK(c.preevent.intercept_url == NULL);
	T_CHECK(!c.preevent.fail_closed);
	T_CHECK(c.preevent.intercept_ms == 3000);
	config_free(&c);

	setenv("MESSAGE_FILTER", "block", 1);
	setenv("MESSAGE_FILTER_MARK", "\xc2\xabhidden\xc2\xbb", 1);
	setenv("INTERCEPT_CALLBACK_URL", "https://ops.example/intercept", 1);
	setenv("CALLBACK_SECRET", "s3cret-0123456789-abcdef", 1);
	setenv("INTERCEPT_FAIL", "closed", 1);
	setenv("INTERCEPT_TIMEOUT_MS", "1200", 1);
	T_CHECK(config_load(&c) == ERR_OK);
	T_CHECK(c.preevent.filter == PREEVENT_FILTER_BLOCK);
	T_STREQ(c.preevent.mark, "\xc2\xabhidden\xc2\xbb");
	T_STREQ(c.preevent.intercept_url, "https://ops.example/intercept");
	T_CHECK(c.preevent.fail_closed);
	T_CHECK(c.preevent.intercept_ms == 1200);
	config_free(&c);

	/* Each bad value is a problem naming it, which stops pre-event only. */
	for (i = 0; i < T_NCASES(bad); i++) {
		char	*keep = getenv(bad[i].name) != NULL ?
		    strdup(getenv(bad[i].name)) : NULL;

		setenv(bad[i].name, bad[i].value, 1);
		T_CHECK_CASE(config_load(&c) == ERR_CONFIG, i, bad[i].value);
		k = strcmp(bad[i].name, "INTERCEPT_TIMEOUT_MS") == 0 ?
		    CONFIG_FOR_ALL : strncmp(bad[i].name, "OUT_OF_SESSION", 14) ==
		    0 ? CONFIG_FOR_INBOUND : CONFIG_FOR_PREEVENT;
		T_IN_CASE(i, bad[i].value, check_problem(&c, bad[i].prefix,
		    NULL, (unsigned)k));
		if (k != CONFIG_FOR_ALL)
			T_CHECK_CASE(config_problem_count(&c,
			    CONFIG_FOR_SESSIONS) == 0, i, bad[i].value);
		config_free(&c);
		if (keep != NULL)
			setenv(bad[i].name, keep, 1);
		else
			unsetenv(bad[i].name);
		free(keep);
	}
	for (i = 0; i < T_NCASES(pvars); i++)
		unsetenv(pvars[i]);
}

int
main(void)
{
	int i;

	T_RUN(test_envfile_values);
	T_RUN(test_envfile_lines);
	T_RUN(test_envfile_bad);
	T_RUN(test_envfile_example);

	/* Away from the project's own .env, if any. */
	if (mkdtemp(tmpdir) == NULL || chdir(tmpdir) == -1) {
		perror(tmpdir);
		return 1;
	}
	T_RUN(test_load_valid);
	T_RUN(test_load_messages);
	T_RUN(test_load_envfile);
	T_RUN(test_load_envfile_errors);
	T_RUN(test_load_dotenv);
	T_RUN(test_load_twilio_credentials);
	T_RUN(test_load_pool);
	T_RUN(test_load_domain);
	T_RUN(test_load_auth);
	T_RUN(test_load_retry);
	T_RUN(test_load_urls);
	T_RUN(test_load_misc);
	T_RUN(test_load_policy);
	T_RUN(test_load_nothing);
	T_RUN(test_load_no_secrets);
	T_RUN(test_load_callback);
	T_RUN(test_load_preevent);

	clear_env();
	for (i = 0; i < nmade; i++)
		unlink(made[i]);
	unlink(".env");
	if (chdir("/") == 0)
		rmdir(tmpdir);
	T_END();
}
