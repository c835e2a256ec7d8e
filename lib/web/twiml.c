#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "web/twiml.h"

#define TWIML_DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

/* Records the first error; later ones are consequences of it. */
static void
set_err(struct twiml *t, enum err e)
{
	if (t->err == ERR_OK)
		t->err = e;
}

static void
put(struct twiml *t, const char *s, size_t n)
{
	enum err e;

	if (t->err == ERR_OK && (e = buf_append(&t->b, s, n)) != ERR_OK)
		set_err(t, e);
}

static void
puts_(struct twiml *t, const char *s)
{
	put(t, s, strlen(s));
}

/*
 * The length of the UTF-8 sequence at s (n bytes left) when it encodes a
 * character XML 1.0 allows, else 0. Control characters other than tab, LF
 * and CR, surrogates, U+FFFE, U+FFFF and malformed or overlong sequences
 * are refused: a document carrying them is not well-formed, and Twilio
 * would answer the call with an application error.
 */
static size_t
xml_char(const unsigned char *s, size_t n)
{
	unsigned long	 c;
	size_t		 len;

	if ((len = utf8_decode(s, n, &c)) == 0)
		return 0;
	if (c < 0x20)
		return (c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
	return c == 0xfffe || c == 0xffff ? 0 : len;
}

/*
 * Appends s escaped. In attribute values tab, LF and CR are written as
 * character references too, since a parser would turn them into spaces.
 */
static void
escape(struct twiml *t, const char *s, int attr)
{
	const unsigned char	*p, *end, *run;
	const char		*rep;
	size_t			 n;

	p = run = (const unsigned char *)s;
	end = p + strlen(s);
	while (p < end && t->err == ERR_OK) {
		rep = NULL;
		switch (*p) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '"':	rep = "&quot;"; break;
		case '\'':	rep = "&apos;"; break;
		case '\t':	rep = attr ? "&#9;" : NULL; break;
		case '\n':	rep = attr ? "&#10;" : NULL; break;
		case '\r':	rep = attr ? "&#13;" : NULL; break;
		default:	break;
		}
		n = rep != NULL ? 1 : xml_char(p, (size_t)(end - p));
		if (rep == NULL && n > 0) {
			p += n;
			continue;
		}
		put(t, (const char *)run, (size_t)(p - run));
		if (rep != NULL)
			puts_(t, rep);
		/* A refused byte is skipped alone: what follows may be fine. */
		p++;
		run = p;
	}
	put(t, (const char *)run, (size_t)(p - run));
}

/* Ends a start tag still waiting for its '>'. */
static void
end_start_tag(struct twiml *t)
{
	if (t->in_tag) {
		put(t, ">", 1);
		t->in_tag = 0;
	}
}

void
twiml_init(struct twiml *t)
{
	buf_init(&t->b, TWIML_MAX_LEN);
	t->depth = 0;
	t->err = ERR_OK;
	t->in_tag = 0;
	puts_(t, TWIML_DECL "<Response>");
	t->stack[t->depth++] = "Response";
}

static void
open_v(struct twiml *t, const char *name, va_list ap)
{
	const char	*an, *av;

	if (t->err != ERR_OK)
		return;
	if (name == NULL || name[0] == '\0') {
		set_err(t, ERR_INVAL);
		return;
	}
	if (t->depth >= TWIML_MAX_DEPTH) {
		set_err(t, ERR_TOOBIG);
		return;
	}
	end_start_tag(t);
	put(t, "<", 1);
	puts_(t, name);
	while ((an = va_arg(ap, const char *)) != NULL) {
		av = va_arg(ap, const char *);
		if (av == NULL)
			continue;
		put(t, " ", 1);
		puts_(t, an);
		put(t, "=\"", 2);
		escape(t, av, 1);
		put(t, "\"", 1);
	}
	t->stack[t->depth++] = name;
	t->in_tag = 1;
}

void
twiml_open(struct twiml *t, const char *name, ...)
{
	va_list	 ap;

	va_start(ap, name);
	open_v(t, name, ap);
	va_end(ap);
}

/* NULL and "" add nothing: an element given no text stays empty. */
void
twiml_text(struct twiml *t, const char *text)
{
	if (t->err != ERR_OK || text == NULL || text[0] == '\0')
		return;
	end_start_tag(t);
	escape(t, text, 0);
}

/* Closing <Response> is twiml_finish()'s work: here it is ERR_INVAL. */
void
twiml_close(struct twiml *t)
{
	if (t->err != ERR_OK)
		return;
	if (t->depth <= 1) {
		set_err(t, ERR_INVAL);
		return;
	}
	t->depth--;
	if (t->in_tag) {
		put(t, "/>", 2);
		t->in_tag = 0;
		return;
	}
	put(t, "</", 2);
	puts_(t, t->stack[t->depth]);
	put(t, ">", 1);
}

void
twiml_elem(struct twiml *t, const char *name, const char *text, ...)
{
	va_list	 ap;

	va_start(ap, text);
	open_v(t, name, ap);
	va_end(ap);
	twiml_text(t, text);
	twiml_close(t);
}

char *
twiml_finish(struct twiml *t, enum err *e)
{
	char	*s = NULL;

	while (t->err == ERR_OK && t->depth > 1)
		twiml_close(t);
	if (t->err == ERR_OK) {
		put(t, "</Response>", 11);
		t->depth = 0;
	}
	if (t->err == ERR_OK && (s = buf_detach(&t->b)) == NULL)
		set_err(t, ERR_NOMEM);
	if (e != NULL)
		*e = t->err;
	buf_free(&t->b);
	return s;
}

void
twiml_free(struct twiml *t)
{
	if (t == NULL)
		return;
	buf_free(&t->b);
}
