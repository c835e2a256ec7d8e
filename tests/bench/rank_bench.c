/*
 * rank_bench: choosing proxy numbers alone (lib/svc/pool.h), on one core:
 * pool_rank_with() for one participant, under each NUMBER_SELECTION, on a
 * pool of 100 numbers and on a full one (POOL_MAX), the numbers spread over
 * every area code of the built-in table. A session ranks the pool once per
 * participant. make bench builds and runs it (tests/bench/bench.sh); by
 * hand, from the top of the tree:
 *
 *	make && cc -O2 -Ilib -o rank_bench tests/bench/rank_bench.c \
 *	    build/libmasked.a -ljson-c -lm && ./rank_bench
 *	rank, 100-number pool: default 0.9 us, prefer-sticky 3.3 us, ...
 *	rank, 10000-number pool: default 495.2 us, prefer-sticky 832.6 us, ...
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/clock.h"
#include "svc/areacodes.h"
#include "svc/pool.h"

#define SECONDS		1.0

/* A pool of n numbers, area codes 200 to 999 in turn (some not in the
 * table, as in real pools), and a few outside NANP. */
static struct pool *
make_pool(const struct areacodes *areas, size_t n)
{
	static const char *const abroad[] = { "+442071838750", "+4930901820",
	    "+33142685300", "+61292507111" };
	struct buf	 b;
	struct pool	*p = NULL;
	char		*err_at = NULL;
	size_t		 i;

	buf_init(&b, 256 * 1024);
	for (i = 0; i < n; i++) {
		if (i % 50 == 49)
			buf_printf(&b, "%s%03zu\n", abroad[i / 50 % 4],
			    i / 200);
		else
			buf_printf(&b, "+1%zu555%04zu\n", 200 + i % 800,
			    i / 800 * 100 + i % 100);
	}
	if (pool_from_lines(&p, b.data, b.len, areas, &err_at) != ERR_OK) {
		fprintf(stderr, "rank_bench: the pool does not load (%s)\n",
		    err_at != NULL ? err_at : "?");
		free(err_at);
		p = NULL;
	}
	buf_free(&b);
	return p;
}

int
main(void)
{
	static const char *const names[] = { "default", "prefer-sticky",
	    "avoid-sticky" };
	static const enum pool_pick picks[] = { POOL_PICK_DEFAULT,
	    POOL_PICK_STICKY, POOL_PICK_AVOID };
	static const size_t sizes[] = { 100, POOL_MAX };
	const char	*others[] = { "+12125550143" };
	struct areacodes *areas = NULL;
	struct pool	*p;
	size_t		*order, s, k, rounds, sink = 0;
	double		 t0, t;

	if (areacodes_parse(&areas, areacodes_csv, areacodes_csv_len) !=
	    ERR_OK || (order = calloc(POOL_MAX, sizeof(*order))) == NULL)
		return 1;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		if ((p = make_pool(areas, sizes[s])) == NULL)
			return 1;
		printf("rank, %zu-number pool:", sizes[s]);
		for (k = 0; k < 3; k++) {
			struct pool_policy pol = { POOL_GEO_ANY, picks[k] };

			rounds = 0;
			t0 = (double)clock_now_ms() / 1e3;
			do {
				sink += pool_rank_with(p, "+14155550199", &pol,
				    others, 1, order);
				rounds++;
			} while ((t = (double)clock_now_ms() / 1e3 - t0) < SECONDS);
			printf("%s %s %.1f us", k ? "," : "", names[k],
			    t / (double)rounds * 1e6);
		}
		printf(" per participant\n");
		pool_free(p);
	}
	free(order);
	areacodes_free(areas);
	return sink == 0;
}
