#include <stdlib.h>
#include <string.h>

#include "svc/areacodes.h"
#include "t.h"

#define HDR	"area_code,country,latitude,longitude\n"

static void
test_builtin(void)
{
	struct areacodes	*t = NULL;
	const struct areacode	*sf, *la, *ny, *van;

	T_CHECK(areacodes_csv_len == strlen(areacodes_csv));
	T_CHECK(areacodes_parse(&t, areacodes_csv, areacodes_csv_len) == ERR_OK);
	sf = areacodes_lookup(t, 415);
	la = areacodes_lookup(t, 213);
	ny = areacodes_lookup(t, 212);
	van = areacodes_lookup(t, 604);
	T_CHECK(sf != NULL && la != NULL && ny != NULL && van != NULL);
	if (sf == NULL || la == NULL || ny == NULL || van == NULL)
		goto out;
	T_STREQ(sf->country, "US");
	T_STREQ(van->country, "CA");
	T_STREQ(areacodes_country(t, 604), van->country);
	/* San Francisco is nearer Los Angeles than New York. */
	T_CHECK(areacodes_closeness(sf, la) > areacodes_closeness(sf, ny));
	/* Nothing is nearer than itself; closeness is symmetric. */
	T_CHECK(areacodes_closeness(sf, sf) >= areacodes_closeness(sf, la));
	T_CHECK(areacodes_closeness(sf, ny) == areacodes_closeness(ny, sf));
out:
	areacodes_free(t);
}

static void
test_lookup(void)
{
	static const char	 csv[] = HDR "201,US,0,0\r\n\n999,CA,90,180\n";
	struct areacodes	*t = NULL;
	const struct areacode	*a;

	T_CHECK(areacodes_parse(&t, csv, sizeof(csv) - 1) == ERR_OK);
	T_CHECK((a = areacodes_lookup(t, 201)) != NULL && a->x == 1.0 &&
	    a->y == 0.0 && a->z == 0.0);
	T_CHECK((a = areacodes_lookup(t, 999)) != NULL &&
	    a->z > 0.999999);
	T_CHECK(areacodes_lookup(t, 202) == NULL);
	T_CHECK(areacodes_lookup(t, -1) == NULL);
	T_CHECK(areacodes_lookup(t, 1000) == NULL);
	T_CHECK(areacodes_lookup(NULL, 201) == NULL);
	T_CHECK(areacodes_country(t, 202) == NULL);
	areacodes_free(t);
	areacodes_free(NULL);
}

static void
test_refused(void)
{
	struct areacodes	*t = (struct areacodes *)1;

	T_CHECK(areacodes_parse(&t, HDR, strlen(HDR)) == ERR_PARSE);
	T_CHECK(t == NULL);
	T_CHECK(areacodes_parse(&t, NULL, 0) == ERR_PARSE);
	T_CHECK(areacodes_parse(&t, "", 0) == ERR_PARSE);
	T_CHECK(areacodes_parse(&t, HDR "201,US,0,0\n201,US,1,1\n",
	    strlen(HDR "201,US,0,0\n201,US,1,1\n")) == ERR_PARSE);
	T_CHECK(areacodes_parse(&t, HDR "201,US,nan,0\n",
	    strlen(HDR "201,US,nan,0\n")) == ERR_PARSE);
	T_CHECK(t == NULL);
}

int
main(void)
{
	T_RUN(test_builtin);
	T_RUN(test_lookup);
	T_RUN(test_refused);
	T_END();
}
