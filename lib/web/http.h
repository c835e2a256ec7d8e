/*
 * http: one request and its answer, over FastCGI (libfcgi) or plain CGI.
 *
 * The programs see the same struct http_req either way; under CGI the
 * parameters come from the environment and the body from standard input, and
 * http_accept() yields exactly one request.
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
 * Prepares conn to serve on listen_fd (0: the socket handed over on fd 0, or
 * CGI when fd 0 is not a socket). Returns -1 if libfcgi cannot be set up.
 */
int		 http_init(struct http_conn *conn, int listen_fd);
/* Frees what http_init() set up; conn may be reused after http_init(). */
void		 http_free(struct http_conn *conn);
/*
 * Waits for the next request and reads it into req (which it initialises:
 * free with http_req_free()). Returns 0, or -1 when there will be no more
 * (the CGI request was served, or the listening socket failed).
 */
int		 http_accept(struct http_conn *conn, struct http_req *req);
/*
 * The first half of http_accept(): waits for the next request, without
 * reading it (http_read() does). Returns 0, or -1 as http_accept() does,
 * also when a signal interrupted the wait.
 */
int		 http_wait(struct http_conn *conn);
/*
 * Reads the request that conn holds now into req (which it initialises:
 * free with http_req_free()): what http_accept() does once a request has
 * come. Exported for the fuzz targets and unit tests, which set up conn's
 * FastCGI parameters and streams themselves.
 */
void		 http_read(struct http_conn *conn, struct http_req *req);
/* Ends the current request: flushes the answer; then frees req. */
void		 http_finish(struct http_conn *conn, struct http_req *req);
void		 http_req_free(struct http_req *req);
/* A server parameter (CGI variable) of the current request, or NULL. */
const char	*http_param(const struct http_conn *conn, const char *name);

/*
 * Sends the answer: status, Content-Type, extra header lines (each ending in
 * "\r\n"; may be NULL), and len bytes of body. Only the first call per
 * request has any effect.
 */
void		 http_reply(struct http_conn *conn, int status, const char *ctype,
		    const char *headers, const char *body, size_t len);
/* Sends j as the JSON body of the answer; j is borrowed. */
void		 http_reply_json(struct http_conn *conn, int status,
		    json_object *j, const char *headers);
/*
 * Sends {"error": code, "message": message} plus, when field is not NULL,
 * "field": field.
 */
void		 http_reply_error(struct http_conn *conn, int status,
		    const char *code, const char *message, const char *field);
/* The reason phrase of an HTTP status. */
const char	*http_reason(int status);

#endif
