/*
 * pool: the proxy number pool and its ranking for a participant (SPEC §7).
 *
 * Ranking for a NANP participant, by the area-code table (svc/areacodes):
 * pool numbers of the participant's own area code first, then the rest of
 * the same country (US or CA) by great-circle distance between area-code
 * centres, nearest first (area codes missing from the table after those
 * present), then the rest of the pool. For other numbers: same country
 * calling code first, then the rest. Ties keep pool order. With strict set,
 * the "rest of the pool" tail is left out. An address whose area code is
 * unknown still gets every number of the pool (country unknown: the whole
 * pool, in order).
 */
#ifndef POOL_H
#define POOL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"
/* A pool is built with its area-code table: its users need both. */
#include "svc/areacodes.h"

#define POOL_MAX	10000

struct pool;

/*
 * Builds a pool from json, a NUL-terminated JSON array of E.164 strings
 * (NUMBER_POOL; borrowed for the call). Each number must pass e164_valid()
 * and appear once. Returns ERR_OK with an allocated pool in *out, free with
 * pool_free(); otherwise *out is NULL and the result is ERR_PARSE (not JSON,
 * or JSON that is not an array), ERR_INVAL (json NULL, an element that is
 * not a string, an invalid or repeated number), ERR_NOTFOUND (no number),
 * ERR_TOOBIG (more than POOL_MAX numbers, or over 16 MiB of text) or
 * ERR_NOMEM. When err_at is not NULL it is set: on ERR_INVAL to the
 * offending entry, as written and cut to 64 bytes (an allocated string,
 * free with free()), else to NULL. areas may be NULL (no geographic
 * ranking); the pool borrows it: areas must outlive the pool.
 */
enum err	 pool_from_json(struct pool **out, const char *json,
		    const struct areacodes *areas, char **err_at);
/*
 * The same from text (len bytes, borrowed for the call) with one number a
 * line (NUMBER_POOL_FILE): what stands before a '#' is the entry, spaces,
 * tabs and CR around it trimmed; lines with no entry are skipped. The
 * results are those of pool_from_json() but ERR_PARSE, which the lines
 * cannot be; text NULL is ERR_INVAL.
 */
enum err	 pool_from_lines(struct pool **out, const char *text, size_t len,
		    const struct areacodes *areas, char **err_at);
/* Frees a pool and its numbers (not its area-code table); p may be NULL. */
void		 pool_free(struct pool *p);
/* How many numbers p holds; 0 when p is NULL. */
size_t		 pool_size(const struct pool *p);
/*
 * Number i of the pool, in the order it was written: borrowed, valid until
 * pool_free(); NULL when p is NULL or i is not below pool_size(p).
 */
const char	*pool_number(const struct pool *p, size_t i);
/*
 * The index of number in the pool (for pool_number()), found by binary
 * search, or -1 when it is not there or either argument is NULL.
 */
long		 pool_index(const struct pool *p, const char *number);

/*
 * Ranks the pool for address (NUL-terminated; one that is not valid E.164
 * matches nothing): writes indexes of pool numbers, best first, into order
 * (room for pool_size(p) entries, the caller's) and returns how many were
 * written: fewer than pool_size(p) only when strict; 0 when p or order is
 * NULL. Allocates nothing, so it cannot fail.
 */
size_t		 pool_rank(const struct pool *p, const char *address, bool strict,
		    size_t *order);

/*
 * Number selection (SPEC §13): how far from the address a proxy number may
 * be, and how numbers of one geographic tier are ordered.
 *
 * geo: POOL_GEO_ANY keeps the tail of the pool (every number may be
 * handed out); POOL_GEO_COUNTRY only numbers of the address's country
 * (NANP: US or CA by the area-code table, +1 numbers of an unknown
 * country kept; others: the calling code), what `strict` was;
 * POOL_GEO_AREA only numbers of the address's own NANP area code (not
 * NANP: of its calling code).
 *
 * pick: POOL_PICK_DEFAULT is §7's order (distance, then pool order);
 * POOL_PICK_STICKY orders each tier by rendezvous hashing
 * (highest random weight): the key is SipHash-2-4, under a fixed key, of
 * the address and the other parties' addresses sorted, and a number's
 * weight is SipHash-2-4 of the number under that key. The same people
 * meeting again get the same order on any machine, whatever order they
 * are given in; other people get another. POOL_PICK_AVOID is the same
 * weights, lowest first.
 */
enum pool_geo {
	POOL_GEO_ANY,
	POOL_GEO_COUNTRY,
	POOL_GEO_AREA,
};

enum pool_pick {
	POOL_PICK_DEFAULT,
	POOL_PICK_STICKY,
	POOL_PICK_AVOID,
};

struct pool_policy {
	enum pool_geo	 geo;
	enum pool_pick	 pick;
};

/*
 * Ranks the pool for address as pool_rank() does, with policy pol (NULL:
 * any, default) and, for sticky picks, the other parties others[0..nothers)
 * (NUL-terminated, borrowed for the call; NULL entries and repeats of
 * address are skipped; order does not matter). Returns how many indexes it
 * wrote into order (room for pool_size(p)): fewer than pool_size(p) only
 * when pol->geo is not POOL_GEO_ANY. Allocates nothing.
 */
size_t		 pool_rank_with(const struct pool *p, const char *address,
		    const struct pool_policy *pol, const char *const *others,
		    size_t nothers, size_t *order);
/*
 * The rendezvous weight of number for address among others, as
 * POOL_PICK_STICKY ranks by it (highest first): for tests and tools.
 */
unsigned long long pool_weight(const char *address, const char *const *others,
		    size_t nothers, const char *number);
/*
 * Reads a GEO_MATCH value ("any", "country", "area-code") or a
 * NUMBER_SELECTION value ("default", "prefer-sticky", "avoid-sticky");
 * false, *out untouched, for anything else (NULL included).
 */
bool		 pool_geo_parse(const char *s, enum pool_geo *out);
bool		 pool_pick_parse(const char *s, enum pool_pick *out);

#endif
