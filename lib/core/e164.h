/*
 * e164: E.164 phone numbers.
 */
#ifndef E164_H
#define E164_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether s is '+' then 2 to 15 digits, the first not 0: the form of an
 * E.164 number, and what a number pool may be written with. NULL: false.
 */
bool	e164_valid(const char *s);

/*
 * Whether s is an E.164 number someone can have: e164_valid(), and the
 * national number after the country code (e164_cc_len()) is as long as the
 * numbering plan allows: exactly 10 digits for +1 (NANP) and +7 (Russia,
 * Kazakhstan), whose plans are closed; at least 4 elsewhere (the shortest
 * plans, such as Niue's, have 4), within E.164's 15 digits in all.
 */
bool	e164_dialable(const char *s);

/*
 * The length in digits (1 to 3) of the ITU country calling code that valid
 * number s starts with (after the '+'), by the assigned code table: 1 and 7
 * are one digit; 20, 27, 30-34, 36, 39, 40, 41, 43-49, 51-58, 60-66, 81, 82,
 * 84, 86, 90-95, 98 are two; all others three. A number too short to hold
 * its whole code ("+35") gets the digits it has, so that it shares a code
 * with no complete number. 0 if s is not valid.
 */
size_t	e164_cc_len(const char *s);

/*
 * Whether a and b are both valid and share their country calling code. The
 * definition the pool's ranking follows (svc/pool works the code out once
 * a number, as numbers, for speed); the tests and fuzz_pool check the
 * ranking against it.
 */
bool	e164_same_cc(const char *a, const char *b);

/*
 * The NANP area code of s (the three digits after "+1"), or -1 when s is not
 * a valid NANP number ("+1" and ten digits).
 */
int	e164_nanp_area(const char *s);

#endif
