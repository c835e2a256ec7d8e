#include <stdlib.h>

#include "core/e164.h"
#include "t.h"

static void
test_valid(void)
{
	T_CHECK(e164_valid("+14155550100"));
	T_CHECK(e164_valid("+12"));
	T_CHECK(e164_valid("+447700900123"));
	T_CHECK(e164_valid("+123456789012345"));	/* 15 digits */
	T_CHECK(!e164_valid("+1234567890123456"));	/* 16 */
	T_CHECK(!e164_valid("+1"));
	T_CHECK(!e164_valid("+"));
	T_CHECK(!e164_valid(""));
	T_CHECK(!e164_valid(NULL));
	T_CHECK(!e164_valid("+0123"));
	T_CHECK(!e164_valid("14155550100"));
	T_CHECK(!e164_valid("++14155550100"));
	T_CHECK(!e164_valid("+1415555010a"));
	T_CHECK(!e164_valid("+1 415 555 0100"));
	T_CHECK(!e164_valid(" +14155550100"));
	T_CHECK(!e164_valid("+14155550100 "));
	T_CHECK(!e164_valid("+1-415-555-0100"));
	T_CHECK(!e164_valid("+1415555\n0100"));
	T_CHECK(!e164_valid("+\xd9\xa1\xd9\xa2"));	/* Arabic-Indic digits */
}

static void
test_dialable(void)
{
	T_CHECK(e164_dialable("+14155550100"));
	T_CHECK(e164_dialable("+74951234567"));
	T_CHECK(e164_dialable("+447700900123"));
	T_CHECK(e164_dialable("+6831234"));		/* Niue: 4 digits */
	T_CHECK(e164_dialable("+861234567890123"));	/* 15 in all */
	T_CHECK(e164_dialable("+35312345"));
	/* +1 and +7: exactly ten after the country code. */
	T_CHECK(!e164_dialable("+1415555"));
	T_CHECK(!e164_dialable("+1415555010"));
	T_CHECK(!e164_dialable("+141555501000"));
	T_CHECK(!e164_dialable("+12"));
	T_CHECK(!e164_dialable("+123456789012345"));
	T_CHECK(!e164_dialable("+7495123456"));
	T_CHECK(!e164_dialable("+749512345678"));
	/* Elsewhere: at least four. */
	T_CHECK(!e164_dialable("+683123"));
	T_CHECK(!e164_dialable("+44123"));
	T_CHECK(!e164_dialable("+44"));
	T_CHECK(!e164_dialable("+35"));
	/* Not even the form. */
	T_CHECK(!e164_dialable("+8612345678901234"));
	T_CHECK(!e164_dialable("14155550100"));
	T_CHECK(!e164_dialable(NULL));
}

static void
test_cc_len(void)
{
	static const struct {
		const char	*number;
		size_t		 len;
	} cases[] = {
		{ "+14155550100", 1 },
		{ "+74951234567", 1 },
		{ "+447700900123", 2 },
		{ "+4930123456", 2 },
		{ "+201234567", 2 },
		{ "+27123456789", 2 },
		{ "+33123456789", 2 },
		{ "+39123456789", 2 },
		{ "+861012345678", 2 },
		{ "+98123456789", 2 },
		{ "+35312345678", 3 },
		{ "+8801712345678", 3 },
		{ "+971501234567", 3 },
		{ "+35123456789", 3 }, /* Portugal */
		{ "+42012345678", 3 }, /* Czechia */
		{ "+21212345678", 3 }, /* Morocco */
		{ "+99512345678", 3 }, /* Georgia */
		{ "+85212345678", 3 }, /* Hong Kong */
		/* Too short for its whole code: the digits there are. */
		{ "+44", 2 },
		{ "+35", 2 },
		{ "+1", 0 },
		{ "44", 0 },
		{ NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (e164_cc_len(cases[i].number) != cases[i].len) {
			fprintf(stderr, "e164_cc_len(%s) != %zu\n",
			    cases[i].number ? cases[i].number : "NULL", cases[i].len);
			T_CHECK(e164_cc_len(cases[i].number) == cases[i].len);
		}
}

static void
test_same_cc(void)
{
	T_CHECK(e164_same_cc("+14155550100", "+16045550100"));
	T_CHECK(e164_same_cc("+447700900123", "+442079460000"));
	T_CHECK(!e164_same_cc("+447700900123", "+4930123456"));
	T_CHECK(e164_same_cc("+35312345678", "+353861234567"));
	T_CHECK(!e164_same_cc("+35312345678", "+35412345678"));
	T_CHECK(!e164_same_cc("+14155550100", "+74951234567"));
	T_CHECK(!e164_same_cc("+35", "+35312345678"));
	T_CHECK(!e164_same_cc("+14155550100", "x"));
	T_CHECK(!e164_same_cc(NULL, "+14155550100"));
}

static void
test_nanp_area(void)
{
	T_CHECK(e164_nanp_area("+14155550100") == 415);
	T_CHECK(e164_nanp_area("+12125550100") == 212);
	T_CHECK(e164_nanp_area("+16045550100") == 604);
	T_CHECK(e164_nanp_area("+1415555010") == -1);	/* nine digits */
	T_CHECK(e164_nanp_area("+141555501000") == -1);	/* eleven */
	T_CHECK(e164_nanp_area("+447700900123") == -1);
	T_CHECK(e164_nanp_area("+74155550100") == -1);
	T_CHECK(e164_nanp_area("14155550100") == -1);
	T_CHECK(e164_nanp_area("+1415555010x") == -1);
	T_CHECK(e164_nanp_area(NULL) == -1);
}

int
main(void)
{
	T_RUN(test_valid);
	T_RUN(test_dialable);
	T_RUN(test_cc_len);
	T_RUN(test_same_cc);
	T_RUN(test_nanp_area);
	T_END();
}
