/*
 * utf8: strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), and cutting text without splitting a character.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decodes the sequence at the start of the n bytes at p: returns its length
 * (1 to 4) and its code point in *cp, or 0, *cp untouched, when it is not
 * valid UTF-8 (overlong, a surrogate, past U+10FFFF, a stray continuation
 * byte) or is cut short by n. The one UTF-8 decoder of the library.
 */
size_t	utf8_decode(const unsigned char *p, size_t n, unsigned long *cp);

/*
 * Encodes code point cp into out: returns the number of bytes written (1 to
 * 4), or 0, writing nothing, when cp is a surrogate or past U+10FFFF.
 */
size_t	utf8_encode(unsigned long cp, char out[4]);

/*
 * Whether the n bytes at s are valid UTF-8 (utf8_decode()'s rules) with no
 * NUL.
 */
bool	utf8_valid(const char *s, size_t n);

/*
 * The length of the longest prefix of the NUL-terminated s of at most max
 * bytes that does not end inside a UTF-8 sequence: strlen(s) when that is
 * no more than max. For text that is valid UTF-8 the prefix is too. Reads
 * at most max + 1 bytes of s.
 */
size_t	utf8_cut(const char *s, size_t max);

/*
 * Repairs, in place, a string that a bounded write (snprintf) may have cut
 * short: when s fills its buffer of size bytes (size - 1 bytes then NUL)
 * and ends in an incomplete UTF-8 sequence, that sequence is removed. A
 * shorter string is left alone. size 0: nothing.
 */
void	utf8_trim(char *s, size_t size);

#endif
