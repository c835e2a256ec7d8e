/*
 * twiml: a push/pop TwiML writer that escapes by construction.
 *
 * Element names and attribute names are trusted constants of the caller;
 * attribute values and text are XML-escaped (& < > " ') here, and bytes that
 * XML 1.0 forbids (control characters other than tab, CR, LF) are dropped.
 * The first error sticks: later calls do nothing, and twiml_finish() reports
 * it, so callers check once at the end.
 *
 *	struct twiml t;
 *	twiml_init(&t);
 *	twiml_open(&t, "Dial", "callerId", proxy, NULL);
 *	twiml_elem(&t, "Number", callee, NULL);
 *	char *xml = twiml_finish(&t, &e);  // closes Dial and Response
 */
#ifndef TWIML_H
#define TWIML_H

#include "core/buf.h"

#define TWIML_MAX_DEPTH	8
#define TWIML_MAX_LEN	(64 * 1024)

struct twiml {
	struct buf	 b;
	const char	*stack[TWIML_MAX_DEPTH];
	int		 depth;
	enum err	 err;
	int		 in_tag;	/* a start tag is open: '>' not yet written */
};

/*
 * Starts a document in t (which need not be initialised): the XML
 * declaration and <Response>. Free t with twiml_finish() or twiml_free().
 */
void		 twiml_init(struct twiml *t);
/*
 * Opens element name with attributes given as name, value pairs ending in a
 * NULL name; a pair whose value is NULL is left out (so optional attributes
 * are passed as they are). name must outlive the writer (a string literal).
 * A NULL or empty name is the sticky ERR_INVAL, more than TWIML_MAX_DEPTH
 * open elements (counting <Response>) ERR_TOOBIG, as is a document past
 * TWIML_MAX_LEN bytes.
 */
void		 twiml_open(struct twiml *t, const char *name, ...);
/*
 * Appends escaped text inside the current element; NULL and "" add nothing,
 * so an element given no text stays empty ("<X/>"). The general form that
 * twiml_elem() is made of, for text written in parts.
 */
void		 twiml_text(struct twiml *t, const char *text);
/*
 * Closes the innermost open element ("<X/>" when it has no content). Closing
 * <Response> is twiml_finish()'s work: here it is the sticky ERR_INVAL.
 */
void		 twiml_close(struct twiml *t);
/*
 * Opens name with the attribute pairs (NULL-terminated, as twiml_open()),
 * writes text (NULL: none), closes.
 */
void		 twiml_elem(struct twiml *t, const char *name, const char *text, ...);
/*
 * Closes every open element including <Response> and returns the document:
 * an allocated string, free with free(). On error returns NULL and sets *e
 * (e may be NULL); the writer's memory is freed either way.
 */
char		*twiml_finish(struct twiml *t, enum err *e);
/*
 * Frees a writer abandoned before twiml_finish() (on a path that answers
 * otherwise); t may be NULL, and twice is harmless.
 */
void		 twiml_free(struct twiml *t);

#endif
