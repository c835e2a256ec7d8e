/*
 * form: application/x-www-form-urlencoded decoding and encoding.
 *
 * Decoding follows the WHATWG rules that Twilio's webhooks use: pairs split on
 * '&', name and value on the first '=', '+' is a space, %XX a byte. A '%' not
 * followed by two hex digits is malformed (ERR_PARSE): a webhook body that
 * does not decode cleanly cannot be signature-checked, so it is refused
 * rather than guessed at. Empty pairs ("a=1&&b=2") are skipped; a name with no
 * '=' has the empty value. Repeated names are all kept, in order.
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>
#include "core/buf.h"

#define FORM_MAX_PAIRS	1024

struct form_pair {
	char	*name;	/* decoded, NUL-terminated (may contain no NUL: %00 is ERR_PARSE) */
	char	*value;	/* decoded, NUL-terminated */
};

struct form {
	struct form_pair *pairs;
	size_t		  n;
};

/*
 * Decodes len bytes of s (borrowed for the call; s NULL with len 0 is an
 * empty form) into f, which need not be initialised; f's names and values
 * are allocated copies. Returns ERR_OK, after which free f with
 * form_free(); ERR_PARSE for a bad escape or a NUL, raw or as %00;
 * ERR_TOOBIG for more than FORM_MAX_PAIRS pairs (counted before anything
 * is decoded); ERR_INVAL for s NULL with len > 0; ERR_NOMEM. On failure f
 * is left empty and needs no freeing.
 */
enum err	 form_parse(struct form *f, const char *s, size_t len);
/* Frees what form_parse allocated; f may be NULL or empty. */
void		 form_free(struct form *f);
/* The first value of name, or NULL: borrowed, valid until form_free(). */
const char	*form_get(const struct form *f, const char *name);

/*
 * Appends s (NUL-terminated, borrowed) percent-encoded for a form body or
 * query string: unreserved characters (ALPHA DIGIT - . _ ~) as they are,
 * everything else %XX (a space is %20, never '+', which Twilio and every
 * decoder read alike). Returns ERR_OK; ERR_INVAL when s is NULL; what
 * buf_append() returns (ERR_TOOBIG past out's limit, ERR_NOMEM). On
 * failure out is as it was.
 */
enum err	 form_escape(struct buf *out, const char *s);
/*
 * Appends "name=value" (both escaped as form_escape() does), preceded by '&'
 * when out is not empty. ERR_INVAL when either is NULL; otherwise as
 * form_escape(), and on failure out is as it was: no half pair.
 */
enum err	 form_add(struct buf *out, const char *name, const char *value);

#endif
