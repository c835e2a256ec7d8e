/*
 * filter_bench: the contact-detail filter alone (lib/svc/filter.h), on
 * one core: filter_redact over every message of the corpus, round after
 * round, for about two seconds. make bench builds and runs it
 * (tests/bench/bench.sh); by hand, from the top of the tree:
 *
 *	make && cc -O2 -Ilib -o filter_bench tests/bench/filter_bench.c \
 *	    build/libmasked.a && ./filter_bench [tests/filter/corpus.tsv]
 *	filter: 806647 messages/s on one core (23.5 MB/s), corpus of 633
 *	messages
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "svc/filter.h"

#define MESSAGES_MAX	4096
#define SECONDS		2.0

int
main(int argc, char *argv[])
{
	const char	*path = argc > 1 ? argv[1] : "tests/filter/corpus.tsv";
	static char	*msg[MESSAGES_MAX];
	static size_t	 len[MESSAGES_MAX];
	char		 line[4096], *s, *e;
	struct buf	 out;
	size_t		 n = 0, i, done = 0, bytes = 0, hits, sink = 0;
	double		 t0, t;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	/* verdict TAB language TAB message [TAB redaction] */
	while (n < MESSAGES_MAX && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || (s = strchr(line, '\t')) == NULL ||
		    (s = strchr(s + 1, '\t')) == NULL)
			continue;
		s++;
		if ((e = strchr(s, '\t')) == NULL)
			e = s + strcspn(s, "\n");
		len[n] = (size_t)(e - s);
		if ((msg[n] = strndup(s, len[n])) == NULL)
			return 1;
		n++;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "%s: no message\n", path);
		return 1;
	}
	buf_init(&out, 1 << 20);
	t0 = (double)clock_now_ms() / 1e3;
	do {
		for (i = 0; i < n; i++) {
			buf_reset(&out);
			if (filter_redact(msg[i], len[i], FILTER_MARK, &out,
			    &hits) != ERR_OK)
				return 1;
			sink += hits;
			bytes += len[i];
		}
		done += n;
	} while ((t = (double)clock_now_ms() / 1e3 - t0) < SECONDS);
	printf("filter: %.0f messages/s on one core (%.1f MB/s), corpus of "
	    "%zu messages%s\n", (double)done / t, (double)bytes / t / 1e6, n,
	    sink ? "" : " (no hit?)");
	buf_free(&out);
	for (i = 0; i < n; i++)
		free(msg[i]);
	return 0;
}
