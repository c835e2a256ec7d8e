#include <string.h>

#include "t.h"
#include "web/route.h"

/* The handlers are never called here: only which entry matched counts. */
static void h_list(void) {}
static void h_create(void) {}
static void h_get(void) {}
static void h_delete(void) {}
static void h_parts(void) {}
static void h_add_part(void) {}
static void h_del_part(void) {}
static void h_messages(void) {}

/* The table sessions.fcgi is about to serve, longer patterns first. */
static const struct route table[] = {
	{ "DELETE", "/sessions/{id}/participants/{p}", h_del_part },
	{ "GET", "/sessions/{id}/participants", h_parts },
	{ "POST", "/sessions/{id}/participants", h_add_part },
	{ "POST", "/sessions/{id}/messages", h_messages },
	{ "GET", "/sessions/{id}", h_get },
	{ "DELETE", "/sessions/{id}", h_delete },
	{ "GET", "/sessions", h_list },
	{ "POST", "/sessions", h_create },
};
#define N	(sizeof(table) / sizeof(table[0]))

static enum err
find(const char *method, const char *path, struct route_match *m)
{
	return route_find(table, N, method, path, m);
}

static void
test_literal(void)
{
	static const struct route one[] = {
		{ "POST", "/inbound-call", h_create },
	};
	struct route_match m;

	T_CHECK(route_find(one, 1, "POST", "/inbound-call", &m) == ERR_OK);
	T_CHECK(m.route == &one[0] && m.nparams == 0);
	T_STREQ(m.allow, "");
	/* Today's 404s: below, beside, elsewhere, the root. */
	T_CHECK(route_find(one, 1, "POST", "/inbound-call/extra", &m) ==
	    ERR_NOTFOUND);
	T_CHECK(m.route == NULL);
	T_CHECK(route_find(one, 1, "POST", "/inbound-callx", &m) ==
	    ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "/xinbound-call", &m) ==
	    ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "/no-such-thing", &m) ==
	    ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "/", &m) == ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "", &m) == ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "inbound-call", &m) == ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "/inbound-call%00", &m) ==
	    ERR_NOTFOUND);
	/* Literals are compared undecoded, and case matters. */
	T_CHECK(route_find(one, 1, "POST", "/inbound%2Dcall", &m) ==
	    ERR_NOTFOUND);
	T_CHECK(route_find(one, 1, "POST", "/Inbound-Call", &m) ==
	    ERR_NOTFOUND);
	/* An empty table serves nothing. */
	T_CHECK(route_find(one, 0, "POST", "/inbound-call", &m) ==
	    ERR_NOTFOUND);
}

