#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "t.h"
#include "web/http.h"

/*
 * A FastCGI request in memory: the parameters, a reader that hands the
 * body over chunk bytes at a time (0: all at once) and then closes, and a
 * writer whose window is emptied into out. http_finish() is never called
 * (FCGX_Finish_r would free these streams): http_req_free() instead.
 */
struct fake {
	struct http_conn	 conn;
	struct http_req		 req;
	FCGX_Stream		 in, out;
	const char		*body;
	size_t			 bodylen, off, chunk;
	unsigned char		 win[64];
	char			 out_data[8192];
	size_t			 out_len;
};

static void
fill(FCGX_Stream *s)
{
	struct fake	*f = s->data;
	size_t		 n = f->bodylen - f->off;

	if (n == 0) {
		s->isClosed = 1;
		s->rdNext = s->stop = s->stopUnget =
		    (unsigned char *)f->body + f->off;
		return;
	}
	if (f->chunk != 0 && n > f->chunk)
		n = f->chunk;
	s->rdNext = s->stopUnget = (unsigned char *)f->body + f->off;
	s->stop = s->rdNext + n;
	f->off += n;
}

static void
empty(FCGX_Stream *s, int doClose)
{
	struct fake	*f = s->data;
	size_t		 n = (size_t)(s->wrNext - f->win);

	(void)doClose;
	if (f->out_len + n >= sizeof(f->out_data))
		abort();
	memcpy(f->out_data + f->out_len, f->win, n);
	f->out_len += n;
	f->out_data[f->out_len] = '\0';
	s->wrNext = f->win;
	s->stop = f->win + sizeof(f->win);
}

/* Sets f up with the parameters envp (NULL-terminated) and the body. */
static void
fake_init(struct fake *f, char **envp, const char *body, size_t bodylen,
    size_t chunk)
{
	memset(f, 0, sizeof(*f));
	f->body = body != NULL ? body : "";
	f->bodylen = bodylen;
	f->chunk = chunk;
	f->in.rdNext = f->in.stop = f->in.stopUnget = (unsigned char *)f->body;
	f->in.isReader = 1;
	f->in.fillBuffProc = fill;
	f->in.data = f;
	f->out.wrNext = f->win;
	f->out.stop = f->win + sizeof(f->win);
	f->out.emptyBuffProc = empty;
	f->out.data = f;
	f->conn.fcgi.envp = envp;
	f->conn.fcgi.in = &f->in;
	f->conn.fcgi.out = &f->out;
}

/* http_read() of envp and body into f->req. */
static void
fake_read(struct fake *f, char **envp, const char *body, size_t bodylen,
    size_t chunk)
{
	fake_init(f, envp, body, bodylen, chunk);
	http_read(&f->conn, &f->req);
}

/* What was written, all of it. */
static const char *
fake_out(struct fake *f)
{
	empty(&f->out, 0);
	return f->out_data;
}

static void
test_split(void)
{
	char *env[] = { "REQUEST_METHOD=POST",
	    "REQUEST_URI=/sessions?a=1&b=%2F?c", "QUERY_STRING=ignored",
	    "CONTENT_TYPE=application/json; charset=utf-8",
	    "HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz",
	    "HTTP_X_TWILIO_SIGNATURE=abc=", NULL };
	char *bare[] = { "REQUEST_URI=/inbound-call", "QUERY_STRING=x=1", NULL };
	char *none[] = { NULL };
	struct fake f;

	fake_read(&f, env, NULL, 0, 0);
	T_STREQ(f.req.method, "POST");
	T_STREQ(f.req.request_uri, "/sessions?a=1&b=%2F?c");
	/* Split at the first '?': the query keeps any later one. */
	T_STREQ(f.req.path, "/sessions");
	T_STREQ(f.req.query, "a=1&b=%2F?c");
	T_STREQ(f.req.content_type, "application/json; charset=utf-8");
	T_STREQ(f.req.authorization, "Basic dXNlcjpwYXNz");
	T_STREQ(f.req.signature, "abc=");
	T_CHECK(f.req.content_length == -1);
	T_CHECK(f.req.body_err == ERR_OK && f.req.body.len == 0);
	T_CHECK(!f.conn.answered);
	T_STREQ(http_param(&f.conn, "REQUEST_METHOD"), "POST");
	T_CHECK(http_param(&f.conn, "REQUEST") == NULL);
	T_CHECK(http_param(&f.conn, "HTTP_COOKIE") == NULL);
	http_req_free(&f.req);

	/* REQUEST_URI without '?': no query, whatever QUERY_STRING says. */
	fake_read(&f, bare, NULL, 0, 0);
	T_STREQ(f.req.path, "/inbound-call");
	T_STREQ(f.req.query, "");
	http_req_free(&f.req);

	/* Nothing at all: a GET of "", every header absent. */
	fake_read(&f, none, NULL, 0, 0);
	T_STREQ(f.req.method, "GET");
	T_STREQ(f.req.path, "");
	T_STREQ(f.req.query, "");
	T_STREQ(f.req.content_type, "");
	T_CHECK(f.req.request_uri == NULL);
	T_CHECK(f.req.authorization == NULL && f.req.signature == NULL);
	http_req_free(&f.req);
	http_req_free(NULL);
}

