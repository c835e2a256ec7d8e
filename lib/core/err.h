/*
 * err: the one error type of the library.
 *
 * Every fallible library call returns an enum err: ERR_OK (0) on success,
 * anything else on failure, so callers write "if ((e = f()) != ERR_OK) goto fail;".
 * The library never prints and never chooses an HTTP status: the programs in
 * cgi/ map these to answers.
 */
#ifndef ERR_H
#define ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOMEM,	/* an allocation failed */
	ERR_INVAL,	/* an argument or input is malformed */
	ERR_TOOBIG,	/* input or output over its limit */
	ERR_PARSE,	/* text that does not parse (JSON, form, CSV, base64) */
	ERR_SYS,	/* a system call failed; errno says why */
	ERR_CONFIG,	/* the configuration is missing or invalid */
	ERR_TWILIO,	/* Twilio answered with an error (see the call's status and code) */
	ERR_TRANSPORT,	/* no usable answer from Twilio: connection, TLS, truncated body */
	ERR_TIMEOUT,	/* the request's deadline passed */
	ERR_NOTFOUND,	/* the thing looked for does not exist */
	ERR_POOL,	/* no free proxy number left for an address */
	ERR_DENIED,	/* a signature or credentials do not match */
	ERR_METHOD,	/* the path is served, but not with that method */
};

/* A description of e for a log line: static, in English, never NULL. */
const char *err_str(enum err e);

#endif
