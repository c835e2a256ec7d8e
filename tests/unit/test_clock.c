/* test_clock: core/clock is monotonic and counts milliseconds. */
#include <time.h>

#include "core/clock.h"
#include "t.h"

/* Two reads never go back, however close together. */
static void
test_monotonic(void)
{
	long long	 a, b;
	int		 i;

	a = clock_now_ms();
	for (i = 0; i < 100000; i++) {
		b = clock_now_ms();
		if (b < a)
			break;
		a = b;
	}
	T_CHECK(i == 100000);
}

/* A 20 ms sleep advances it by at least 20, and not by minutes. */
static void
test_advances(void)
{
	struct timespec	 ts = { 0, 20 * 1000000L };
	long long	 a, b;

	a = clock_now_ms();
	while (nanosleep(&ts, &ts) != 0)
		;
	b = clock_now_ms();
	T_CHECK(b - a >= 20);
	T_CHECK(b - a < 60000);
}

int
main(void)
{
	T_RUN(test_monotonic);
	T_RUN(test_advances);
	T_END();
}
