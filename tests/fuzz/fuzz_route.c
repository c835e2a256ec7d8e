/*
 * fuzz_route: route_find() on any method and path, against the table
 * sessions.fcgi is to serve plus any patterns the input adds. An input
 * reads
 *
 *	METHOD
 *	PATH
 *	METHOD PATTERN		up to EXTRA_MAX more entries, one a line
 *
 * What must hold whatever the input: the result is ERR_OK, ERR_METHOD or
 * ERR_NOTFOUND; a match is of an entry with that method, its parameters
 * as many as its pattern has, each non-empty, within ROUTE_VALUE_MAX, free
 * of NUL and '/', and found again by route_param(); percent-encoded back
 * into the pattern, they make a path that the entry matches with the same
 * values; ERR_METHOD lists methods other than the one asked for, within
 * ROUTE_ALLOW_MAX, and some whenever a built-in entry is among them; ERR_NOTFOUND lists none. Against the built-in table
 * alone, a trailing '/' and a prefix ("mounted elsewhere") change nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/route.h"

#define EXTRA_MAX	8
#define PATH_MAX_	1024	/* http_req's path, NUL included */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void h(void) {}

static const struct route builtin[] = {
	{ "DELETE", "/sessions/{id}/participants/{p}", h },
	{ "GET", "/sessions/{id}/participants", h },
	{ "POST", "/sessions/{id}/participants", h },
	{ "POST", "/sessions/{id}/messages", h },
	{ "GET", "/sessions/{id}", h },
	{ "DELETE", "/sessions/{id}", h },
	{ "GET", "/sessions", h },
	{ "POST", "/sessions", h },
	{ "POST", "/inbound-call", h },
	{ "POST", "/conversations-post-event", h },
};
#define NBUILTIN	(sizeof(builtin) / sizeof(builtin[0]))

/* Whether method is one of allow's ", "-separated methods. */
static int
listed(const char *allow, const char *method)
{
	const char	*p = allow, *end;
	size_t		 n = strlen(method);

	while (*p != '\0') {
		if ((end = strstr(p, ", ")) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == n && strncmp(p, method, n) == 0)
			return 1;
		p = *end != '\0' ? end + 2 : end;
	}
	return 0;
}

/*
 * The path pattern makes with m's values, each byte percent-encoded but
 * for letters and digits, into out; 0 if it does not fit.
 */
static int
rebuild(const char *pattern, const struct route_match *m, char *out,
    size_t size)
{
	const char	*p = pattern, *v;
	size_t		 n = 0, k = 0;

	while (*p != '\0') {
		if (*p == '{') {
			v = m->params[k++].value;
			for (; *v != '\0'; v++) {
				if (n + 4 > size)
					return 0;
				if ((*v >= 'a' && *v <= 'z') || (*v >= '0' &&
				    *v <= '9') || (*v >= 'A' && *v <= 'Z'))
					out[n++] = *v;
				else
					n += (size_t)snprintf(out + n, 4, "%%%02X",
					    (unsigned char)*v);
			}
			p = strchr(p, '}') + 1;
			continue;
		}
		if (n + 2 > size)
			return 0;
		out[n++] = *p++;
	}
	out[n] = '\0';
	return 1;
}

/* The checks on route_find(table, n, method, path)'s result e and m. */
static void
check(const struct route *table, size_t n, const char *method,
    const char *path, enum err e, const struct route_match *m)
{
	struct route_match	 again;
	static char		 rebuilt[4 * PATH_MAX_];
	const char		*p;
	size_t			 i, braces = 0;

	switch (e) {
	case ERR_OK:
		if (m->route < table || m->route >= table + n ||
		    strcmp(m->route->method, method) != 0 || m->allow[0] != '\0')
			abort();
		for (p = m->route->pattern; (p = strchr(p, '{')) != NULL; p++)
			braces++;
		if (m->nparams != braces || m->nparams > ROUTE_PARAMS_MAX)
			abort();
		for (i = 0; i < m->nparams; i++) {
			p = m->params[i].value;
			if (*p == '\0' || strlen(p) > ROUTE_VALUE_MAX ||
			    strchr(p, '/') != NULL ||
			    route_param(m, m->params[i].name) == NULL)
				abort();
		}
		if (rebuild(m->route->pattern, m, rebuilt, sizeof(rebuilt))) {
			if (route_find(m->route, 1, method, rebuilt, &again) !=
			    ERR_OK || again.nparams != m->nparams)
				abort();
			for (i = 0; i < m->nparams; i++)
				if (strcmp(again.params[i].value,
				    m->params[i].value) != 0)
					abort();
		}
		break;
	case ERR_METHOD:
		/* Empty only when every method was too long to list. */
		if (m->route != NULL || strlen(m->allow) >= ROUTE_ALLOW_MAX ||
		    listed(m->allow, method))
			abort();
		break;
	case ERR_NOTFOUND:
		if (m->route != NULL || m->allow[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
	(void)path;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route		 table[NBUILTIN + EXTRA_MAX];
	struct route_match	 m, m2;
	char			*text, *lines[2 + EXTRA_MAX], *p, *sp;
	static char		 path[PATH_MAX_ + 16];
	size_t			 nlines = 0, n = NBUILTIN, i;
	enum err		 e, e2;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; nlines < 2 + EXTRA_MAX; p++) {
		lines[nlines++] = p;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		*p = '\0';
	}
	if (nlines < 2 || strlen(lines[1]) >= PATH_MAX_) {
		free(text);
		return 0;
	}
	memcpy(table, builtin, sizeof(builtin));
	for (i = 2; i < nlines; i++)
		if ((sp = strchr(lines[i], ' ')) != NULL) {
			*sp = '\0';
			table[n].method = lines[i];
			table[n].pattern = sp + 1;
			table[n].handler = h;
			n++;
		}

	e = route_find(table, n, lines[0], lines[1], &m);
	check(table, n, lines[0], lines[1], e, &m);

	/* The built-in table alone: a trailing '/' and a prefix change nothing. */
	e = route_find(builtin, NBUILTIN, lines[0], lines[1], &m);
	check(builtin, NBUILTIN, lines[0], lines[1], e, &m);
	if (e == ERR_METHOD && m.allow[0] == '\0')
		abort();
	snprintf(path, sizeof(path), "%s/", lines[1]);
	e2 = route_find(builtin, NBUILTIN, lines[0], path, &m2);
	/* "" and "/" are no path: a slash makes "/" of "", still nothing. */
	if (e2 != e || m2.route != m.route || strcmp(m2.allow, m.allow) != 0)
		abort();
	snprintf(path, sizeof(path), "/%%00/masked%s", lines[1]);
	e2 = route_find(builtin, NBUILTIN, lines[0], path, &m2);
	if (lines[1][0] == '/' && (e2 != e || m2.route != m.route ||
	    strcmp(m2.allow, m.allow) != 0 || m2.nparams != m.nparams))
		abort();
	for (i = 0; e == ERR_OK && lines[1][0] == '/' && i < m.nparams; i++)
		if (strcmp(m.params[i].value, m2.params[i].value) != 0)
			abort();

	free(text);
	return 0;
}
