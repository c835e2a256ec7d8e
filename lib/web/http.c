#include <sys/ioctl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web/http.h"

extern char **environ;

enum err
http_init(struct http_conn *conn, int listen_fd)
{
	memset(conn, 0, sizeof(*conn));
	if (FCGX_Init() != 0)
		return ERR_SYS;
	/* FCGX_IsCGI() tells whether fd 0 is a listening socket. */
	if (listen_fd == 0 && FCGX_IsCGI()) {
		conn->cgi = true;
		return ERR_OK;
	}
	if (FCGX_InitRequest(&conn->fcgi, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		return ERR_SYS;
	return ERR_OK;
}

void
http_free(struct http_conn *conn)
{
	if (!conn->cgi)
		FCGX_Free(&conn->fcgi, 0);
}

const char *
http_param(const struct http_conn *conn, const char *name)
{
	if (conn->cgi)
		return getenv(name);
	return FCGX_GetParam(name, conn->fcgi.envp);
}

static const char *
param_or(const struct http_conn *conn, const char *name, const char *def)
{
	const char *v = http_param(conn, name);

	return v != NULL ? v : def;
}

/* Reads the body: exactly Content-Length bytes, or to the end when not given. */
static void
read_body(struct http_conn *conn, struct http_req *req)
{
	char	 chunk[8192];
	size_t	 want;
	int	 n;

	if (req->content_length > HTTP_BODY_MAX) {
		req->body_err = ERR_TOOBIG;
		return;
	}
	for (;;) {
		want = sizeof(chunk);
		if (req->content_length >= 0) {
			if (req->body.len >= (size_t)req->content_length)
				break;
			if ((size_t)req->content_length - req->body.len < want)
				want = (size_t)req->content_length - req->body.len;
		}
		if (conn->cgi) {
			n = (int)fread(chunk, 1, want, stdin);
			if (n == 0 && ferror(stdin)) {
				req->body_err = ERR_SYS;
				return;
			}
		} else
			n = FCGX_GetStr(chunk, (int)want, conn->fcgi.in);
		if (n <= 0)
			break;
		if (buf_append(&req->body, chunk, (size_t)n) != ERR_OK) {
			req->body_err = ERR_TOOBIG;
			return;
		}
	}
	if (req->content_length >= 0 && req->body.len < (size_t)req->content_length)
		req->body_err = ERR_PARSE;
}

enum err
http_wait(struct http_conn *conn)
{
	if (conn->cgi) {
		if (conn->cgi_served)
			return ERR_NOTFOUND;
		conn->cgi_served = true;
	} else if (FCGX_Accept_r(&conn->fcgi) < 0)
		return ERR_SYS;
	return ERR_OK;
}

void
http_read(struct http_conn *conn, struct http_req *req)
{
	const char	*cl, *q;
	char		*end;
	size_t		 n;

	memset(req, 0, sizeof(*req));
	buf_init(&req->body, HTTP_BODY_MAX);
	conn->answered = false;
	req->method = param_or(conn, "REQUEST_METHOD", "GET");
	req->content_type = param_or(conn, "CONTENT_TYPE", "");
	req->authorization = http_param(conn, "HTTP_AUTHORIZATION");
	req->signature = http_param(conn, "HTTP_X_TWILIO_SIGNATURE");
	/*
	 * REQUEST_URI is what the client sent, which the signature covers;
	 * servers that lack it (rare CGI hosts) get it rebuilt.
	 */
	req->request_uri = http_param(conn, "REQUEST_URI");
	req->query = param_or(conn, "QUERY_STRING", "");
	if (req->request_uri != NULL && *req->request_uri != '\0') {
		q = strchr(req->request_uri, '?');
		n = q != NULL ? (size_t)(q - req->request_uri) :
		    strlen(req->request_uri);
		if (n >= sizeof(req->path))
			n = sizeof(req->path) - 1;
		memcpy(req->path, req->request_uri, n);
		req->path[n] = '\0';
		req->query = q != NULL ? q + 1 : "";
	} else
		snprintf(req->path, sizeof(req->path), "%s%s",
		    param_or(conn, "SCRIPT_NAME", ""),
		    param_or(conn, "PATH_INFO", ""));

	req->content_length = -1;
	if ((cl = http_param(conn, "CONTENT_LENGTH")) != NULL && *cl != '\0') {
		errno = 0;
		req->content_length = strtol(cl, &end, 10);
		/* Digits only: strtol() would also take " 5" and "+5". */
		if (errno != 0 || *end != '\0' || req->content_length < 0 ||
		    cl[strspn(cl, "0123456789")] != '\0') {
			req->content_length = 0;
			req->body_err = ERR_INVAL;
		}
	} else if (conn->cgi && http_param(conn, "HTTP_TRANSFER_ENCODING") == NULL)
		/*
		 * CGI without a length has no body, except a chunked one,
		 * which Apache's mod_cgi streams on stdin with no
		 * CONTENT_LENGTH: that is read to its end (within the limit).
		 */
		req->content_length = 0;
	if (req->body_err == ERR_OK)
		read_body(conn, req);
}

void
http_req_free(struct http_req *req)
{
	if (req == NULL)
		return;
	buf_free(&req->body);
}

/* Whether fd's receive queue is empty (a close then sends no reset). */
static bool
nothing_to_read(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n == 0;
}

void
http_finish(struct http_conn *conn, struct http_req *req)
{
	if (conn->cgi)
		fflush(stdout);
	else {
		/*
		 * libfcgi closes with a lingering close: shutdown, then wait
		 * up to 2 s for the web server to hang up, reading what it
		 * still sends, so that unread input cannot make the kernel
		 * reset the connection under the answer. With nothing left
		 * to read (the whole request was read, the usual case) a
		 * plain close ends the connection as cleanly, and the thread
		 * does not sleep until the web server gets round to it.
		 */
		if (conn->fcgi.ipcFd > 0 && !conn->fcgi.keepConnection &&
		    nothing_to_read(conn->fcgi.ipcFd))
			FCGX_Detach(&conn->fcgi);
		FCGX_Finish_r(&conn->fcgi);
	}
	http_req_free(req);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" :
	    "Unknown";
}

enum err
http_reply(struct http_conn *conn, int status, const char *ctype,
    const char *headers, const char *body, size_t len)
{
	char	 head[2048];
	int	 n;

	if (conn->answered)
		return ERR_INVAL;
	/* No Content-Type for an answer that has no body (a 204). */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n%s%s%s"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n%s\r\n",
	    status, http_reason(status), ctype != NULL ? "Content-Type: " : "",
	    ctype != NULL ? ctype : "", ctype != NULL ? "\r\n" : "", len,
	    headers != NULL ? headers : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return ERR_TOOBIG;
	conn->answered = true;
	if (conn->cgi) {
		if (fwrite(head, 1, (size_t)n, stdout) != (size_t)n ||
		    fwrite(body, 1, len, stdout) != len)
			return ERR_SYS;
	} else if (FCGX_PutStr(head, n, conn->fcgi.out) != n ||
	    FCGX_PutStr(body, (int)len, conn->fcgi.out) != (int)len)
		return ERR_SYS;
	return ERR_OK;
}

enum err
http_reply_json(struct http_conn *conn, int status, json_object *j,
    const char *headers)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL)
		return ERR_NOMEM;
	return http_reply(conn, status, "application/json", headers, s, len);
}

enum err
http_reply_error(struct http_conn *conn, int status, const char *code,
    const char *message, const char *field, const char *headers)
{
	json_object	*j;
	enum err	 e;

	if ((j = json_object_new_object()) == NULL)
		return ERR_NOMEM;
	json_object_object_add(j, "error", json_object_new_string(code));
	json_object_object_add(j, "message", json_object_new_string(message));
	if (field != NULL)
		json_object_object_add(j, "field", json_object_new_string(field));
	e = http_reply_json(conn, status, j, headers);
	json_object_put(j);
	return e;
}