static void
test_no_request_uri(void)
{
	char *env[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/cgi-bin/inbound-call.fcgi", "PATH_INFO=/inbound-call",
	    "QUERY_STRING=tenant=a&b=2", NULL };
	char *empty_uri[] = { "REQUEST_URI=", "SCRIPT_NAME=/post-event.fcgi",
	    NULL };
	char *info_only[] = { "PATH_INFO=/sessions", NULL };
	struct fake f;

	/* Rebuilt from SCRIPT_NAME and PATH_INFO; the query from QUERY_STRING. */
	fake_read(&f, env, NULL, 0, 0);
	T_CHECK(f.req.request_uri == NULL);
	T_STREQ(f.req.path, "/cgi-bin/inbound-call.fcgi/inbound-call");
	T_STREQ(f.req.query, "tenant=a&b=2");
	http_req_free(&f.req);

	/* An empty REQUEST_URI counts as absent (and stays what was sent). */
	fake_read(&f, empty_uri, NULL, 0, 0);
	T_STREQ(f.req.request_uri, "");
	T_STREQ(f.req.path, "/post-event.fcgi");
	T_STREQ(f.req.query, "");
	http_req_free(&f.req);

	fake_read(&f, info_only, NULL, 0, 0);
	T_STREQ(f.req.path, "/sessions");
	http_req_free(&f.req);
}

static void
test_path_truncation(void)
{
	static char	 uri[2100], script[1500], info[1500];
	char		*env[] = { uri, NULL };
	char		*cgi[] = { script, info, NULL };
	struct fake	 f;
	size_t		 max = sizeof(f.req.path) - 1, i;

	/* A path longer than req.path: cut to fit, NUL-terminated. */
	strcpy(uri, "REQUEST_URI=/");
	memset(uri + 13, 'a', 2000);
	strcpy(uri + 2013, "?q=1");
	fake_read(&f, env, NULL, 0, 0);
	T_CHECK(strlen(f.req.path) == max);
	T_CHECK(f.req.path[0] == '/');
	for (i = 1; i < max && f.req.path[i] == 'a'; i++)
		;
	T_CHECK(i == max);
	T_STREQ(f.req.query, "q=1");
	T_CHECK(strlen(f.req.request_uri) == 2005);
	http_req_free(&f.req);

	/* Exactly what fits is kept whole. */
	memset(uri, 0, sizeof(uri));
	strcpy(uri, "REQUEST_URI=/");
	memset(uri + 13, 'b', max - 1);
	fake_read(&f, env, NULL, 0, 0);
	T_CHECK(strlen(f.req.path) == max);
	T_STREQ(f.req.query, "");
	http_req_free(&f.req);

	/* SCRIPT_NAME + PATH_INFO too long: cut as well. */
	strcpy(script, "SCRIPT_NAME=/");
	memset(script + 13, 's', 1400);
	strcpy(info, "PATH_INFO=/");
	memset(info + 11, 'i', 1400);
	fake_read(&f, cgi, NULL, 0, 0);
	T_CHECK(strlen(f.req.path) == max);
	T_CHECK(strncmp(f.req.path, script + 12, max) == 0);
	http_req_free(&f.req);
}

