/*
 * sig: Twilio webhook signature validation (X-Twilio-Signature).
 *
 * The signature is base64(HMAC-SHA1(auth token, URL + sorted params)), where
 * the params are the decoded POST form fields, sorted bytewise by name, each
 * written as name then value with no separator; a repeated name contributes
 * each distinct value once, values sorted bytewise. For a JSON body Twilio
 * puts bodySHA256=<hex sha256 of the body> in the URL's query string and signs
 * the URL alone.
 */
#ifndef SIG_H
#define SIG_H

#include <stdbool.h>
#include <stddef.h>
#include "core/form.h"

#define SIG_LEN		20	/* bytes of HMAC-SHA1 */

/*
 * Computes the raw signature of url and params (NULL: no params) with token
 * into out; all borrowed for the call. Returns ERR_OK; ERR_INVAL when token
 * or url is NULL; ERR_TOOBIG for text longer than OpenSSL takes; ERR_NOMEM.
 * The signer's half of the pair: the service only validates, and the tests
 * and fuzz targets sign their requests with it, so that what sig_valid()
 * accepts is checked against one computation.
 */
enum err	sig_compute(const char *token, const char *url,
		    const struct form *params, unsigned char out[SIG_LEN]);

/*
 * Whether header (the X-Twilio-Signature value; NULL or malformed: false)
 * is a valid signature, by any of the ntokens tokens (so a rotated token and
 * its successor both validate during the change-over), of the request at url
 * with the form params, or, when params is NULL, of a JSON body: then url's
 * query must carry bodySHA256 equal to the hex SHA-256 of body[0..bodylen).
 * The URL is tried as given and with the default port (:443 for https, :80
 * for http) added or removed, as Twilio's own validators do. The comparison
 * is in constant time, and every token is tried, so the time taken does
 * not tell which one matched; NULL or empty tokens are skipped. A header
 * that is not the canonical base64 of exactly SIG_LEN bytes (b64_decode
 * with B64_CANONICAL: 28 characters, one '=') is simply invalid; tokens or
 * url NULL, or memory running out, is false too. All arguments borrowed
 * for the call.
 */
bool		sig_valid(const char *const *tokens, size_t ntokens,
		    const char *url, const struct form *params,
		    const char *body, size_t bodylen, const char *header);

#endif
