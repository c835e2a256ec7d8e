#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hex.h"
#include "core/jsoncheck.h"
#include "core/utf8.h"

#define MAX_KEYS	1024	/* keys in one object, for the duplicate check */

struct scan {
	const unsigned char	*p;
	const unsigned char	*end;
	const unsigned char	*start;
	const char		*why;
	enum err		 err;	/* ERR_PARSE, or ERR_NOMEM */
	int			 depth;
	int			 max_depth;
};

static bool value(struct scan *s);
static bool number_syntax(struct scan *s, bool *integer);

/* Records the first problem (later ones are its consequences); false. */
static bool
fail(struct scan *s, const char *why)
{
	if (s->why == NULL) {
		s->why = why;
		s->err = ERR_PARSE;
	}
	return false;
}

/* Memory ran out: not a fault of the text, and said so (ERR_NOMEM). */
static bool
nomem(struct scan *s)
{
	if (s->why == NULL) {
		s->why = "out of memory";
		s->err = ERR_NOMEM;
	}
	return false;
}

/* Appends n bytes of a key's decoded text to out (NULL: nothing to keep). */
static bool
keep(struct scan *s, struct buf *out, const void *p, size_t n)
{
	/* out's limit is the text's length, which no key exceeds. */
	if (out != NULL && buf_append(out, p, n) != ERR_OK)
		return nomem(s);
	return true;
}

static void
blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Four hex digits after "\u"; -1 if malformed. */
static long
hex4(struct scan *s)
{
	long	v = 0;
	int	i, h;

	if (s->end - s->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hex_digit(s->p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	s->p += 4;
	return v;
}

/* Appends code point cp (no surrogate, at most U+10FFFF) to out as UTF-8. */
static bool
keep_cp(struct scan *s, struct buf *out, unsigned long cp)
{
	char	b[4];

	return keep(s, out, b, utf8_encode(cp, b));
}

/* One UTF-8 sequence, strictly (no overlong forms, no surrogates). */
static bool
utf8(struct scan *s, struct buf *out)
{
	unsigned long	 cp;
	size_t		 n;

	if ((n = utf8_decode(s->p, (size_t)(s->end - s->p), &cp)) == 0)
		return fail(s, "invalid UTF-8");
	if (!keep(s, out, s->p, n))
		return false;
	s->p += n;
	return true;
}

/* A string; its decoded text goes to out when out is not NULL. */
static bool
string(struct scan *s, struct buf *out)
{
	unsigned long	 c;
	long		 hi, lo;

	if (s->p >= s->end || *s->p != '"')
		return fail(s, "expected a string in double quotes");
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p < 0x20)
			return fail(s, "control character inside a string");
		if (*s->p != '\\') {
			if (!utf8(s, out))
				return false;
			continue;
		}
		if (++s->p >= s->end)
			break;
		switch (*s->p++) {
		case '"':  c = '"'; break;
		case '\\': c = '\\'; break;
		case '/':  c = '/'; break;
		case 'b':  c = '\b'; break;
		case 'f':  c = '\f'; break;
		case 'n':  c = '\n'; break;
		case 'r':  c = '\r'; break;
		case 't':  c = '\t'; break;
		case 'u':
			if ((hi = hex4(s)) < 0)
				return fail(s, "malformed \\u escape");
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return fail(s, "lone surrogate escape");
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (s->end - s->p < 2 || s->p[0] != '\\' ||
				    s->p[1] != 'u')
					return fail(s, "lone surrogate escape");
				s->p += 2;
				if ((lo = hex4(s)) < 0xdc00 || lo > 0xdfff)
					return fail(s, "lone surrogate escape");
				hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
			}
			c = (unsigned long)hi;
			break;
		default:
			return fail(s, "invalid escape in a string");
		}
		if (!keep_cp(s, out, c))
			return false;
	}
	if (s->p >= s->end)
		return fail(s, "unterminated string");
	s->p++;
	return true;
}

static bool
digits(struct scan *s)
{
	const unsigned char *q = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > q;
}

