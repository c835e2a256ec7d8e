/*
 * jsoncheck: a strict RFC 8259 check of a JSON text before json-c parses it.
 *
 * json-c is lenient where a public endpoint must not be: it accepts
 * single-quoted strings, NaN and Infinity, raw control characters inside
 * strings, and keeps the last of duplicate keys silently. This pass refuses
 * all of those, invalid UTF-8 (utf8_decode: overlong forms, surrogates,
 * past U+10FFFF), lone surrogate escapes, numbers json-c would change (an
 * integer beyond 64 bits, a value beyond a double's range), and nesting
 * deeper than a limit, and says where.
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include <stddef.h>
#include "core/err.h"

/*
 * Checks that s[0..len) (borrowed for the call; NUL bytes are refused like
 * any raw control character) is exactly one JSON value, blanks around it
 * allowed, nested at most max_depth arrays/objects deep, with no object
 * repeating a key (compared after unescaping) nor holding more than 1024.
 * Returns ERR_OK; ERR_PARSE when the text is not that, with a static
 * description in *why and the byte offset of the problem in *at; or
 * ERR_NOMEM when memory runs out (the keys of an object are kept for the
 * duplicate check), with *why "out of memory" and *at where it happened:
 * then nothing is known of the text. *why and *at are set only on failure.
 */
enum err	jsoncheck(const char *s, size_t len, int max_depth,
		    const char **why, size_t *at);

#endif
