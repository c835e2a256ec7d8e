#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/fatal.h"
#include "core/log.h"

/*
 * The line is made at start-up: a handler may only write(). Sanitizer
 * builds keep the sanitizer's own handler, whose report says more.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SANITIZED
static char	fatal_prefix[128];
static size_t	fatal_prefix_len;

static void
on_fatal(int sig)
{
	char		 line[sizeof(fatal_prefix) + 64], num[12];
	const char	*name;
	size_t		 n = fatal_prefix_len, k = sizeof(num);
	int		 d = sig, saved = errno;

	memcpy(line, fatal_prefix, n);
	do {
		num[--k] = (char)('0' + d % 10);
		d /= 10;
	} while (d > 0 && k > 0);
	memcpy(line + n, num + k, sizeof(num) - k);
	n += sizeof(num) - k;
	switch (sig) {
	case SIGSEGV:	name = " (Segmentation fault)\n"; break;
	case SIGBUS:	name = " (Bus error)\n"; break;
	case SIGILL:	name = " (Illegal instruction)\n"; break;
	case SIGFPE:	name = " (Floating point exception)\n"; break;
	case SIGABRT:	name = " (Aborted)\n"; break;
	default:	name = "\n"; break;
	}
	k = strlen(name);
	memcpy(line + n, name, k);
	(void)!write(log_fileno(), line, n + k);
	errno = saved;
	/* SA_RESETHAND: the default action again, which ends the process. */
	raise(sig);
}

#endif

void
fatal_setup(const char *program)
{
#ifndef SANITIZED
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	size_t		 i;
	int		 n;

	n = snprintf(fatal_prefix, sizeof(fatal_prefix), "masked[%ld] error "
	    "%s: fatal signal ", (long)getpid(), program);
	if (n < 0 || (size_t)n >= sizeof(fatal_prefix))
		return;
	fatal_prefix_len = (size_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
#else
	(void)program;
#endif
}
