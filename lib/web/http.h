/*
 * http: one request and its answer, over FastCGI (libfcgi) or plain CGI.
 *
 * The programs see the same struct http_req either way; under CGI the
 * parameters come from the environment and the body from standard input, and
 * http_wait() yields exactly one request. The module sends the answers it
 * is given and chooses none itself: not even when a request went
 * unanswered (the caller's answer functions, in cgi/, do).
 *
 * A request's life: http_wait(), http_read(), one http_reply*(),
 * http_finish().
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/buf.h"

#define HTTP_BODY_MAX	(64 * 1024)

struct http_conn {
	FCGX_Request	 fcgi;
	bool		 cgi;		/* serving one request as plain CGI */
	bool		 cgi_served;
	bool		 answered;	/* http_reply() ran for this request */
};

struct http_req {
	/* Borrowed from the server's parameters, valid until the next accept. */
	const char	*method;
	const char	*request_uri;	/* as sent, query string included */
	const char	*query;		/* without '?', "" when none */
	const char	*content_type;
	const char	*authorization;
	const char	*signature;	/* X-Twilio-Signature */
	char		 path[1024];	/* request_uri's path, without the query */
	long		 content_length;	/* -1 when not given */
	struct buf	 body;		/* at most HTTP_BODY_MAX bytes */
	/*
	 * Why the body could not be read: ERR_TOOBIG (over HTTP_BODY_MAX),
	 * ERR_INVAL (Content-Length not a number), ERR_PARSE (shorter than
	 * its Content-Length), ERR_SYS; the body is then empty or partial.
	 */
	enum err	 body_err;
};

/*
 * Prepares conn (the caller's, overwritten) to serve on listen_fd (0: the
 * socket handed over on fd 0, or plain CGI when fd 0 is not a socket).
 * Returns ERR_OK, or ERR_SYS if libfcgi cannot be set up. Free what it set
 * up with http_free().
 */
enum err	 http_init(struct http_conn *conn, int listen_fd);
/* Frees what http_init() set up; conn may be reused after http_init(). */
void		 http_free(struct http_conn *conn);
/*
 * Waits for the next request, without reading it (http_read() does).
 * Returns ERR_OK when one has come; ERR_NOTFOUND when there will be no
 * more (the one CGI request was served); ERR_SYS when the wait failed or a
 * signal interrupted it (FCGI_FAIL_ACCEPT_ON_INTR): no more either.
 */
enum err	 http_wait(struct http_conn *conn);
/*
 * Reads the request that conn holds now into req (the caller's, which it
 * initialises: free with http_req_free(), or with http_finish()). Never
 * fails: what could not be read is in req->body_err. Exported for the
 * server's accept loop, and for the fuzz targets and unit tests, which set
 * up conn's FastCGI parameters and streams themselves.
 */
void		 http_read(struct http_conn *conn, struct http_req *req);
/*
 * Ends the current request: flushes the answer and frees req. It answers
 * nothing itself: a request that is not answered by then gets an empty
 * reply from the web server, so the caller answers first (conn->answered
 * says whether it did).
 */
void		 http_finish(struct http_conn *conn, struct http_req *req);
/* Frees what http_read() allocated in req; NULL is allowed. */
void		 http_req_free(struct http_req *req);
/*
 * A server parameter (CGI variable) of the current request, or NULL.
 * Borrowed, valid until the next request.
 */
const char	*http_param(const struct http_conn *conn, const char *name);

/*
 * Sends the answer: status, Content-Type (NULL: none, for an answer with
 * no body such as a 204), extra header lines (each ending in
 * "\r\n"; may be NULL), and len bytes of body, all borrowed. Only the first
 * answer sent per request has any effect: a later call returns ERR_INVAL
 * and sends nothing. ERR_TOOBIG when the head (status line and headers)
 * is over 2 KiB, ERR_SYS when it cannot be written; after either the
 * request counts as not answered unless something was written.
 */
enum err	 http_reply(struct http_conn *conn, int status,
		    const char *ctype, const char *headers, const char *body,
		    size_t len);
/*
 * Sends j (borrowed) as the JSON body of the answer, with http_reply()'s
 * headers and results; ERR_NOMEM when j cannot be serialised, and then
 * nothing is sent: the caller chooses what to answer instead.
 */
enum err	 http_reply_json(struct http_conn *conn, int status,
		    json_object *j, const char *headers);
/*
 * Sends {"error": code, "message": message} plus, when field is not NULL,
 * "field": field, with the extra header lines headers (may be NULL); all
 * borrowed. Returns as http_reply_json() does.
 */
enum err	 http_reply_error(struct http_conn *conn, int status,
		    const char *code, const char *message, const char *field,
		    const char *headers);
/*
 * The reason phrase of an HTTP status, static. Exported for the unit
 * tests; http_reply() writes it.
 */
const char	*http_reason(int status);

#endif
