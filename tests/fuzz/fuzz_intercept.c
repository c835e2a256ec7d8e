/*
 * fuzz_intercept: whatever the operator's intercept callback answers
 * (SPEC §11), preevent_answer_parse() reads it or refuses it cleanly: an
 * answer read is one of allow, block or change, and a changed body is
 * valid UTF-8 of 1 to PREEVENT_BODY_MAX characters with no NUL, which
 * Twilio can take.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "svc/preevent.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf		 body;
	enum preevent_verdict	 v = PREEVENT_IGNORED;
	const char		*why = NULL;
	unsigned long		 cp;
	size_t			 i, n, chars = 0;
	enum err		 e;

	buf_init(&body, 1 << 16);
	e = preevent_answer_parse((const char *)data, size, &v, &body, &why);
	if (e == ERR_OK) {
		if (v != PREEVENT_ALLOW && v != PREEVENT_BLOCK &&
		    v != PREEVENT_CHANGE)
			abort();
		if (v == PREEVENT_CHANGE) {
			for (i = 0; i < body.len; i += n, chars++)
				if ((n = utf8_decode((const unsigned char *)
				    body.data + i, body.len - i, &cp)) == 0 ||
				    cp == 0)
					abort();
			if (chars < 1 || chars > PREEVENT_BODY_MAX)
				abort();
		} else if (body.len != 0)
			abort();
	} else if (e == ERR_PARSE) {
		if (why == NULL || *why == '\0')
			abort();
	} else if (e != ERR_NOMEM)
		abort();
	buf_free(&body);
	return 0;
}
