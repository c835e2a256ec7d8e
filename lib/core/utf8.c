#include <string.h>

#include "core/utf8.h"

size_t
utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned long	 c;
	size_t		 len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		c = p[0] & 0x1f;
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		c = p[0] & 0x0f;
		len = 3;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		c = p[0] & 0x07;
		len = 4;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t
utf8_encode(unsigned long cp, char out[4])
{
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n < max || s[n] == '\0')
		return n;
	/* s[n] is the first byte left out: a continuation byte splits. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

void
utf8_trim(char *s, size_t size)
{
	size_t n;

	if (size == 0)
		return;
	n = strnlen(s, size - 1);
	/* Only a string that filled its buffer may have been cut short. */
	if (n == size - 1 && n > 0) {
		while (n > 0 && ((unsigned char)s[n - 1] & 0xc0) == 0x80)
			n--;
		/* s[n - 1] leads the last sequence: is that sequence whole? */
		if (n > 0 && ((unsigned char)s[n - 1] & 0x80) != 0) {
			unsigned char	lead = (unsigned char)s[n - 1];
			size_t		want = lead >= 0xf0 ? 4 : lead >= 0xe0 ?
			    3 : lead >= 0xc0 ? 2 : 1;

			if (size - 1 - (n - 1) >= want)
				n = size - 1;
			else
				n--;
		} else
			n = size - 1;
		s[n] = '\0';
	}
}

bool
utf8_valid(const char *s, size_t n)
{
	unsigned long	 cp;
	size_t		 i, k;

	for (i = 0; i < n; i += k)
		if ((k = utf8_decode((const unsigned char *)s + i, n - i,
		    &cp)) == 0 || cp == 0)
			return false;
	return true;
}
