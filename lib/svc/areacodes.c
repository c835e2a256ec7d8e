#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svc/areacodes.h"

#define AREA_CODES	1000	/* area codes are three digits: a direct index */
#define AREAS_HEADER	"area_code,country,latitude,longitude"

struct areacodes {
	struct areacode	 ac[AREA_CODES];
};

/*
 * A coordinate: optional sign, digits, optional fraction. Checked by hand
 * because strtod would also take "nan", "inf", hex and leading blanks.
 */
static enum err
parse_coord(const char *s, size_t len, double min, double max, double *out)
{
	char	 tmp[32], *end;
	size_t	 i, digits = 0;
	int	 dot = 0;

	if (len == 0 || len >= sizeof(tmp))
		return ERR_PARSE;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else if ((s[i] == '-' || s[i] == '+') && i == 0)
			continue;
		else
			return ERR_PARSE;
	}
	if (digits == 0)
		return ERR_PARSE;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, &end);
	if (*end != '\0' || !isfinite(*out) || *out < min || *out > max)
		return ERR_PARSE;
	return ERR_OK;
}

/* One data line, without its line end. */
static enum err
parse_area_line(struct areacodes *t, const char *s, size_t len)
{
	const char	*f[4];
	size_t		 flen[4], nf, i;
	const char	*p, *end, *comma;
	struct areacode	*a;
	double		 lat, lon;
	int		 ac;

	for (nf = 0, p = s, end = s + len; ; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		if (nf == 4)
			return ERR_PARSE;
		f[nf] = p;
		flen[nf++] = (size_t)(comma - p);
		if (comma == end)
			break;
	}
	if (nf != 4)
		return ERR_PARSE;

	if (flen[0] != 3 || f[0][0] < '2' || f[0][0] > '9')
		return ERR_PARSE;
	for (ac = 0, i = 0; i < 3; i++) {
		if (f[0][i] < '0' || f[0][i] > '9')
			return ERR_PARSE;
		ac = ac * 10 + (f[0][i] - '0');
	}
	if (flen[1] != 2 || f[1][0] < 'A' || f[1][0] > 'Z' ||
	    f[1][1] < 'A' || f[1][1] > 'Z')
		return ERR_PARSE;
	if (parse_coord(f[2], flen[2], -90.0, 90.0, &lat) != ERR_OK ||
	    parse_coord(f[3], flen[3], -180.0, 180.0, &lon) != ERR_OK)
		return ERR_PARSE;

	a = &t->ac[ac];
	if (a->country[0] != '\0')
		return ERR_PARSE;	/* the same code twice */
	a->country[0] = f[1][0];
	a->country[1] = f[1][1];
	a->country[2] = '\0';
	lat *= M_PI / 180.0;
	lon *= M_PI / 180.0;
	a->x = cos(lat) * cos(lon);
	a->y = cos(lat) * sin(lon);
	a->z = sin(lat);
	return ERR_OK;
}

/* A table with no rows is as corrupt as one with a bad row. */
enum err
areacodes_parse(struct areacodes **out, const char *csv, size_t len)
{
	struct areacodes	*t = NULL;
	const char		*p, *end, *nl;
	size_t			 llen, rows = 0;
	int			 header = 1;
	enum err		 e;

	*out = NULL;
	if (csv == NULL || memchr(csv, '\0', len) != NULL)
		return ERR_PARSE;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_NOMEM;
	for (p = csv, end = csv + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		llen = (size_t)(nl - p);
		if (llen > 0 && p[llen - 1] == '\r')
			llen--;
		if (header) {
			if (llen != strlen(AREAS_HEADER) ||
			    memcmp(p, AREAS_HEADER, llen) != 0) {
				e = ERR_PARSE;
				goto fail;
			}
			header = 0;
			continue;
		}
		if (llen == 0)
			continue;
		if ((e = parse_area_line(t, p, llen)) != ERR_OK)
			goto fail;
		rows++;
	}
	if (rows == 0) {
		e = ERR_PARSE;
		goto fail;
	}
	*out = t;
	return ERR_OK;
fail:
	free(t);
	return e;
}

void
areacodes_free(struct areacodes *t)
{
	free(t);
}

const struct areacode *
areacodes_lookup(const struct areacodes *t, int ac)
{
	if (t == NULL || ac < 0 || ac >= AREA_CODES ||
	    t->ac[ac].country[0] == '\0')
		return NULL;
	return &t->ac[ac];
}

const char *
areacodes_country(const struct areacodes *t, int ac)
{
	const struct areacode *a;

	return (a = areacodes_lookup(t, ac)) != NULL ? a->country : NULL;
}

/*
 * Great-circle distance grows with the chord between two points, and the
 * chord shrinks as the dot product of their unit vectors grows: comparing
 * dot products orders by haversine distance with no trigonometry (and no
 * allocation) per comparison.
 */
double
areacodes_closeness(const struct areacode *a, const struct areacode *b)
{
	return a->x * b->x + a->y * b->y + a->z * b->z;
}