static void
test_content_length(void)
{
	char *five[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=5", NULL };
	char *three[] = { "CONTENT_LENGTH=3", NULL };
	char *absent[] = { "REQUEST_METHOD=POST", NULL };
	char *emptycl[] = { "CONTENT_LENGTH=", NULL };
	char *zero[] = { "CONTENT_LENGTH=0", NULL };
	char *negative[] = { "CONTENT_LENGTH=-1", NULL };
	char *letters[] = { "CONTENT_LENGTH=abc", NULL };
	char *trailing[] = { "CONTENT_LENGTH=12a", NULL };
	char *blank[] = { "CONTENT_LENGTH=5 ", NULL };
	char *huge[] = { "CONTENT_LENGTH=99999999999999999999999", NULL };
	char *ten[] = { "CONTENT_LENGTH=10", NULL };
	char *leading[] = { "CONTENT_LENGTH= 5", NULL };
	char *plus[] = { "CONTENT_LENGTH=+5", NULL };
	struct fake f;

	/* Good: exactly that many bytes, in one piece or byte by byte. */
	fake_read(&f, five, "hello", 5, 0);
	T_CHECK(f.req.body_err == ERR_OK && f.req.content_length == 5);
	T_STREQ(buf_str(&f.req.body), "hello");
	http_req_free(&f.req);
	fake_read(&f, five, "hello", 5, 1);
	T_CHECK(f.req.body_err == ERR_OK);
	T_STREQ(buf_str(&f.req.body), "hello");
	http_req_free(&f.req);

	/* Only Content-Length bytes are read of a longer body. */
	fake_read(&f, three, "hello", 5, 0);
	T_CHECK(f.req.body_err == ERR_OK && f.req.body.len == 3);
	T_STREQ(buf_str(&f.req.body), "hel");
	T_CHECK(f.off == 3 || f.in.rdNext - (unsigned char *)f.body == 3);
	http_req_free(&f.req);

	/* Absent (or empty): FastCGI reads the body to its end. */
	fake_read(&f, absent, "a=1&b=2", 7, 2);
	T_CHECK(f.req.body_err == ERR_OK && f.req.content_length == -1);
	T_STREQ(buf_str(&f.req.body), "a=1&b=2");
	http_req_free(&f.req);
	fake_read(&f, emptycl, "xyz", 3, 0);
	T_CHECK(f.req.body_err == ERR_OK && f.req.content_length == -1);
	T_STREQ(buf_str(&f.req.body), "xyz");
	http_req_free(&f.req);
	fake_read(&f, zero, "xyz", 3, 0);
	T_CHECK(f.req.body_err == ERR_OK && f.req.content_length == 0 &&
	    f.req.body.len == 0);
	http_req_free(&f.req);

	/* Not a number: ERR_INVAL, nothing read. */
	fake_read(&f, negative, "abc", 3, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.content_length == 0 &&
	    f.req.body.len == 0);
	http_req_free(&f.req);
	fake_read(&f, letters, "abc", 3, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);
	fake_read(&f, trailing, "abc", 3, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);
	fake_read(&f, blank, "abcde", 5, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);
	fake_read(&f, huge, "abc", 3, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);
	/* Digits only, as HTTP writes it: strtol() alone took these. */
	fake_read(&f, leading, "hello", 5, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);
	fake_read(&f, plus, "hello", 5, 0);
	T_CHECK(f.req.body_err == ERR_INVAL && f.req.body.len == 0);
	http_req_free(&f.req);

	/* Longer than the body: ERR_PARSE, with what there was. */
	fake_read(&f, ten, "abc", 3, 0);
	T_CHECK(f.req.body_err == ERR_PARSE && f.req.content_length == 10);
	T_STREQ(buf_str(&f.req.body), "abc");
	http_req_free(&f.req);
	fake_read(&f, ten, NULL, 0, 0);
	T_CHECK(f.req.body_err == ERR_PARSE && f.req.body.len == 0);
	http_req_free(&f.req);
}

static void
test_body_max(void)
{
	static char	 big[HTTP_BODY_MAX + 2];
	char		 cl[64];
	char		*env[] = { cl, NULL };
	char		*absent[] = { NULL };
	struct fake	 f;

	memset(big, 'x', sizeof(big));

	/* HTTP_BODY_MAX is allowed... */
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%d", HTTP_BODY_MAX);
	fake_read(&f, env, big, HTTP_BODY_MAX, 1000);
	T_CHECK(f.req.body_err == ERR_OK && f.req.body.len == HTTP_BODY_MAX);
	http_req_free(&f.req);

	/* ...one more is refused before a byte is read. */
	snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%d", HTTP_BODY_MAX + 1);
	fake_read(&f, env, big, HTTP_BODY_MAX + 1, 0);
	T_CHECK(f.req.body_err == ERR_TOOBIG && f.req.body.len == 0);
	T_CHECK(f.off == 0);
	http_req_free(&f.req);

	/* Without a length: read up to the limit, then refused. */
	fake_read(&f, absent, big, HTTP_BODY_MAX, 0);
	T_CHECK(f.req.body_err == ERR_OK && f.req.body.len == HTTP_BODY_MAX);
	http_req_free(&f.req);
	fake_read(&f, absent, big, HTTP_BODY_MAX + 1, 0);
	T_CHECK(f.req.body_err == ERR_TOOBIG);
	T_CHECK(f.req.body.len <= HTTP_BODY_MAX);
	http_req_free(&f.req);
}

static void
test_reply(void)
{
	char		*env[] = { "REQUEST_METHOD=POST", NULL };
	struct fake	 f;
	const char	*out;

	fake_read(&f, env, NULL, 0, 0);
	http_reply(&f.conn, 201, "application/json", "Allow: POST\r\nX-A: b\r\n",
	    "{\"a\":1}", 7);
	T_CHECK(f.conn.answered);
	/* Only the first call has any effect. */
	http_reply(&f.conn, 500, "text/plain", NULL, "again", 5);
	T_CHECK(http_reply_error(&f.conn, 400, "bad", "again", NULL, NULL) ==
	    ERR_INVAL);
	out = fake_out(&f);
	T_STREQ(out, "Status: 201 Created\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 7\r\n"
	    "Cache-Control: no-store\r\n"
	    "Allow: POST\r\nX-A: b\r\n"
	    "\r\n"
	    "{\"a\":1}");
	http_req_free(&f.req);

	/* No extra headers; the body may hold any byte, NUL included. */
	fake_read(&f, env, NULL, 0, 0);
	http_reply(&f.conn, 200, "text/plain; charset=utf-8", NULL, "a\0b", 3);
	out = fake_out(&f);
	T_CHECK(f.out_len == strlen(out) + 2);
	T_STREQ(out, "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 3\r\n"
	    "Cache-Control: no-store\r\n\r\na");
	T_CHECK(memcmp(out + f.out_len - 3, "a\0b", 3) == 0);
	http_req_free(&f.req);

	/* The next request on the same conn may be answered again. */
	http_read(&f.conn, &f.req);
	T_CHECK(!f.conn.answered);
	http_reply(&f.conn, 204, "text/plain", NULL, "", 0);
	T_CHECK(f.conn.answered);
	http_req_free(&f.req);
}

static void
test_reply_error(void)
{
	char		*env[] = { NULL };
	struct fake	 f;
	json_object	*j;

	fake_read(&f, env, NULL, 0, 0);
	T_CHECK(http_reply_error(&f.conn, 400, "invalid_request",
	    "addresses[1]: not \"E.164\" (see /docs)", "addresses", NULL) ==
	    ERR_OK);
	T_STREQ(fake_out(&f), "Status: 400 Bad Request\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 99\r\n"
	    "Cache-Control: no-store\r\n\r\n"
	    "{\"error\":\"invalid_request\",\"message\":\"addresses[1]: not "
	    "\\\"E.164\\\" (see /docs)\",\"field\":\"addresses\"}");
	http_req_free(&f.req);

	/* Without a field there is no "field". */
	fake_read(&f, env, NULL, 0, 0);
	http_reply_error(&f.conn, 503, "not_configured", "see the log", NULL,
	    NULL);
	T_STREQ(fake_out(&f), "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 50\r\n"
	    "Cache-Control: no-store\r\n\r\n"
	    "{\"error\":\"not_configured\",\"message\":\"see the log\"}");
	http_req_free(&f.req);

	/* http_reply_json: the object as it is, headers passed on. */
	fake_read(&f, env, NULL, 0, 0);
	j = json_object_new_object();
	json_object_object_add(j, "sid", json_object_new_string("CH1"));
	json_object_object_add(j, "n", json_object_new_int(2));
	T_CHECK(http_reply_json(&f.conn, 401, j, "WWW-Authenticate: Basic\r\n")
	    == ERR_OK);
	json_object_put(j);
	T_STREQ(fake_out(&f), "Status: 401 Unauthorized\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 19\r\n"
	    "Cache-Control: no-store\r\n"
	    "WWW-Authenticate: Basic\r\n\r\n"
	    "{\"sid\":\"CH1\",\"n\":2}");
	http_req_free(&f.req);

	/* http_reply_error with headers: the 405 the programs send. */
	fake_read(&f, env, NULL, 0, 0);
	http_reply_error(&f.conn, 405, "method_not_allowed",
	    "only POST is served here", NULL, "Allow: POST\r\n");
	T_STREQ(fake_out(&f), "Status: 405 Method Not Allowed\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 67\r\n"
	    "Cache-Control: no-store\r\n"
	    "Allow: POST\r\n\r\n"
	    "{\"error\":\"method_not_allowed\",\"message\":\"only POST is "
	    "served here\"}");
	http_req_free(&f.req);
}

static void
test_reply_too_long(void)
{
	static char	 headers[2100];
	char		*env[] = { NULL };
	struct fake	 f;

	/* A head over its 2 KiB: nothing sent, the request still unanswered. */
	memset(headers, 'h', sizeof(headers) - 3);
	memcpy(headers + sizeof(headers) - 3, "\r\n", 3);
	fake_read(&f, env, NULL, 0, 0);
	T_CHECK(http_reply(&f.conn, 200, "text/plain", headers, "x", 1) ==
	    ERR_TOOBIG);
	T_CHECK(!f.conn.answered);
	T_STREQ(fake_out(&f), "");
	T_CHECK(http_reply(&f.conn, 500, "text/plain", NULL, "x", 1) == ERR_OK);
	T_CHECK(f.conn.answered);
	http_req_free(&f.req);
}

static void
test_reason(void)
{
	T_STREQ(http_reason(200), "OK");
	T_STREQ(http_reason(201), "Created");
	T_STREQ(http_reason(204), "No Content");
	T_STREQ(http_reason(400), "Bad Request");
	T_STREQ(http_reason(401), "Unauthorized");
	T_STREQ(http_reason(403), "Forbidden");
	T_STREQ(http_reason(404), "Not Found");
	T_STREQ(http_reason(405), "Method Not Allowed");
	T_STREQ(http_reason(409), "Conflict");
	T_STREQ(http_reason(411), "Length Required");
	T_STREQ(http_reason(413), "Payload Too Large");
	T_STREQ(http_reason(415), "Unsupported Media Type");
	T_STREQ(http_reason(429), "Too Many Requests");
	T_STREQ(http_reason(500), "Internal Server Error");
	T_STREQ(http_reason(502), "Bad Gateway");
	T_STREQ(http_reason(503), "Service Unavailable");
	T_STREQ(http_reason(504), "Gateway Timeout");
	T_STREQ(http_reason(422), "Unprocessable Content");
	/* Twilio's other statuses, passed through: their class. */
	T_STREQ(http_reason(418), "Client Error");
	T_STREQ(http_reason(599), "Server Error");
	T_STREQ(http_reason(0), "Unknown");
	T_STREQ(http_reason(-200), "Unknown");
	T_STREQ(http_reason(1000), "Server Error");
}

int
main(void)
{
	T_RUN(test_split);
	T_RUN(test_no_request_uri);
	T_RUN(test_path_truncation);
	T_RUN(test_content_length);
	T_RUN(test_body_max);
	T_RUN(test_reply);
	T_RUN(test_reply_error);
	T_RUN(test_reply_too_long);
	T_RUN(test_reason);
	T_END();
}
