#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/hex.h"

/*
 * Decodes s[0..len) into an allocated string in *out. ERR_PARSE for a bad
 * escape and for a NUL, raw or escaped: names and values are C strings, and
 * a NUL would make two different bodies decode alike.
 */
static enum err
decode(char **out, const char *s, size_t len)
{
	char	*d;
	size_t	 i, j;
	int	 hi, lo;

	*out = NULL;
	if ((d = malloc(len + 1)) == NULL)
		return ERR_NOMEM;
	for (i = j = 0; i < len; i++) {
		if (s[i] == '+')
			d[j++] = ' ';
		else if (s[i] == '%') {
			if (len - i < 3 ||
			    (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_digit((unsigned char)s[i + 2])) < 0 ||
			    (hi == 0 && lo == 0))
				goto fail;
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0')
			goto fail;
		else
			d[j++] = s[i];
	}
	d[j] = '\0';
	*out = d;
	return ERR_OK;
fail:
	free(d);
	return ERR_PARSE;
}

enum err
form_parse(struct form *f, const char *s, size_t len)
{
	const char	*p, *end, *amp, *eq;
	size_t		 npairs;
	enum err	 e;

	f->pairs = NULL;
	f->n = 0;
	if (s == NULL)
		return len == 0 ? ERR_OK : ERR_INVAL;

	/* Count first, so the array is allocated once and the limit is
	 * checked before anything is decoded. */
	npairs = 0;
	for (p = s, end = s + len; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p && ++npairs > FORM_MAX_PAIRS)
			return ERR_TOOBIG;
	}
	if (npairs == 0)
		return ERR_OK;
	if ((f->pairs = calloc(npairs, sizeof(*f->pairs))) == NULL)
		return ERR_NOMEM;

	for (p = s; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		/* f->n counts the pair before it is filled, so form_free
		 * sees a half-made pair (its pointers are NULL). */
		f->n++;
		if ((e = decode(&f->pairs[f->n - 1].name, p,
		    (size_t)(eq - p))) != ERR_OK)
			goto fail;
		if ((e = decode(&f->pairs[f->n - 1].value,
		    eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0)) != ERR_OK)
			goto fail;
	}
	return ERR_OK;
fail:
	form_free(f);
	return e;
}

void
form_free(struct form *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->pairs[i].name);
		free(f->pairs[i].value);
	}
	free(f->pairs);
	f->pairs = NULL;
	f->n = 0;
}

const char *
form_get(const struct form *f, const char *name)
{
	size_t	 i;

	if (f == NULL || name == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Escapes without restoring out on failure; the callers do that. */
static enum err
escape(struct buf *out, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 tmp[3];
	const unsigned char	*p;
	const char		*run;
	enum err		 e;

	/* Unreserved runs go in whole; one append per escape. */
	for (p = (const unsigned char *)s, run = s; *p != '\0'; p++) {
		if (unreserved(*p))
			continue;
		if ((e = buf_append(out, run, (size_t)((const char *)p - run)))
		    != ERR_OK)
			return e;
		tmp[0] = '%';
		tmp[1] = hex[*p >> 4];
		tmp[2] = hex[*p & 0xf];
		if ((e = buf_append(out, tmp, 3)) != ERR_OK)
			return e;
		run = (const char *)p + 1;
	}
	return buf_append(out, run, (size_t)((const char *)p - run));
}

/* Undoes a partial append, so that a failed call leaves out as it was. */
static void
truncate_to(struct buf *out, size_t len)
{
	out->len = len;
	if (out->data != NULL)
		out->data[len] = '\0';
}

enum err
form_escape(struct buf *out, const char *s)
{
	size_t	 len;
	enum err e;

	if (s == NULL)
		return ERR_INVAL;
	len = out->len;
	if ((e = escape(out, s)) != ERR_OK)
		truncate_to(out, len);
	return e;
}

enum err
form_add(struct buf *out, const char *name, const char *value)
{
	size_t	 len;
	enum err e = ERR_OK;

	if (name == NULL || value == NULL)
		return ERR_INVAL;
	len = out->len;
	if ((out->len > 0 && (e = buf_putc(out, '&')) != ERR_OK) ||
	    (e = escape(out, name)) != ERR_OK ||
	    (e = buf_putc(out, '=')) != ERR_OK ||
	    (e = escape(out, value)) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	truncate_to(out, len);
	return e;
}
