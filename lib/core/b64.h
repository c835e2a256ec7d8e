/*
 * b64: strict base64 decoding (RFC 4648 section 4, the standard alphabet).
 *
 * Outside input (an Authorization header, an X-Twilio-Signature) is decoded
 * here and nowhere else. EVP_DecodeBlock does the decoding, but alone it
 * takes leading and trailing white space and says nothing of where '=' may
 * stand, so the text is checked first: the length a multiple of 4, every
 * character from the alphabet, '=' only as the last one or two characters.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>
#include "core/err.h"

/* The most bytes len characters of base64 can decode to. */
#define B64_DECODED_MAX(len)	((len) / 4 * 3)

/*
 * With B64_CANONICAL, the bits that padding leaves over in the last
 * character must be zero (RFC 4648 section 3.5), so that every byte string
 * has one spelling only.
 */
#define B64_CANONICAL	0x1

/*
 * Decodes the len characters at s (NUL bytes included: they are not
 * base64) into out, which has room for size bytes, and sets *outlen to the
 * number of bytes decoded; "" decodes to no bytes. flags is 0 or
 * B64_CANONICAL. Returns ERR_OK; ERR_PARSE for text that is not strict
 * base64 as above; ERR_TOOBIG when the decoded bytes would not fit in size
 * (nothing past out[size - 1] is ever written). On failure *outlen is 0 and
 * out's contents are unspecified. s and out are borrowed for the call.
 */
enum err	b64_decode(const char *s, size_t len, unsigned char *out,
		    size_t size, size_t *outlen, int flags);

#endif
