/* test_mark: the crash-recovery marker and the made-up unique names. */
#include <string.h>

#include "svc/mark.h"
#include "t.h"

static void
test_attributes(void)
{
	char	 out[MARK_ATTRS_LEN], tiny[8];

	T_CHECK(mark_attributes(out, sizeof(out), 3) == ERR_OK);
	T_STREQ(out, "{\"maskedSession\":{\"parties\":3}}");
	T_CHECK(mark_attributes(out, sizeof(out), 50) == ERR_OK);
	T_STREQ(out, "{\"maskedSession\":{\"parties\":50}}");
	T_CHECK(mark_attributes(tiny, sizeof(tiny), 3) == ERR_TOOBIG);
	/* What it writes, it reads back. */
	T_CHECK(mark_attributes(out, sizeof(out), 7) == ERR_OK);
	T_CHECK(mark_parties(out) == 7);
}

static void
test_parties(void)
{
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":2}}") == 2);
	T_CHECK(mark_parties("{\"other\":1,\"maskedSession\":{\"parties\":1000}}")
	    == 1000);
	/* Out of range, of the wrong type, absent, not JSON: no marker. */
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":1001}}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":0}}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":-2}}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":\"2\"}}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":{\"parties\":2.5}}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":2}") == 0);
	T_CHECK(mark_parties("{\"maskedSession\":null}") == 0);
	T_CHECK(mark_parties("{\"parties\":2}") == 0);
	T_CHECK(mark_parties("{}") == 0);
	T_CHECK(mark_parties("[1]") == 0);
	T_CHECK(mark_parties("{") == 0);
	T_CHECK(mark_parties("") == 0);
	T_CHECK(mark_parties(NULL) == 0);
}

static void
test_names(void)
{
	char	 a[MARK_NAME_LEN], b[MARK_NAME_LEN];
	size_t	 i;

	T_CHECK(mark_name(a, sizeof(a)) == ERR_OK);
	T_CHECK(mark_name(b, sizeof(b)) == ERR_OK);
	T_CHECK(strlen(a) == strlen(MARK_NAME_PREFIX) + 32);
	T_CHECK(strncmp(a, "masked-", 7) == 0);
	for (i = 7; a[i] != '\0'; i++)
		T_CHECK(strchr("0123456789abcdef", a[i]) != NULL);
	T_CHECK(strcmp(a, b) != 0);		/* 128 random bits */
	T_CHECK(mark_named(a) && mark_named(b));
	T_CHECK(mark_named("masked-"));
	T_CHECK(!mark_named("ride-42"));
	T_CHECK(!mark_named("Masked-00"));
	T_CHECK(!mark_named("masked"));
	T_CHECK(!mark_named(""));
	T_CHECK(!mark_named(NULL));
}

int
main(void)
{
	T_RUN(test_attributes);
	T_RUN(test_parties);
	T_RUN(test_names);
	T_END();
}
