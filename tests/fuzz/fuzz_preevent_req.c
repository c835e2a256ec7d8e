/*
 * fuzz_preevent_req: pre-event.fcgi's whole request path, on any request
 * and any answers from Twilio: POST /conversations-pre-event (Twilio's
 * signed webhook) through the real handler into preevent_decide(), the
 * operator's intercept callback and events answered from the input too.
 * fuzzreq.h says what an input holds and what must hold.
 */
#include <stdint.h>

int	pre_event_main(int, char *[]);
#define main pre_event_main
#include "../../cgi/pre-event.c"
#undef main
#include "../../cgi/answer.c"

#include "fuzzreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fr_serve(data, size, &prog);
}
