/*
 * fuzz_twilio: every answer Twilio could send is read without a crash: the
 * first byte picks the HTTP status and the kind of call (single resource,
 * conversation list, participant list), the rest is the body. A list's
 * next_page_url must never lead the client off the configured base URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "twilio/twilio.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const long statuses[] = { 200, 201, 204, 400, 401, 404, 409, 429, 500, 503 };
static const char *const keys[] = { NULL, "conversations", "participants" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct twilio_opts cfg;
	static struct twilio	*t;
	struct twilio_call	 c;
	enum httpc_verdict	 v;

	if (t == NULL) {
		cfg.conversations_url = "https://conversations.twilio.com";
		cfg.api_url = "https://api.twilio.com";
		cfg.retry.max_attempts = 5;
		cfg.retry.min_ms = 1000;
		cfg.retry.factor = 2;
		cfg.retry.max_ms = 360000;
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (twilio_new(&t, &cfg) != ERR_OK)
			abort();
	}
	if (size < 1)
		return 0;
	twilio_call_init(&c);
	c.http.method = (data[0] & 0x80) ? HTTPC_POST : HTTPC_GET;
	c.page_key = keys[(data[0] >> 4) % 3];
	if (buf_append(&c.http.body, data + 1, size - 1) == ERR_OK) {
		c.http.status = statuses[(data[0] & 0x0f) % 10];
		v = twilio_call_answer(t, &c);
		if (v == HTTPC_NEXT && strncmp(buf_str(&c.http.url),
		    cfg.conversations_url, strlen(cfg.conversations_url)) != 0 &&
		    strncmp(buf_str(&c.http.url), cfg.api_url,
		    strlen(cfg.api_url)) != 0)
			abort();
		/* Only a 2xx that is no JSON object may be tried again. */
		if (v == HTTPC_AGAIN && (c.http.status >= 300 ||
		    c.http.err == ERR_OK))
			abort();
		if (v != HTTPC_NEXT && c.http.err == ERR_OK &&
		    c.page_key != NULL && c.items == NULL)
			abort();
	}
	twilio_call_free(&c);
	return 0;
}
