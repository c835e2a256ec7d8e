/*
 * fuzz_http: http_read() on any FastCGI parameters and body (the input
 * format of fcgimem.h; "!LEN" sets CONTENT_LENGTH to the body's length,
 * "!CHUNK N" hands the body over N bytes at a time),
 * then the answer functions: whatever came, the request is within its
 * limits and says what it got, and the answer is one whole answer, sent
 * once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fcgimem.h"
#include "web/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What http_read() made of the parameters and body in. */
static void
check_request(const struct fm_input *in, const struct http_req *req)
{
	const char	*uri = fm_param(in, "REQUEST_URI"), *q;
	char		 want[sizeof(req->path)];
	size_t		 n;

	if (req->method == NULL || req->content_type == NULL ||
	    req->query == NULL)
		abort();
	if (memchr(req->path, '\0', sizeof(req->path)) == NULL)
		abort();
	if (req->body.len > HTTP_BODY_MAX || req->body.len > in->bodylen ||
	    (req->body.len > 0 && memcmp(buf_str(&req->body), in->body,
	    req->body.len) != 0))
		abort();
	switch (req->body_err) {
	case ERR_OK:
		/* All of it: the length given, or to the end. */
		if (req->content_length >= 0 ?
		    req->body.len != (size_t)req->content_length :
		    req->body.len != in->bodylen)
			abort();
		break;
	case ERR_TOOBIG:
		if (req->content_length <= HTTP_BODY_MAX &&
		    in->bodylen <= HTTP_BODY_MAX)
			abort();
		break;
	case ERR_INVAL:
		if (req->body.len != 0)
			abort();
		break;
	case ERR_PARSE:
		if (req->content_length < 0 ||
		    req->body.len >= (size_t)req->content_length)
			abort();
		break;
	default:
		abort();	/* ERR_SYS is plain CGI's only */
	}
	if (uri != NULL && *uri != '\0') {
		/* The path is the URI's up to '?', cut to fit; the query after. */
		q = strchr(uri, '?');
		n = q != NULL ? (size_t)(q - uri) : strlen(uri);
		if (n >= sizeof(req->path))
			n = sizeof(req->path) - 1;
		if (strlen(req->path) != n || strncmp(req->path, uri, n) != 0)
			abort();
		if (strcmp(req->query, q != NULL ? q + 1 : "") != 0)
			abort();
	} else {
		/* Rebuilt from the script and the path info, cut to fit. */
		snprintf(want, sizeof(want), "%s%s", (q = fm_param(in,
		    "SCRIPT_NAME")) != NULL ? q : "", (uri = fm_param(in,
		    "PATH_INFO")) != NULL ? uri : "");
		if (strcmp(req->path, want) != 0)
			abort();
		if (strcmp(req->query, (q = fm_param(in, "QUERY_STRING")) !=
		    NULL ? q : "") != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fm_input		 in;
	struct fm_reader	 r;
	struct fm_writer	 w;
	struct http_conn	 conn;
	struct http_req		 req;
	const char		*body, *ctype;
	json_object		*j, *v;
	size_t			 len, before;
	int			 status;

	if (fm_parse(&in, data, size) != 0) {
		fm_free(&in);
		return 0;
	}
	fm_connect(&in, &r, &w, &conn);

	http_read(&conn, &req);
	check_request(&in, &req);
	if (http_param(&conn, "REQUEST_METHOD") != fm_param(&in,
	    "REQUEST_METHOD") || conn.answered)
		abort();

	/* An error answer carrying what came: whole, JSON, sent once. */
	status = 100 + (int)(size % 500);
	if (http_reply_error(&conn, status, req.query, req.path,
	    req.body_err == ERR_OK ? req.content_type : NULL, NULL) != ERR_OK)
		abort();
	fm_writer_flush(&w);
	if (!conn.answered ||
	    fm_check_answer(&w, &body, &len, &ctype) != status ||
	    strncmp(ctype, "application/json\r\n", 18) != 0)
		abort();
	if ((j = json_tokener_parse(body)) == NULL ||
	    !json_object_object_get_ex(j, "error", &v) ||
	    strcmp(json_object_get_string(v), req.query) != 0 ||
	    !json_object_object_get_ex(j, "message", &v) ||
	    strcmp(json_object_get_string(v), req.path) != 0 ||
	    json_object_object_get_ex(j, "field", &v) !=
	    (req.body_err == ERR_OK))
		abort();
	json_object_put(j);
	before = w.len;
	if (http_reply(&conn, 200, "text/plain", NULL, "again", 5) != ERR_INVAL ||
	    http_reply_error(&conn, 500, "again", "again", NULL, NULL) !=
	    ERR_INVAL)
		abort();
	fm_writer_flush(&w);
	if (w.len != before)
		abort();

	http_req_free(&req);
	fm_writer_free(&w);
	fm_free(&in);
	return 0;
}
