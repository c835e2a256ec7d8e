/*
 * buf: a growable byte buffer with a hard upper limit.
 *
 * The contents are always NUL-terminated (the NUL is not counted in len), so
 * a buf holding text can be handed to string functions directly. Appending
 * past max fails with ERR_TOOBIG and leaves the buffer as it was.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include "core/err.h"

struct buf {
	char	*data;	/* NULL until the first append */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* most bytes it may hold, not counting the NUL */
};

/* An empty buffer that may grow to max bytes. Allocates nothing; cannot fail. */
void		buf_init(struct buf *b, size_t max);
/* Frees the contents; b may be NULL. The buffer may be reused after buf_init. */
void		buf_free(struct buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void		buf_reset(struct buf *b);
/*
 * Appends the n bytes at p (borrowed for the call; they may hold NULs) and
 * keeps the contents NUL-terminated. Returns ERR_OK, ERR_TOOBIG when the
 * contents would pass max, or ERR_NOMEM; on failure the buffer is as it was.
 */
enum err	buf_append(struct buf *b, const void *p, size_t n);
/* Appends the NUL-terminated string s, as buf_append() does. */
enum err	buf_puts(struct buf *b, const char *s);
/* Appends the one byte c, as buf_append() does. */
enum err	buf_putc(struct buf *b, char c);
/*
 * Appends printf-style formatted text, as buf_append() does; ERR_INVAL when
 * vsnprintf fails (an impossible format). The library itself builds text
 * with the calls above; this one serves the tests that build request
 * bodies and expected answers, and any caller with numbers to write.
 */
enum err	buf_printf(struct buf *b, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/*
 * Hands the contents to the caller: returns an allocated, NUL-terminated
 * string (an empty one if nothing was appended), free with free(); the buffer
 * is left empty. NULL on allocation failure.
 */
char		*buf_detach(struct buf *b);
/* The contents as a string: borrowed, valid until the next change; "" if empty. */
const char	*buf_str(const struct buf *b);

#endif
