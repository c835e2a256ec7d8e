#include <time.h>

#include "core/clock.h"

long long
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_deadline_ts(long long at, struct timespec *ts)
{
	if (at < 0)
		at = 0;
	ts->tv_sec = (time_t)(at / 1000);
	ts->tv_nsec = (long)(at % 1000) * 1000000;
}
