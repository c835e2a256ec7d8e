/*
 * route: which of a program's routes a request is for.
 *
 * A program declares a table of routes, each a method, a path pattern and
 * a handler; route_find() picks the entry a request's method and path are
 * for, with the values of the pattern's parameters:
 *
 *	static const struct route routes[] = {
 *		{ "GET",    "/sessions/{id}", (route_fn)get_session },
 *		{ "DELETE", "/sessions/{id}", (route_fn)delete_session },
 *		{ "POST",   "/sessions",      (route_fn)create_session },
 *	};
 *	struct route_match m;
 *
 *	switch (route_find(routes, 3, req->method, req->path, &m)) {
 *	case ERR_OK:	   ... route_param(&m, "id"), m.route->handler
 *	case ERR_METHOD:   ... 405, with "Allow: " m.allow
 *	default:	   ... 404 (ERR_NOTFOUND)
 *	}
 *
 * A pattern is '/' and segments separated by '/': a literal segment, or a
 * parameter "{name}" that takes a whole segment. It is matched against the
 * END of the path, segment by segment, so that a program mounted under a
 * prefix (/masked/sessions on shared hosting) is found as well; trailing
 * slashes of the path do not count. A parameter matches one non-empty
 * segment, percent-decoded strictly (only %XX; %00 and an encoded '/' are
 * refused) into at most ROUTE_VALUE_MAX bytes; literal segments are
 * compared byte for byte, undecoded. Where several entries match, the
 * first in the table wins: list the longer patterns first.
 *
 * The module chooses no status and writes nothing: the program's answer
 * functions turn ERR_NOTFOUND and ERR_METHOD into 404 and 405.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>

#include "core/err.h"

#define ROUTE_PARAMS_MAX	8	/* parameters in one pattern */
#define ROUTE_NAME_MAX		32	/* bytes of a parameter's name */
#define ROUTE_VALUE_MAX		128	/* bytes of a decoded value */
#define ROUTE_ALLOW_MAX		96	/* "GET, POST, DELETE", NUL included */

/*
 * The handler as the table holds it: route never calls it. The program
 * casts its own handler to route_fn in the table and back before calling
 * it (server.h's SERVER_ROUTE casts in, type-checked; server_serve() casts
 * back).
 */
typedef void	(*route_fn)(void);

struct route {
	const char	*method;	/* "POST": compared exactly */
	const char	*pattern;	/* "/sessions/{id}/participants" */
	route_fn	 handler;
};

struct route_param {
	char		 name[ROUTE_NAME_MAX];
	char		 value[ROUTE_VALUE_MAX + 1];	/* decoded, NUL-terminated */
};

struct route_match {
	/* The entry matched (ERR_OK only): borrowed from the table. */
	const struct route	*route;
	struct route_param	 params[ROUTE_PARAMS_MAX];
	size_t			 nparams;
	/*
	 * With ERR_METHOD: the methods of every entry whose pattern matches
	 * the path, in table order, each once, ", "-separated ("GET, POST"),
	 * for the Allow header; one that would not fit is left out. ""
	 * otherwise.
	 */
	char			 allow[ROUTE_ALLOW_MAX];
};

/*
 * Finds the entry of table[0..n) for method and path (the request's path,
 * without its query) and fills m (the caller's, overwritten whatever the
 * result). Returns ERR_OK with m->route and m's parameters; ERR_METHOD
 * when patterns match the path but none with that method, m->allow then
 * listing theirs; ERR_NOTFOUND when no pattern matches the path (also a
 * parameter's segment that is empty, badly encoded or too long; a
 * malformed entry, with an empty method or a bad pattern, never matches).
 * Nothing is allocated; method, path and table are only read.
 */
enum err	 route_find(const struct route *table, size_t n,
		    const char *method, const char *path,
		    struct route_match *m);

/*
 * The decoded value of parameter name in m, or NULL if m's pattern has
 * none of that name. Borrowed from m, valid while m is.
 */
const char	*route_param(const struct route_match *m, const char *name);

#endif