/*
 * A number. One that json-c would change on the way through (an integer
 * beyond 64 bits, a value beyond a double's range) is refused: a caller's
 * attributes go to Twilio exactly as they came or not at all.
 */
static bool
number(struct scan *s)
{
	const unsigned char	*q = s->p;
	char			 tmp[64], *end;
	bool			 integer = true;
	double			 d;
	size_t			 n;

	if (!number_syntax(s, &integer))
		return false;
	n = (size_t)(s->p - q);
	if (n >= sizeof(tmp))
		return fail(s, "number out of range");
	memcpy(tmp, q, n);
	tmp[n] = '\0';
	errno = 0;
	if (integer)
		(void)strtoll(tmp, &end, 10);
	else if (!isfinite(d = strtod(tmp, &end)))
		errno = ERANGE;
	if (errno == ERANGE)
		return fail(s, "number out of range");
	return true;
}

static bool
number_syntax(struct scan *s, bool *integer)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (!digits(s))
		return fail(s, "malformed number");
	if (s->p < s->end && *s->p == '.') {
		*integer = false;
		s->p++;
		if (!digits(s))
			return fail(s, "malformed number");
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		*integer = false;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return fail(s, "malformed number");
	}
	return true;
}

static bool
literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, "unexpected character");
	s->p += n;
	return true;
}

static int
cmp_keys(const void *a, const void *b)
{
	const struct buf *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(buf_str(x), buf_str(y), n);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static bool
object(struct scan *s)
{
	struct buf	*keys = NULL, *more;
	size_t		 n = 0, cap = 0, i;
	bool		 ok = false;

	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		blanks(s);
		if (n == MAX_KEYS) {
			fail(s, "too many keys in one object");
			goto out;
		}
		if (n == cap) {
			/* Grown as keys come: most objects have a handful. */
			cap = cap == 0 ? 16 : cap * 2;
			if ((more = realloc(keys, cap * sizeof(*keys))) == NULL) {
				nomem(s);
				goto out;
			}
			keys = more;
		}
		buf_init(&keys[n], (size_t)(s->end - s->start));
		if (!string(s, &keys[n++]))
			goto out;
		blanks(s);
		if (s->p >= s->end || *s->p != ':') {
			fail(s, "expected ':' after an object key");
			goto out;
		}
		s->p++;
		if (!value(s))
			goto out;
		blanks(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			break;
		}
		fail(s, "expected ',' or '}' in an object");
		goto out;
	}
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 1; i < n; i++)
		if (cmp_keys(&keys[i - 1], &keys[i]) == 0) {
			fail(s, "duplicate key in an object");
			goto out;
		}
	ok = true;
out:
	for (i = 0; i < n; i++)
		buf_free(&keys[i]);
	free(keys);
	return ok;
}

static bool
array(struct scan *s)
{
	s->p++;
	blanks(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!value(s))
			return false;
		blanks(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return true;
		}
		return fail(s, "expected ',' or ']' in an array");
	}
}

static bool
value(struct scan *s)
{
	bool ok;

	blanks(s);
	if (s->p >= s->end)
		return fail(s, "unexpected end of the text");
	switch (*s->p) {
	case '{':
	case '[':
		if (++s->depth > s->max_depth)
			return fail(s, "nested too deep");
		ok = *s->p == '{' ? object(s) : array(s);
		s->depth--;
		return ok;
	case '"':
		return string(s, NULL);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
			return number(s);
		return fail(s, "unexpected character");
	}
}

enum err
jsoncheck(const char *text, size_t len, int max_depth, const char **why,
    size_t *at)
{
	struct scan s;

	memset(&s, 0, sizeof(s));
	s.p = s.start = (const unsigned char *)text;
	s.end = s.p + len;
	s.max_depth = max_depth;
	if (value(&s)) {
		blanks(&s);
		if (s.p == s.end)
			return ERR_OK;
		fail(&s, "text after the JSON value");
	}
	*why = s.why;
	*at = (size_t)(s.p - s.start);
	return s.err;
}
