#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/e164.h"

/*
 * The two-digit country calling codes, from the ITU assignment list;
 * 1 and 7 are the only one-digit codes, every other code has three digits.
 */
static bool
cc_two_digit(int cc)
{
	switch (cc) {
	case 20: case 27:
	case 30: case 31: case 32: case 33: case 34: case 36: case 39:
	case 40: case 41: case 43: case 44: case 45: case 46: case 47:
	case 48: case 49:
	case 51: case 52: case 53: case 54: case 55: case 56: case 57:
	case 58:
	case 60: case 61: case 62: case 63: case 64: case 65: case 66:
	case 81: case 82: case 84: case 86:
	case 90: case 91: case 92: case 93: case 94: case 95: case 98:
		return true;
	default:
		return false;
	}
}

bool
e164_valid(const char *s)
{
	size_t	 n;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	for (n = 1; s[n] != '\0'; n++)
		if (s[n] < '0' || s[n] > '9' || n > 15)
			return false;
	return n - 1 >= 2;
}

bool
e164_dialable(const char *s)
{
	size_t cc, national;

	if ((cc = e164_cc_len(s)) == 0)
		return false;
	national = strlen(s) - 1 - cc;
	if (cc == 1)
		return national == 10;
	return national >= 4;
}

/*
 * A number too short to hold its whole code ("+35", the prefix of a
 * three-digit code) gets the digits it has, so that it shares a code with
 * no complete number.
 */
size_t
e164_cc_len(const char *s)
{
	size_t	 len, digits;

	if (!e164_valid(s))
		return 0;
	digits = strlen(s) - 1;
	if (s[1] == '1' || s[1] == '7')
		len = 1;
	else if (cc_two_digit((s[1] - '0') * 10 + (s[2] - '0')))
		len = 2;
	else
		len = 3;
	return len < digits ? len : digits;
}

bool
e164_same_cc(const char *a, const char *b)
{
	size_t	 la, lb;

	if ((la = e164_cc_len(a)) == 0 || (lb = e164_cc_len(b)) == 0)
		return false;
	return la == lb && memcmp(a + 1, b + 1, la) == 0;
}

int
e164_nanp_area(const char *s)
{
	if (!e164_valid(s) || s[1] != '1' || strlen(s) != 12)
		return -1;
	return (s[2] - '0') * 100 + (s[3] - '0') * 10 + (s[4] - '0');
}
