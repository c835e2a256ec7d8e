/*
 * fuzz_pool: the area-code parser and both pool parsers on any bytes
 * must not crash, and pool_rank must give a permutation of the pool (a
 * subset when strict) for any address.
 *
 * The first byte picks the parser; the rest is its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/e164.h"
#include "svc/pool.h"

extern const char areacodes_csv[];
extern const size_t areacodes_csv_len;

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * §13: under every GEO_MATCH and NUMBER_SELECTION, the ranking is a
 * permutation of a subset, the same subset whatever the pick, each geo
 * setting's a part of the looser one's; avoid-sticky is prefer-sticky
 * reversed within tiers, so the same set.
 */
static void
check_policies(const struct pool *p)
{
	static const char *const addrs[] = { "+14155550100", "+447700900123",
	    "+18005550100", "x" };
	static const char *const others[] = { "+12125550100", NULL,
	    "+12125550100", "+33612345678" };
	static size_t	 order[POOL_MAX];
	static char	 seen[POOL_MAX];
	struct pool_policy pol;
	size_t		 n, j, a, g, k, want[3];

	for (a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
	for (g = 0; g < 3; g++)
	for (k = 0; k < 3; k++) {
		pol.geo = (enum pool_geo)g;
		pol.pick = (enum pool_pick)k;
		n = pool_rank_with(p, addrs[a], &pol, others,
		    sizeof(others) / sizeof(others[0]), order);
		if (n > pool_size(p) || (g == POOL_GEO_ANY && n != pool_size(p)))
			abort();
		if (k == 0)
			want[g] = n;
		else if (n != want[g])
			abort();
		if (g > 0 && n > want[g - 1])
			abort();
		memset(seen, 0, pool_size(p));
		for (j = 0; j < n; j++) {
			if (order[j] >= pool_size(p) || seen[order[j]])
				abort();
			seen[order[j]] = 1;
		}
	}
}

static void
check_rank(const struct pool *p)
{
	static const char *const addrs[] = {
		"+14155550100", "+16045550100", "+18005550100", "+1415",
		"+447700900123", "+35312345678", "", "x",
	};
	size_t	 order[POOL_MAX], n, i, j, k;
	char	 seen[POOL_MAX];

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]) + pool_size(p);
	    i++) {
		const char *a = i < sizeof(addrs) / sizeof(addrs[0]) ?
		    addrs[i] : pool_number(p, i - sizeof(addrs) /
		    sizeof(addrs[0]));
		for (k = 0; k < 2; k++) {
			n = pool_rank(p, a, k, order);
			if (n > pool_size(p) || (!k && n != pool_size(p)))
				abort();
			memset(seen, 0, pool_size(p));
			for (j = 0; j < n; j++) {
				if (order[j] >= pool_size(p) ||
				    seen[order[j]])
					abort();
				seen[order[j]] = 1;
			}
			/* For a number of the pool, the best shares its
			 * calling code (and its area code, if NANP). */
			if (i >= sizeof(addrs) / sizeof(addrs[0]) &&
			    (n == 0 || !e164_same_cc(pool_number(p, order[0]),
			    a) || (e164_nanp_area(a) >= 0 &&
			    e164_nanp_area(pool_number(p, order[0])) !=
			    e164_nanp_area(a))))
				abort();
		}
		if (i > 64)
			break;
	}
	check_policies(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct areacodes	*areas;
	struct areacodes	*t = NULL;
	struct pool		*p = NULL;
	char			*s, *at = NULL;
	size_t			 i;

	if (areas == NULL && areacodes_parse(&areas, areacodes_csv,
	    areacodes_csv_len) != ERR_OK)
		abort();
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (areacodes_parse(&t, (const char *)data + 1, size - 1) ==
		    ERR_OK) {
			for (i = 0; i < 1000; i++)
				(void)areacodes_country(t, (int)i);
			if (pool_from_json(&p, "[\"+14155550100\","
			    "\"+12125550100\",\"+447700900123\"]", t, NULL) !=
			    ERR_OK)
				abort();
			check_rank(p);
		}
		break;
	case 1:
		if ((s = malloc(size)) == NULL)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		if (pool_from_json(&p, s, areas, &at) == ERR_OK)
			check_rank(p);
		free(s);
		break;
	default:
		if (pool_from_lines(&p, (const char *)data + 1, size - 1, areas,
		    &at) == ERR_OK)
			check_rank(p);
		break;
	}
	if (p != NULL)
		for (i = 0; i < pool_size(p); i++)
			if (pool_index(p, pool_number(p, i)) != (long)i ||
			    !e164_valid(pool_number(p, i)))
				abort();
	free(at);
	pool_free(p);
	areacodes_free(t);
	return 0;
}
