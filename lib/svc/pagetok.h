/*
 * pagetok: opaque page tokens for the list endpoints.
 *
 * A token stands for "the next page of Twilio's list X": the service hands
 * it out as nextPageToken and takes it back as ?pageToken=, so that it never
 * fetches a URL a caller gave it. The token carries Twilio's own paging
 * values (PageToken, Page, PageSize) and what the list is of, signed with
 * the process's key; a token is good at every copy of the service that
 * shares the key (pagetok_key()).
 *
 * A token says nothing of the request it is sent with: a caller may send a
 * token made for one list with another list's request. The caller of
 * pagetok_decode() compares kind and scope with the request's own and
 * refuses a mismatch.
 *
 * Usage, on a list call:
 *
 *	struct pagetok	p;
 *
 *	if (pagetok_decode(&p, key, sizeof(key), token) != ERR_OK ||
 *	    p.kind != 'a' || strcmp(p.scope, "state=active") != 0)
 *		... 400 invalid_page_token
 *	... ask Twilio with p's PageToken, Page, PageSize ...
 *	if (next_page_url != NULL && pagetok_from_url(&p, next_page_url) ==
 *	    ERR_OK && pagetok_encode(&p, key, sizeof(key), out,
 *	    sizeof(out)) == ERR_OK)
 *		... "nextPageToken": out
 */
#ifndef PAGETOK_H
#define PAGETOK_H

#include <stddef.h>

#include "core/err.h"

#define PAGETOK_MAX		512	/* a token's length, NUL included */
#define PAGETOK_KEY_LEN		32	/* what pagetok_key() makes */
#define PAGETOK_PAGE_MAX	100000L
#define PAGETOK_SIZE_MAX	100

struct pagetok {
	char	kind;			/* which list: 'a' the account's, 'p' a person's, 'm' a session's messages */
	char	scope[160];		/* what it is a list of, e.g. "state=active", "+14155550100|closed", "CH...|asc" */
	char	twilio_token[200];	/* Twilio's PageToken (may be empty) */
	long	page;			/* Twilio's Page, 0..100000 */
	int	size;			/* PageSize, 1..100 */
};

/*
 * Writes the token for p into out (len bytes; PAGETOK_MAX always does):
 * base64url (no padding) of a versioned payload, then '.', then base64url
 * of the first 16 bytes of HMAC-SHA256(key, payload). key is the process's
 * secret (keylen bytes, pagetok_key()), borrowed for the call.
 *
 * The fields' ranges: kind a lowercase ASCII letter; scope NUL-terminated
 * in its array, no control byte (below 0x20, or 0x7f); twilio_token
 * NUL-terminated in its array, bytes from [A-Za-z0-9._~+/=-] only; page
 * 0..PAGETOK_PAGE_MAX; size 1..PAGETOK_SIZE_MAX.
 *
 * Returns ERR_OK; ERR_TOOBIG when out is too small (out is then ""),
 * ERR_INVAL when a field is out of its range or key is NULL or empty,
 * ERR_NOMEM when OpenSSL fails.
 */
enum err	pagetok_encode(const struct pagetok *p, const unsigned char *key,
		    size_t keylen, char *out, size_t len);

/*
 * Reads into p a token (NUL-terminated, borrowed) that a caller sent back.
 * Returns ERR_OK, p filled; or ERR_INVAL, p zeroed, when the token is not
 * one pagetok_encode() made with this key: any change, truncation or
 * extension, another version, a wrong MAC (compared in constant time), a
 * field out of its range, a token PAGETOK_MAX bytes long or longer. Reads
 * nothing past the NUL of token, nor past its first PAGETOK_MAX bytes.
 * The caller compares p's kind and scope with its request's (above).
 */
enum err	pagetok_decode(struct pagetok *p, const unsigned char *key,
		    size_t keylen, const char *token);

/*
 * Reads Twilio's meta.next_page_url (any absolute URL text, borrowed) into
 * p's twilio_token, page and size; kind and scope are left as they are.
 * The query's PageToken, Page and PageSize are percent-decoded ('+' stays
 * '+': the query of a URL, not a form); a key absent leaves its field
 * "" (PageToken), 0 (Page) or as it was (PageSize). Other query keys are
 * ignored; the fragment too.
 *
 * Returns ERR_OK; or ERR_INVAL, p untouched, when the URL has no query,
 * no non-empty PageToken and no Page, one of the three given twice, a
 * value out of range (Page 0..100000, PageSize 1..100, decimal digits
 * only; PageToken under 200 bytes), a bad escape, or a PageToken byte
 * outside [A-Za-z0-9._~+/=-] (Twilio's tokens look like "PT..." or
 * "PA...", base64-ish).
 */
enum err	pagetok_from_url(struct pagetok *p, const char *next_page_url);

/*
 * The key to use into out: HMAC-SHA256(secret, "masked page token v1").
 * secret (NUL-terminated, borrowed) is e.g. the Twilio auth token, shared
 * by every copy of the service, so that a token made by one copy is good
 * at another; tokens made with another secret are refused. Returns
 * ERR_OK; ERR_INVAL when secret is NULL or "" (anyone could make tokens);
 * ERR_SYS when OpenSSL fails.
 */
enum err	pagetok_key(const char *secret, unsigned char out[PAGETOK_KEY_LEN]);

#endif
