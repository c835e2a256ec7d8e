/*
 * auth: HTTP basic authentication of the operator's backend (/sessions).
 */
#ifndef AUTH_H
#define AUTH_H

enum auth_result {
	AUTH_OK,
	AUTH_MISSING,	/* no Authorization header, or not "Basic" */
	AUTH_MALFORMED,	/* not base64 of "user:password", or an empty user */
	AUTH_WRONG,	/* well formed, but not the configured pair */
};

/*
 * Checks the Authorization header value (NULL: missing) against user and
 * password. The comparison takes the same time whatever the input (both
 * sides are hashed with SHA-256 and the digests compared with
 * CRYPTO_memcmp), so neither the length nor a prefix of the secret leaks.
 */
enum auth_result auth_basic_check(const char *header, const char *user,
		    const char *password);

#endif
