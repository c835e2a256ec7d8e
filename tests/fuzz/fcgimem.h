/*
 * fcgimem.h: a FastCGI request held in memory, for the fuzz targets that
 * call http_read() and the programs' handlers without a web server:
 * libfcgi's streams over byte arrays, and an input split into parameters,
 * directives, body and the rest. Everything here is static: each target
 * includes it once.
 *
 * An input reads
 *
 *	NAME=value	a FastCGI parameter, one a line (REQUEST_METHOD,
 *	...		REQUEST_URI, CONTENT_LENGTH, HTTP_AUTHORIZATION...)
 *	!WORD [arg]	a directive to the target (each target lists its own)
 *	(empty line)
 *	the body, up to the first FM_SEP (or the end of the input);
 *			"!PAD N" adds N bytes of 'a' to it
 *	FM_SEP		then the rest, which the target reads (Twilio's answers)
 *
 * A line's bytes are kept as they are ('\r', NUL and all): libfcgi hands
 * the programs whatever the web server sent.
 */
#ifndef FCGIMEM_H
#define FCGIMEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "web/http.h"

#define FM_SEP		"\n%%\n"
#define FM_MAXPARAMS	64
#define FM_MAXDIRS	16
#define FM_MAXEXTRA	8
#define FM_PADMAX	(200 * 1024)
#define FM_OUTMAX	(8 * 1024 * 1024)	/* an answer longer is a bug */

/* The reader: hands out the body chunk bytes at a time, then closes. */
struct fm_reader {
	FCGX_Stream		 s;
	const unsigned char	*p;
	size_t			 len, off, chunk;	/* chunk 0: all at once */
};

/* The writer: a small window that libfcgi fills, emptied into data. */
struct fm_writer {
	FCGX_Stream		 s;
	unsigned char		 win[256];
	char			*data;		/* what was written, NUL-terminated */
	size_t			 len, cap;
};

struct fm_input {
	char		*text;		/* the input, lines cut in place */
	char		*envp[FM_MAXEXTRA + FM_MAXPARAMS + 1];
	size_t		 nenv;
	char		*extra[FM_MAXEXTRA];	/* parameters the target added */
	size_t		 nextra;
	const char	*dirs[FM_MAXDIRS];	/* "WORD arg", without the '!' */
	size_t		 ndirs;
	char		*body;		/* its own allocation, exactly bodylen */
	size_t		 bodylen;
	const char	*rest;
	size_t		 restlen;
};

static void
fm_fill(FCGX_Stream *s)
{
	struct fm_reader	*r = s->data;
	size_t			 n = r->len - r->off;

	if (n == 0) {
		/* libfcgi reads on until isClosed with rdNext == stop. */
		s->isClosed = 1;
		s->rdNext = s->stop = s->stopUnget = (unsigned char *)r->p + r->off;
		return;
	}
	if (r->chunk != 0 && n > r->chunk)
		n = r->chunk;
	s->rdNext = s->stopUnget = (unsigned char *)r->p + r->off;
	s->stop = s->rdNext + n;
	r->off += n;
}

static void
fm_empty(FCGX_Stream *s, int doClose)
{
	struct fm_writer	*w = s->data;
	size_t			 n = (size_t)(s->wrNext - w->win);
	char			*d;

	(void)doClose;
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		if (w->cap > FM_OUTMAX || (d = realloc(w->data, w->cap)) == NULL)
			abort();
		w->data = d;
	}
	memcpy(w->data + w->len, w->win, n);
	w->len += n;
	w->data[w->len] = '\0';
	s->wrNext = w->win;
	s->stop = w->win + sizeof(w->win);
}

static void
fm_reader_init(struct fm_reader *r, const void *p, size_t len, size_t chunk)
{
	static const unsigned char none[1];

	memset(r, 0, sizeof(*r));
	r->p = p != NULL ? p : none;
	r->len = len;
	r->chunk = chunk;
	r->s.rdNext = r->s.stop = r->s.stopUnget = (unsigned char *)r->p;
	r->s.isReader = 1;
	r->s.fillBuffProc = fm_fill;
	r->s.data = r;
}

static void
fm_writer_init(struct fm_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->s.wrNext = w->win;
	w->s.stop = w->win + sizeof(w->win);
	w->s.emptyBuffProc = fm_empty;
	w->s.data = w;
}

/* Moves what is still in the window to data; data is never NULL after. */
static void
fm_writer_flush(struct fm_writer *w)
{
	fm_empty(&w->s, 0);
}

static void
fm_writer_free(struct fm_writer *w)
{
	free(w->data);
	w->data = NULL;
}

/* Adds parameter "NAME=value" (allocated, taken) ahead of the input's. */
static void
fm_add_param(struct fm_input *in, char *nv)
{
	if (nv == NULL || in->nextra == FM_MAXEXTRA) {
		free(nv);
		return;
	}
	memmove(in->envp + 1, in->envp, (in->nenv + 1) * sizeof(in->envp[0]));
	in->envp[0] = nv;
	in->nenv++;
	in->extra[in->nextra++] = nv;
}

