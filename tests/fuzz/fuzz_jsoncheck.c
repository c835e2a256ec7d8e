/*
 * fuzz_jsoncheck: jsoncheck() on any bytes, the first of which picks the
 * nesting limit (0 to 79). A refusal says why and points inside the text;
 * an object or array it accepts, json-c parses whole, as sessreq_parse()
 * parses a body (strict, UTF-8 checked, one level of nesting more than
 * jsoncheck's limit), so nothing jsoncheck lets through is then refused in
 * a worse way. (A bare number at the end of the text is json-c's "continue":
 * it waits for a delimiter; no caller parses anything but an object.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/jsoncheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener	*tok;
	json_object	*j;
	const char	*why = NULL, *s;
	size_t		 at = (size_t)-1, len, i;
	int		 depth;

	if (size < 1)
		return 0;
	depth = data[0] % 80;
	s = (const char *)data + 1;
	len = size - 1;
	if (jsoncheck(s, len, depth, &why, &at) != ERR_OK) {
		if (why == NULL || *why == '\0' || at > len)
			abort();
		return 0;
	}
	for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'); i++)
		;
	if (i == len || (s[i] != '{' && s[i] != '['))
		return 0;
	if ((tok = json_tokener_new_ex(depth + 1)) == NULL)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	j = json_tokener_parse_ex(tok, s, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		fprintf(stderr, "jsoncheck accepts, json-c: %s at %zu of %zu\n",
		    json_tokener_error_desc(json_tokener_get_error(tok)),
		    json_tokener_get_parse_end(tok), len);
		abort();
	}
	json_object_put(j);
	json_tokener_free(tok);
	return 0;
}
