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
 * password (borrowed for the call; both NUL-terminated). The scheme is
 * "Basic " in any case, then the credentials as strict base64 (b64_decode:
 * padding required, any padding bits) of at most 1024 characters, spaces
 * around them ignored; they must decode to "user:password", split at the
 * first ':', with a non-empty user and no NUL. The user and the password
 * are both compared, always, each in a time that depends on the length the
 * client sent alone: every byte sent is compared against the secret
 * repeated, and a length difference counts as a difference, so neither the
 * secret's length nor a right prefix of it shows in the timing. Allocates
 * nothing; the decoded credentials are wiped before it returns.
 */
enum auth_result auth_basic_check(const char *header, const char *user,
		    const char *password);

#endif
