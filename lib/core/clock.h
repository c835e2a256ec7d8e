/*
 * clock: the process's one clock for deadlines and waits.
 */
#ifndef CLOCK_H
#define CLOCK_H

/*
 * Milliseconds on the monotonic clock (CLOCK_MONOTONIC): the time base of
 * every deadline in the library. Unaffected by changes of the wall clock.
 */
long long	clock_now_ms(void);

struct timespec;
/*
 * The instant at (clock_now_ms() milliseconds) as a timespec of the same
 * clock, for waits on a condition made with CLOCK_MONOTONIC.
 */
void		clock_deadline_ts(long long at, struct timespec *ts);

#endif
