/*
 * Running out of memory is ERR_NOMEM, not a fault of the input: jsoncheck
 * and sessreq_parse under a realloc that fails on demand. The program's own
 * realloc() takes the place of the C library's (which stays reachable as
 * __libc_realloc), so only the library's calls see the failures.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsoncheck.h"
#include "svc/sessreq.h"
#include "t.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER	1
#endif
#endif

#ifndef UNDER_SANITIZER
void	*__libc_realloc(void *, size_t);
void	*realloc(void *, size_t);

static bool	fail_realloc;

void *
realloc(void *p, size_t n)
{
	return fail_realloc ? NULL : __libc_realloc(p, n);
}

static void
test_jsoncheck(void)
{
	static const char	 obj[] = "{\"a\": 1, \"b\": {\"c\": 2}}";
	static const char	 arr[] = "[1, \"x\", null]";
	const char		*why = NULL;
	size_t			 at = (size_t)-1;
	enum err		 e;

	fail_realloc = true;
	e = jsoncheck(obj, strlen(obj), 8, &why, &at);
	fail_realloc = false;
	T_CHECK(e == ERR_NOMEM);
	T_STREQ(why, "out of memory");
	T_CHECK(at <= strlen(obj));
	/* A text with no object needs no memory: the answer is the same. */
	fail_realloc = true;
	T_CHECK(jsoncheck(arr, strlen(arr), 8, &why, &at) == ERR_OK);
	T_CHECK(jsoncheck(arr, strlen(arr) - 1, 8, &why, &at) == ERR_PARSE);
	fail_realloc = false;
	/* With memory, the same object passes. */
	T_CHECK(jsoncheck(obj, strlen(obj), 8, &why, &at) == ERR_OK);
}

static void
test_sessreq(void)
{
	static const char	 body[] = "{\"addresses\": [\"+14155550100\"]}";
	struct sessreq		 r;
	struct sessreq_error	 why;
	enum err		 e;

	fail_realloc = true;
	e = sessreq_parse(&r, body, strlen(body), &why);
	fail_realloc = false;
	T_CHECK(e == ERR_NOMEM);
	/* Not reported as the caller's fault. */
	T_CHECK(strstr(why.message, "not valid JSON") == NULL);
	T_CHECK(sessreq_parse(&r, body, strlen(body), &why) == ERR_OK);
	sessreq_free(&r);
}

#endif	/* !UNDER_SANITIZER */

int
main(void)
{
#ifndef UNDER_SANITIZER
	T_RUN(test_jsoncheck);
	T_RUN(test_sessreq);
#else
	(void)t_cur_failed;
#endif
	T_END();
}