/* The argument of directive word ("" when it has none), or NULL if absent. */
static const char *
fm_directive(const struct fm_input *in, const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < in->ndirs; i++)
		if (strncmp(in->dirs[i], word, n) == 0 &&
		    (in->dirs[i][n] == '\0' || in->dirs[i][n] == ' '))
			return in->dirs[i][n] == ' ' ? in->dirs[i] + n + 1 : "";
	return NULL;
}

/* The parameter name's value, as libfcgi would find it, or NULL. */
static const char *
fm_param(const struct fm_input *in, const char *name)
{
	return FCGX_GetParam(name, (char **)in->envp);
}

/* Splits data into in; returns -1 when out of memory. Free with fm_free(). */
static int
fm_parse(struct fm_input *in, const uint8_t *data, size_t size)
{
	const char	*arg;
	char		*p, *end, *nl, *sep;
	size_t		 pad;

	memset(in, 0, sizeof(*in));
	if ((in->text = malloc(size + 1)) == NULL)
		return -1;
	memcpy(in->text, data, size);
	in->text[size] = '\0';
	p = in->text;
	end = in->text + size;
	while (p < end && *p != '\n') {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		if (*p == '!') {
			if (in->ndirs < FM_MAXDIRS)
				in->dirs[in->ndirs++] = p + 1;
		} else if (in->nenv < FM_MAXPARAMS)
			in->envp[in->nenv++] = p;
		p = nl + 1;
	}
	if (p < end)
		p++;		/* the empty line */
	else
		p = end;	/* past the last line's end */
	/* Its '\n' may start FM_SEP: an empty body. */
	sep = p > in->text ? memmem(p - 1, (size_t)(end - p + 1), FM_SEP,
	    sizeof(FM_SEP) - 1) : NULL;
	in->bodylen = sep == NULL ? (size_t)(end - p) : sep < p ? 0 :
	    (size_t)(sep - p);
	/* "!PAD N": N more bytes of body, to go past the limits cheaply. */
	pad = (arg = fm_directive(in, "PAD")) != NULL ?
	    strtoul(arg, NULL, 10) % FM_PADMAX : 0;
	if ((in->body = malloc(in->bodylen + pad > 0 ? in->bodylen + pad : 1)) ==
	    NULL)
		return -1;
	memcpy(in->body, p, in->bodylen);
	memset(in->body + in->bodylen, 'a', pad);
	in->bodylen += pad;
	if (sep != NULL) {
		in->rest = sep + sizeof(FM_SEP) - 1;
		in->restlen = (size_t)(end - in->rest);
	} else {
		in->rest = end;
		in->restlen = 0;
	}
	return 0;
}

/*
 * Sets conn up to serve the request in: "!LEN" adds the body's true
 * CONTENT_LENGTH, "!CHUNK N" hands the body over N bytes at a time; r and w
 * become conn's streams. Call after every parameter is added.
 */
static void
fm_connect(struct fm_input *in, struct fm_reader *r, struct fm_writer *w,
    struct http_conn *conn)
{
	const char	*chunk;
	char		*nv;

	if (fm_directive(in, "LEN") != NULL && asprintf(&nv,
	    "CONTENT_LENGTH=%zu", in->bodylen) != -1)
		fm_add_param(in, nv);
	chunk = fm_directive(in, "CHUNK");
	fm_reader_init(r, in->body, in->bodylen, chunk != NULL ?
	    strtoul(chunk, NULL, 10) % 70000 : 0);
	fm_writer_init(w);
	memset(conn, 0, sizeof(*conn));
	conn->fcgi.envp = in->envp;
	conn->fcgi.in = &r->s;
	conn->fcgi.out = &w->s;
}

static void
fm_free(struct fm_input *in)
{
	size_t i;

	for (i = 0; i < in->nextra; i++)
		free(in->extra[i]);
	free(in->body);
	free(in->text);
	memset(in, 0, sizeof(*in));
}

/*
 * Checks that what the program wrote is one whole answer: "Status: NNN
 * reason", Content-Type, Content-Length equal to the body's length, the
 * blank line, the body. Returns the status, and the body and Content-Type
 * (borrowed from w) in *body, *bodylen and *ctype; aborts otherwise.
 */
static int
fm_check_answer(const struct fm_writer *w, const char **body, size_t *bodylen,
    const char **ctype)
{
	const char	*s = w->data, *head_end, *cl, *ct;
	char		*end;
	long		 status, len;

	if (s == NULL || strncmp(s, "Status: ", 8) != 0)
		abort();
	status = strtol(s + 8, &end, 10);
	if (end != s + 11 || status < 100 || status > 599 || *end != ' ')
		abort();
	if ((head_end = strstr(s, "\r\n\r\n")) == NULL)
		abort();
	if ((ct = strstr(s, "\r\nContent-Type: ")) == NULL || ct > head_end)
		abort();
	if ((cl = strstr(s, "\r\nContent-Length: ")) == NULL || cl > head_end)
		abort();
	len = strtol(cl + 18, &end, 10);
	if (strncmp(end, "\r\n", 2) != 0 || len < 0 ||
	    (size_t)len != w->len - (size_t)(head_end + 4 - s))
		abort();
	*body = head_end + 4;
	*bodylen = (size_t)len;
	*ctype = ct + 16;
	return (int)status;
}

#endif
