/*
 * t.h: the unit tests' whole framework. Each test file defines test
 * functions, calls them from main() through T_RUN, and ends with T_END,
 * which prints "N passed, N failed" and exits non-zero on any failure.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;

#define T_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		t_cur_failed = 1;					\
	}								\
} while (0)

#define T_STREQ(a, b) do {						\
	const char *t_a = (a), *t_b = (b);				\
	if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0) {	\
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n",		\
		    __FILE__, __LINE__, t_a ? t_a : "(null)",		\
		    t_b ? t_b : "(null)");				\
		t_cur_failed = 1;					\
	}								\
} while (0)

/*
 * T_CHECK_CASE: T_CHECK inside a loop over a table of cases. On failure
 * it names the case too: its index in the table and a label (the input,
 * say), so a failing row says which one it is.
 */
#define T_CHECK_CASE(cond, i, label) do {				\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: case %zu (%s): check failed: %s\n",	\
		    __FILE__, __LINE__, (size_t)(i), (label), #cond);	\
		t_cur_failed = 1;					\
	}								\
} while (0)

/*
 * T_IN_CASE: runs stmt (checks, or a helper that makes them) for one case
 * of a table; if any of its checks fails, says which case: its index and
 * a label.
 */
#define T_IN_CASE(i, label, stmt) do {					\
	int t_was_failed = t_cur_failed;				\
	t_cur_failed = 0;						\
	stmt;								\
	if (t_cur_failed)						\
		fprintf(stderr, "  in case %zu (%s)\n", (size_t)(i),	\
		    (label));						\
	t_cur_failed |= t_was_failed;					\
} while (0)

/* The number of rows in a table of cases. */
#define T_NCASES(a)	(sizeof(a) / sizeof((a)[0]))

#define T_RUN(fn) do {							\
	t_cur_failed = 0;						\
	fn();								\
	if (t_cur_failed) {						\
		t_failed++;						\
		fprintf(stderr, "FAIL %s\n", #fn);			\
	} else								\
		t_passed++;						\
} while (0)

#define T_END() do {							\
	printf("%d passed, %d failed\n", t_passed, t_failed);		\
	return t_failed ? 1 : 0;					\
} while (0)

#endif
