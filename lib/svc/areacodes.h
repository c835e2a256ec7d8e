/*
 * areacodes: the NANP area-code table the pool ranks by (SPEC §7).
 *
 * The table is CSV with the header line "area_code,country,latitude,
 * longitude", then one line an area code: three digits (the first 2 to 9),
 * two capital letters of country ("US", "CA"), the centre's latitude
 * (-90 to 90) and longitude (-180 to 180) in decimal degrees. It is parsed
 * once at start-up, from AREA_CODES_FILE or from the copy built in.
 */
#ifndef AREACODES_H
#define AREACODES_H

#include <stddef.h>
#include "core/err.h"

struct areacodes;

/* One area code of a table: borrowed, valid until areacodes_free(). */
struct areacode {
	double	 x, y, z;	/* the centre as a unit vector */
	char	 country[3];	/* "US", "CA"; "" when the code is absent */
};

/*
 * The table built in: etc/nanp-area-codes.csv, compiled by the Makefile
 * into areacodes_data.c, areacodes_csv_len bytes (no NUL counted).
 */
extern const char	areacodes_csv[];
extern const size_t	areacodes_csv_len;

/*
 * Parses the CSV text (len bytes, borrowed for the call). Lines end in LF
 * or CRLF, the last one optionally; blank lines are skipped. Returns ERR_OK
 * with an allocated table in *out, free with areacodes_free(); ERR_PARSE
 * (naming no line) for a wrong header, any bad line (rejected whole rather
 * than skipped, so a corrupt table is noticed), a code given twice, a NUL
 * byte or a table with no rows; ERR_NOMEM. On failure *out is NULL.
 */
enum err	 areacodes_parse(struct areacodes **out, const char *csv,
		    size_t len);
/* Frees a table; t may be NULL. */
void		 areacodes_free(struct areacodes *t);
/*
 * Area code ac's entry: borrowed, valid until areacodes_free(t); NULL when
 * t is NULL or ac is not in the table.
 */
const struct areacode *areacodes_lookup(const struct areacodes *t, int ac);
/*
 * Country ("US", "CA", ...) of area code ac: borrowed, valid until
 * areacodes_free(t); NULL when unknown. The table's answer in one word, for
 * the tests and the fuzz target that check a parsed table (the pool itself
 * uses areacodes_lookup()).
 */
const char	*areacodes_country(const struct areacodes *t, int ac);
/*
 * How close the centres of a and b are (both not NULL): the dot product of
 * their unit vectors, which grows as the great-circle distance shrinks, so
 * comparing it orders by haversine distance with no trigonometry. The
 * larger, the nearer; allocates nothing.
 */
double		 areacodes_closeness(const struct areacode *a,
		    const struct areacode *b);

#endif
