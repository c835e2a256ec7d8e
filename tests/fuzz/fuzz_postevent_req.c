/*
 * fuzz_postevent_req: post-event.fcgi's whole request path, on any request
 * and any answers from Twilio: POST /conversations-post-event (Twilio's
 * signed webhook) through the real handler into postevent_handle().
 * fuzzreq.h says what an input holds and what must hold.
 */
#include <stdint.h>

int	post_event_main(int, char *[]);
#define main post_event_main
#include "../../cgi/post-event.c"
#undef main
#include "../../cgi/answer.c"

#include "fuzzreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fr_serve(data, size, &prog);
}
