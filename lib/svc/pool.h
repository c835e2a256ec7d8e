/*
 * pool: the proxy number pool and its ranking for a participant (SPEC §7).
 *
 * The area-code table (area code, country, latitude, longitude; CSV with a
 * header line) is parsed once at start-up. Ranking for a NANP participant:
 * pool numbers of the participant's own area code first, then the rest of the
 * same country (US or CA) by great-circle distance between area-code centres,
 * nearest first (area codes missing from the table after those present), then
 * the rest of the pool. For other numbers: same country calling code first,
 * then the rest. Ties keep pool order. With strict set, the "rest of the
 * pool" tail is left out. An address whose area code is unknown still gets
 * every number of the pool (country unknown: the whole pool, in order).
 */
#ifndef POOL_H
#define POOL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"

#define POOL_MAX	10000

struct areacodes;
struct pool;

/*
 * Parses the CSV text (len bytes) into a table. Returns an allocated table in
 * *out, free with areacodes_free(). ERR_PARSE names no line; bad lines are
 * rejected whole rather than skipped, so a corrupt table is noticed.
 */
enum err	 areacodes_parse(struct areacodes **out, const char *csv, size_t len);
void		 areacodes_free(struct areacodes *t);
/* Country ("US", "CA", ...) of area code ac, borrowed; NULL when unknown. */
const char	*areacodes_country(const struct areacodes *t, int ac);

/*
 * Builds a pool from a JSON array of E.164 strings (NUMBER_POOL) or from a
 * file's text with one number per line (NUMBER_POOL_FILE: blank lines and
 * '#' comments ignored). Text that is not a JSON array is ERR_PARSE,
 * duplicates and invalid numbers are ERR_INVAL, a pool with no number is
 * ERR_NOTFOUND, more than POOL_MAX is ERR_TOOBIG. When err_at is
 * not NULL, on ERR_INVAL it is set to the offending entry (an allocated
 * string, free with free(); NULL if none). areas may be NULL (no geo
 * ranking). The pool borrows areas, which must outlive it.
 * Returns an allocated pool in *out, free with pool_free().
 */
enum err	 pool_from_json(struct pool **out, const char *json,
		    const struct areacodes *areas, char **err_at);
enum err	 pool_from_lines(struct pool **out, const char *text, size_t len,
		    const struct areacodes *areas, char **err_at);
void		 pool_free(struct pool *p);
size_t		 pool_size(const struct pool *p);
/* Number i of the pool, borrowed, valid until pool_free(). */
const char	*pool_number(const struct pool *p, size_t i);
/* Index of number in the pool, or -1. */
long		 pool_index(const struct pool *p, const char *number);

/*
 * Ranks the pool for address: writes indexes of pool numbers, best first,
 * into order (room for pool_size(p) entries) and returns how many were
 * written (fewer than pool_size(p) only when strict). Allocates nothing.
 */
size_t		 pool_rank(const struct pool *p, const char *address, bool strict,
		    size_t *order);

#endif