static void
test_prefix_and_slashes(void)
{
	struct route_match m;

	/* Mounted under a prefix, as on shared hosting. */
	T_CHECK(find("POST", "/masked/sessions", &m) == ERR_OK);
	T_CHECK(m.route == &table[7]);
	T_CHECK(find("POST", "/cgi-bin/sessions.fcgi/sessions", &m) == ERR_OK);
	T_CHECK(find("GET", "/a/b/c/sessions/CH1", &m) == ERR_OK);
	T_CHECK(m.route == &table[4]);
	T_STREQ(route_param(&m, "id"), "CH1");
	/* Trailing slashes do not count. */
	T_CHECK(find("POST", "/sessions/", &m) == ERR_OK);
	T_CHECK(find("POST", "/sessions///", &m) == ERR_OK);
	T_CHECK(find("GET", "/sessions/CH1/", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "CH1");
	/* The segment must be whole. */
	T_CHECK(find("POST", "/xsessions", &m) == ERR_NOTFOUND);
	T_CHECK(find("POST", "/masked-sessions", &m) == ERR_NOTFOUND);
	T_CHECK(find("POST", "/sessionsx", &m) == ERR_NOTFOUND);
}

static void
test_params(void)
{
	struct route_match m;

	T_CHECK(find("DELETE", "/sessions/CH0123/participants/MB9", &m) ==
	    ERR_OK);
	T_CHECK(m.route == &table[0] && m.nparams == 2);
	T_STREQ(route_param(&m, "id"), "CH0123");
	T_STREQ(route_param(&m, "p"), "MB9");
	/* In the pattern's order. */
	T_STREQ(m.params[0].name, "id");
	T_STREQ(m.params[1].name, "p");
	T_CHECK(route_param(&m, "missing") == NULL);
	T_CHECK(route_param(&m, "") == NULL);

	T_CHECK(find("GET", "/sessions/CH1/participants", &m) == ERR_OK);
	T_CHECK(m.route == &table[1] && m.nparams == 1);
	T_CHECK(find("POST", "/sessions/CH1/participants", &m) == ERR_OK);
	T_CHECK(m.route == &table[2]);
	T_CHECK(find("POST", "/sessions/CH1/messages", &m) == ERR_OK);
	T_CHECK(m.route == &table[3]);
	T_STREQ(route_param(&m, "id"), "CH1");
	T_CHECK(find("DELETE", "/sessions/CH1", &m) == ERR_OK);
	T_CHECK(m.route == &table[5]);

	/* A parameter takes one non-empty segment, never two or none. */
	T_CHECK(find("GET", "/sessions//participants", &m) == ERR_NOTFOUND);
	T_CHECK(find("DELETE", "/sessions/CH1/participants/", &m) ==
	    ERR_METHOD);
	T_CHECK(find("GET", "/sessions/CH1/unknown", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/a/b", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions", &m) == ERR_OK);
	T_CHECK(m.route == &table[6] && m.nparams == 0);
	/* Suffix match: "sessions" can be a mount point or an id. */
	T_CHECK(find("GET", "/sessions/sessions", &m) == ERR_OK);
	T_CHECK(m.route == &table[4]);
	T_STREQ(route_param(&m, "id"), "sessions");
}

static void
test_decoding(void)
{
	struct route_match	 m;
	char			 path[512];

	T_CHECK(find("GET", "/sessions/a%20b", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "a b");
	T_CHECK(find("GET", "/sessions/%7e%7E", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "~~");
	/* '+' is a plus in a path, and the rest is as sent. */
	T_CHECK(find("GET", "/sessions/+1%2B2", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "+1+2");
	T_CHECK(find("GET", "/sessions/%C3%A9", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "\xc3\xa9");
	T_CHECK(find("GET", "/sessions/%25", &m) == ERR_OK);
	T_STREQ(route_param(&m, "id"), "%");

	/* Strictly: %XX only; never NUL, never a '/'. */
	T_CHECK(find("GET", "/sessions/%", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/a%2", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/%zz", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/%g0", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/%00", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/a%00b", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/%2F", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/a%2fb", &m) == ERR_NOTFOUND);
	T_CHECK(find("GET", "/sessions/%u0041", &m) == ERR_NOTFOUND);
	/* Nothing is left behind from a failed match. */
	T_CHECK(m.nparams == 0 && m.route == NULL);
	T_CHECK(route_param(&m, "id") == NULL);

	/* Bounded: ROUTE_VALUE_MAX decoded bytes, in any spelling. */
	strcpy(path, "/sessions/");
	memset(path + 10, 'a', ROUTE_VALUE_MAX);
	path[10 + ROUTE_VALUE_MAX] = '\0';
	T_CHECK(find("GET", path, &m) == ERR_OK);
	T_CHECK(strlen(route_param(&m, "id")) == ROUTE_VALUE_MAX);
	strcat(path, "a");
	T_CHECK(find("GET", path, &m) == ERR_NOTFOUND);
	strcpy(path, "/sessions/");
	for (size_t i = 0; i < ROUTE_VALUE_MAX; i++)
		strcat(path, "%41");
	T_CHECK(find("GET", path, &m) == ERR_OK);
	T_CHECK(strlen(route_param(&m, "id")) == ROUTE_VALUE_MAX);
	strcat(path, "%41");
	T_CHECK(find("GET", path, &m) == ERR_NOTFOUND);
}

static void
test_method(void)
{
	static const struct route one[] = {
		{ "POST", "/sessions", h_create },
	};
	struct route_match m;

	/* Today's 405: only POST. */
	T_CHECK(route_find(one, 1, "GET", "/sessions", &m) == ERR_METHOD);
	T_STREQ(m.allow, "POST");
	T_CHECK(m.route == NULL);
	T_CHECK(route_find(one, 1, "PUT", "/masked/sessions/", &m) ==
	    ERR_METHOD);
	T_STREQ(m.allow, "POST");
	/* Methods are compared exactly. */
	T_CHECK(route_find(one, 1, "post", "/sessions", &m) == ERR_METHOD);
	T_CHECK(route_find(one, 1, "", "/sessions", &m) == ERR_METHOD);
	/* HEAD is a method like the others. */
	T_CHECK(route_find(one, 1, "HEAD", "/sessions", &m) == ERR_METHOD);

	/* Several entries match the path: each method once, table order. */
	T_CHECK(find("PUT", "/sessions", &m) == ERR_METHOD);
	T_STREQ(m.allow, "GET, POST");
	T_CHECK(find("PATCH", "/sessions/CH1", &m) == ERR_METHOD);
	T_STREQ(m.allow, "GET, DELETE");
	T_CHECK(find("DELETE", "/sessions/CH1/participants", &m) == ERR_METHOD);
	T_STREQ(m.allow, "GET, POST");
	T_CHECK(find("GET", "/sessions/CH1/messages", &m) == ERR_METHOD);
	T_STREQ(m.allow, "POST");
	T_CHECK(find("GET", "/sessions/CH1/participants/MB1", &m) ==
	    ERR_METHOD);
	T_STREQ(m.allow, "DELETE");
	/* A path no pattern matches is 404 whatever the method. */
	T_CHECK(find("PUT", "/nowhere", &m) == ERR_NOTFOUND);
	T_STREQ(m.allow, "");
	/* "/sessions/sessions" is both an id and a mount: both count. */
	T_CHECK(find("PUT", "/sessions/sessions", &m) == ERR_METHOD);
	T_STREQ(m.allow, "GET, DELETE, POST");
}

static void
test_allow_dedup_and_bound(void)
{
	static const struct route many[] = {
		{ "GET", "/x", h_get },
		{ "GET", "/x", h_list },
		{ "GETX", "/x", h_list },
		{ "XGET", "/x", h_list },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/x", h_list },
		{ "POST", "/x", h_list },
	};
	struct route_match m;

	T_CHECK(route_find(many, 6, "PUT", "/x", &m) == ERR_METHOD);
	/* GET once; GETX, XGET are not GET; the one too long left out. */
	T_STREQ(m.allow, "GET, GETX, XGET, POST");
	T_CHECK(strlen(m.allow) < ROUTE_ALLOW_MAX);
	/* The first entry of a method wins. */
	T_CHECK(route_find(many, 6, "GET", "/x", &m) == ERR_OK);
	T_CHECK(m.route == &many[0]);
}

static void
test_bad_patterns(void)
{
	static const struct route bad[] = {
		{ "GET", "", h_get },
		{ "GET", "/", h_get },
		{ "GET", "x", h_get },
		{ "GET", "/x/", h_get },
		{ "GET", "//x", h_get },
		{ "GET", "/{}", h_get },
		{ "GET", "/{id", h_get },
		{ "GET", "/a{id}", h_get },
		{ "GET", "/{i{d}", h_get },
		{ "GET", "/{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", h_get },
		{ "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h_get },
		{ "", "/x", h_get },
	};
	static const struct route eight[] = {
		{ "GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_get },
	};
	struct route_match m;
	size_t i;

	/* A malformed pattern never matches anything. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		T_CHECK(route_find(&bad[i], 1, "GET", "/x", &m) == ERR_NOTFOUND);
		T_CHECK(route_find(&bad[i], 1, "GET", "/x/", &m) ==
		    ERR_NOTFOUND);
		T_CHECK(route_find(&bad[i], 1, "GET", "/1/2/3/4/5/6/7/8/9", &m) ==
		    ERR_NOTFOUND);
		T_CHECK(route_find(&bad[i], 1, "GET", "/{}", &m) ==
		    ERR_NOTFOUND);
	}
	/* No method: neither a match nor a 405 with an empty Allow. */
	T_CHECK(route_find(&bad[11], 1, "", "/x", &m) == ERR_NOTFOUND);
	T_STREQ(m.allow, "");
	/* ROUTE_PARAMS_MAX parameters are fine. */
	T_CHECK(route_find(eight, 1, "GET", "/p/1/2/3/4/5/6/7/8", &m) == ERR_OK);
	T_CHECK(m.nparams == ROUTE_PARAMS_MAX);
	T_STREQ(route_param(&m, "a"), "1");
	T_STREQ(route_param(&m, "h"), "8");
	T_CHECK(route_find(eight, 1, "GET", "/1/2/3/4/5/6/7", &m) ==
	    ERR_NOTFOUND);
}

int
main(void)
{
	T_RUN(test_literal);
	T_RUN(test_prefix_and_slashes);
	T_RUN(test_params);
	T_RUN(test_decoding);
	T_RUN(test_method);
	T_RUN(test_allow_dedup_and_bound);
	T_RUN(test_bad_patterns);
	T_END();
}
