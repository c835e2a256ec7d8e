#include <stdbool.h>
#include <string.h>

#include "core/hex.h"
#include "web/route.h"

/*
 * Decodes the segment s[0..len) into out (ROUTE_VALUE_MAX + 1 bytes):
 * %XX only, never to NUL or '/'. Returns whether it is a valid value.
 */
static bool
decode(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;
	int	hi, lo, c;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = hex_digit((unsigned char)s[i + 1])) < 0 ||
			    (lo = hex_digit((unsigned char)s[i + 2])) < 0)
				return false;
			c = hi << 4 | lo;
			if (c == '\0' || c == '/')
				return false;
			i += 2;
		}
		if (n == ROUTE_VALUE_MAX)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return true;
}

/*
 * Whether pattern matches the end of path[0..plen), trailing slashes cut
 * already; the parameters go to m (their count to *np). Works from the
 * last segment backwards: both are read right to left.
 */
static bool
match_one(const char *pattern, const char *path, size_t plen,
    struct route_match *m, size_t *np)
{
	const char	*pe = pattern + strlen(pattern), *ps, *s;
	size_t		 seg, k;
	struct route_param *p;

	*np = 0;
	if (*pattern != '/' || pe - pattern < 2)
		return false;
	while (pe > pattern) {
		/* The pattern's segment ps[0..pe): after its '/'. */
		for (ps = pe; ps > pattern && ps[-1] != '/'; ps--)
			;
		if (ps == pattern || ps == pe)
			return false;	/* no leading '/', or "//" */
		/* The path's: after the '/' before plen. */
		for (s = path + plen; s > path && s[-1] != '/'; s--)
			;
		if (s == path)
			return false;
		seg = (size_t)(path + plen - s);
		if (*ps == '{') {
			k = (size_t)(pe - ps);
			if (k < 3 || pe[-1] != '}' || k - 2 >= ROUTE_NAME_MAX ||
			    memchr(ps + 1, '{', k - 2) != NULL ||
			    memchr(ps + 1, '}', k - 2) != NULL ||
			    *np == ROUTE_PARAMS_MAX)
				return false;
			/* Right to left: the first parameter is filled last. */
			p = &m->params[ROUTE_PARAMS_MAX - 1 - *np];
			if (!decode(s, seg, p->value))
				return false;
			memcpy(p->name, ps + 1, k - 2);
			p->name[k - 2] = '\0';
			(*np)++;
		} else if (seg != (size_t)(pe - ps) ||
		    memchr(ps, '{', (size_t)(pe - ps)) != NULL ||
		    memcmp(s, ps, seg) != 0)
			return false;
		pe = ps - 1;
		plen = (size_t)(s - 1 - path);
	}
	/* Left to right, from the start of params. */
	memmove(m->params, &m->params[ROUTE_PARAMS_MAX - *np],
	    *np * sizeof(m->params[0]));
	return true;
}

/* Adds method to allow (", "-separated) unless it is there already. */
static void
allow_add(char *allow, const char *method)
{
	size_t	 n = strlen(allow), k = strlen(method);
	char	*p;

	for (p = allow; (p = strstr(p, method)) != NULL; p += k)
		if ((p == allow || p[-1] == ' ') &&
		    (p[k] == '\0' || p[k] == ','))
			return;
	/* Past ROUTE_ALLOW_MAX the method is left out: a shorter Allow. */
	if (n + (n > 0 ? 2 : 0) + k >= ROUTE_ALLOW_MAX)
		return;
	if (n > 0) {
		memcpy(allow + n, ", ", 2);
		n += 2;
	}
	memcpy(allow + n, method, k + 1);
}

enum err
route_find(const struct route *table, size_t n, const char *method,
    const char *path, struct route_match *m)
{
	size_t	i, plen = strlen(path), np;
	bool	path_found = false;

	memset(m, 0, sizeof(*m));
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	for (i = 0; i < n; i++) {
		/* An entry without a method is malformed: it serves nothing. */
		if (table[i].method[0] == '\0' ||
		    !match_one(table[i].pattern, path, plen, m, &np))
			continue;
		if (strcmp(table[i].method, method) == 0) {
			m->route = &table[i];
			m->nparams = np;
			m->allow[0] = '\0';
			return ERR_OK;
		}
		path_found = true;
		allow_add(m->allow, table[i].method);
	}
	/* What the last attempt left behind is no one's parameters. */
	memset(m->params, 0, sizeof(m->params));
	return path_found ? ERR_METHOD : ERR_NOTFOUND;
}

const char *
route_param(const struct route_match *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nparams; i++)
		if (strcmp(m->params[i].name, name) == 0)
			return m->params[i].value;
	return NULL;
}
