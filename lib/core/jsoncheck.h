/*
 * jsoncheck: a strict RFC 8259 check of a JSON text before json-c parses it.
 *
 * json-c is lenient where a public endpoint must not be: it accepts
 * single-quoted strings, NaN and Infinity, raw control characters inside
 * strings, and keeps the last of duplicate keys silently. This pass refuses
 * all of those, invalid UTF-8 (overlong forms, surrogates), lone surrogate
 * escapes, and nesting deeper than a limit, and says where.
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include <stddef.h>
#include "core/err.h"

/*
 * Checks that s[0..len) is exactly one JSON value, nested at most max_depth
 * arrays/objects deep, with no object repeating a key. Returns ERR_OK, or
 * ERR_PARSE with a static description in *why and the byte offset of the
 * problem in *at.
 */
enum err	jsoncheck(const char *s, size_t len, int max_depth,
		    const char **why, size_t *at);

#endif
