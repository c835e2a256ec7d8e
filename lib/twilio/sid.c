#include <string.h>

#include "core/hex.h"
#include "twilio/sid.h"

bool
sid_valid(const char *s, const char *prefix)
{
	size_t i;

	if (s == NULL || strlen(s) != SID_LEN || strncmp(s, prefix, 2) != 0)
		return false;
	for (i = 2; i < SID_LEN; i++)
		if (hex_digit((unsigned char)s[i]) < 0)
			return false;
	return true;
}
