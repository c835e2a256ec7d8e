/*
 * fuzz_sessions_req: sessions.fcgi's whole request path, on any request and
 * any answers from Twilio: POST /sessions (basic auth, a JSON body) through
 * the real handler into session_create(). fuzzreq.h says what an input
 * holds and what must hold.
 */
#include <stdint.h>

int	sessions_main(int, char *[]);
#define main sessions_main
#include "../../cgi/sessions.c"
#undef main
#include "../../cgi/answer.c"

#include "fuzzreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fr_serve(data, size, &prog);
}
