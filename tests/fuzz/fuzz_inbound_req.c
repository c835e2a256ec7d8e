/*
 * fuzz_inbound_req: inbound-call.fcgi's whole request path, on any request
 * and any answers from Twilio: POST /inbound-call (Twilio's signed voice
 * webhook) through the real handler into inbound_route(). fuzzreq.h says
 * what an input holds and what must hold.
 */
#include <stdint.h>

int	inbound_call_main(int, char *[]);
#define main inbound_call_main
#include "../../cgi/inbound-call.c"
#undef main
#include "../../cgi/answer.c"

#include "fuzzreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fr_serve(data, size, &prog);
}
