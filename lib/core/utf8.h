/*
 * utf8: strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), and cutting text without splitting a character.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/*
 * Decodes the sequence at the start of the n bytes at p: returns its length
 * (1 to 4) and its code point in *cp, or 0 when it is not valid UTF-8 (or is
 * cut short by n).
 */
size_t	utf8_decode(const unsigned char *p, size_t n, unsigned long *cp);

/*
 * Encodes code point cp into out: returns the number of bytes written (1 to
 * 4), or 0, writing nothing, when cp is a surrogate or past U+10FFFF.
 */
size_t	utf8_encode(unsigned long cp, char out[4]);

/* Replaces, in place, each byte of s that is not part of valid UTF-8 with '?'. */
void	utf8_sanitize(char *s);

/*
 * The length of the longest prefix of s of at most max bytes that does not
 * end inside a UTF-8 sequence: s itself when it is shorter. For text that
 * is valid UTF-8 the prefix is too.
 */
size_t	utf8_cut(const char *s, size_t max);

/* Cuts the string s, held in a buffer of size bytes, in the same way. */
void	utf8_trim(char *s, size_t size);

#endif
