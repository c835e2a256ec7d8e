/*
 * fuzz_envfile: any env file must parse or be refused with a line number;
 * names handed out are non-empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
check(const char *name, const char *value, void *arg)
{
	(void)value;
	(void)arg;
	if (name[0] == '\0')
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int bad = 0;

	if (config_envfile_parse((const char *)data, size, check, NULL, &bad) ==
	    ERR_PARSE && bad < 1)
		abort();
	return 0;
}
