#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "core/jsoncheck.h"
#include "svc/sessattr.h"

/*
 * json-c's nesting limit when reading: above SESSATTR_MAX_DEPTH, so that
 * whatever join() took split() reads, with room for texts others wrote.
 */
#define PARSE_DEPTH	(SESSATTR_MAX_DEPTH * 2)

static const char *const mode_names[] = {
	[SESSATTR_MODE_BOTH] = "voice-and-message",
	[SESSATTR_MODE_VOICE] = "voice-only",
	[SESSATTR_MODE_MESSAGE] = "message-only",
};
#define NMODES	(sizeof(mode_names) / sizeof(mode_names[0]))

bool
sessattr_call_any(const struct sessattr *s)
{
	return s->call_record != 0 || s->call_time_limit != 0 ||
	    s->call_ring_timeout != 0;
}

bool
sessattr_any(const struct sessattr *s)
{
	return s->ttl != 0 || s->expiry != 0 || s->mode != SESSATTR_MODE_NONE ||
	    s->changed || sessattr_call_any(s);
}

bool
sessattr_mode_parse(const char *name, enum sessattr_mode *out)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 1; i < NMODES; i++)
		if (strcmp(name, mode_names[i]) == 0) {
			*out = (enum sessattr_mode)i;
			return true;
		}
	return false;
}

const char *
sessattr_mode_name(enum sessattr_mode m)
{
	return (size_t)m > 0 && (size_t)m < NMODES ? mode_names[m] : NULL;
}

void
sessattr_time_format(long long t, char out[21])
{
	struct tm	tm;
	time_t		tt;

	if (t < 0)
		t = 0;
	if (t > SESSATTR_TIME_MAX)
		t = SESSATTR_TIME_MAX;
	tt = (time_t)t;
	memset(&tm, 0, sizeof(tm));
	gmtime_r(&tt, &tm);
	/* The clamp keeps the year to 1970..9999: exactly 20 characters. */
	if (strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		out[0] = '\0';
}

/*
 * The number in the n decimal digits at s, or -1 when one of them is not
 * a digit; reads nothing past a NUL.
 */
static int
digits(const char *s, int n)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Days from 1970-01-01 to the date (proleptic Gregorian; H. Hinnant's). */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long
sessattr_time_parse(const char *s)
{
	const char	*p;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	long long	 t;

	if (s == NULL)
		return -1;
	if ((y = digits(s, 4)) < 0 || s[4] != '-' ||
	    (mo = digits(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = digits(s + 8, 2)) < 0 || (s[10] != 'T' && s[10] != 't') ||
	    (h = digits(s + 11, 2)) < 0 || s[13] != ':' ||
	    (mi = digits(s + 14, 2)) < 0 || s[16] != ':' ||
	    (sec = digits(s + 17, 2)) < 0)
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			continue;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if ((oh = digits(p + 1, 2)) < 0 || p[3] != ':' ||
		    (om = digits(p + 4, 2)) < 0)
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || sec > 59 ||
	    oh > 23 || om > 59)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	return t >= 0 && t <= SESSATTR_TIME_MAX ? t : -1;
}

/* Whether every field of s is in its range. */
static bool
fields_ok(const struct sessattr *s)
{
	return s->ttl >= 0 && s->expiry >= 0 && s->expiry <= SESSATTR_TIME_MAX &&
	    (s->mode == SESSATTR_MODE_NONE || sessattr_mode_name(s->mode) !=
	    NULL) && s->call_record >= 0 && s->call_record <= 2 &&
	    s->call_time_limit >= 0 &&
	    s->call_time_limit <= SESSATTR_TIME_LIMIT_MAX &&
	    (s->call_ring_timeout == 0 ||
	    (s->call_ring_timeout >= SESSATTR_RING_MIN &&
	    s->call_ring_timeout <= SESSATTR_RING_MAX));
}

/* Appends sep and "call":{...}, the keys of s's call policy that are set. */
static enum err
call_write(struct buf *b, const char *sep, const struct sessattr *s)
{
	const char	*in = "";
	enum err	 e;

	if ((e = buf_printf(b, "%s\"call\":{", sep)) != ERR_OK)
		return e;
	if (s->call_record != 0) {
		if ((e = buf_printf(b, "\"record\":%s", s->call_record == 2 ?
		    "true" : "false")) != ERR_OK)
			return e;
		in = ",";
	}
	if (s->call_time_limit != 0) {
		if ((e = buf_printf(b, "%s\"timeLimit\":%ld", in,
		    s->call_time_limit)) != ERR_OK)
			return e;
		in = ",";
	}
	if (s->call_ring_timeout != 0 &&
	    (e = buf_printf(b, "%s\"ringTimeout\":%ld", in,
	    s->call_ring_timeout)) != ERR_OK)
		return e;
	return buf_putc(b, '}');
}

/*
 * Appends our member, "maskedSession":{...}, as join() writes it and
 * split() expects it, to b.
 */
static enum err
member_write(struct buf *b, const struct sessattr *s)
{
	char		 when[21];
	const char	*sep = "";
	enum err	 e;

	if ((e = buf_puts(b, "\"" SESSATTR_KEY "\":{")) != ERR_OK)
		return e;
	if (s->ttl != 0) {
		if ((e = buf_printf(b, "\"ttl\":%ld", s->ttl)) != ERR_OK)
			return e;
		sep = ",";
	}
	if (s->expiry != 0) {
		sessattr_time_format(s->expiry, when);
		if ((e = buf_printf(b, "%s\"dateExpiry\":\"%s\"", sep, when)) !=
		    ERR_OK)
			return e;
		sep = ",";
	}
	if (s->mode != SESSATTR_MODE_NONE) {
		/* Mode names need no escaping. */
		if ((e = buf_printf(b, "%s\"mode\":\"%s\"", sep,
		    sessattr_mode_name(s->mode))) != ERR_OK)
			return e;
		sep = ",";
	}
	if (sessattr_call_any(s)) {
		if ((e = call_write(b, sep, s)) != ERR_OK)
			return e;
		sep = ",";
	}
	if (s->changed &&
	    (e = buf_printf(b, "%s\"changed\":true", sep)) != ERR_OK)
		return e;
	return buf_putc(b, '}');
}

/*
 * Parses the len bytes at text with json-c into *j; returns an allocated
 * object, free with json_object_put(). *j is NULL when the text does not
 * start with a JSON value, or (whole) when more than blanks follow it.
 * ERR_NOMEM when no tokener could be had; json-c 0.16 does not tell a
 * parse that ran out of memory from a bad text, so that one is NULL too.
 */
static enum err
parse(const char *text, size_t len, bool whole, json_object **j)
{
	json_tokener	*tok;
	size_t		 end;

	*j = NULL;
	if (len > INT_MAX)
		return ERR_OK;
	if ((tok = json_tokener_new_ex(PARSE_DEPTH)) == NULL)
		return ERR_NOMEM;
	*j = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A bare number may go on: its end is only known at the end. */
	if (*j == NULL && json_tokener_get_error(tok) == json_tokener_continue) {
		*j = json_tokener_parse_ex(tok, "", 1);
		end = len;
	}
	if (*j != NULL && whole) {
		/* json-c stops after the value: what follows must be blank. */
		for (; end < len; end++)
			if (strchr(" \t\r\n", text[end]) == NULL ||
			    text[end] == '\0') {
				json_object_put(*j);
				*j = NULL;
				break;
			}
	}
	json_tokener_free(tok);
	return ERR_OK;
}

enum err
sessattr_join(const char *caller, size_t len, const struct sessattr *s,
    struct buf *out, const char **why)
{
	json_object	*j = NULL;
	struct buf	 b;
	const char	*w;
	size_t		 at, k;
	bool		 empty = false;
	enum err	 e;

	buf_init(&b, out->max > out->len ? out->max - out->len : 0);
	if (caller == NULL)
		len = 0;
	if (!fields_ok(s)) {
		*why = "ttl, dateExpiry or mode is out of range";
		e = ERR_INVAL;
		goto fail;
	}
	if (len > 0) {
		if ((e = jsoncheck(caller, len, SESSATTR_MAX_DEPTH, &w,
		    &at)) != ERR_OK) {
			if (e == ERR_NOMEM)
				goto fail;
			*why = "attributes must be valid JSON";
			e = ERR_INVAL;
			goto fail;
		}
		if ((e = parse(caller, len, true, &j)) != ERR_OK)
			goto fail;
		if (j == NULL) {
			*why = "attributes must be valid JSON";
			e = ERR_INVAL;
			goto fail;
		}
		if (json_object_is_type(j, json_type_object)) {
			if (json_object_object_get_ex(j, SESSATTR_KEY, NULL)) {
				*why = "attributes must not have the key "
				    "\"" SESSATTR_KEY "\": the service keeps "
				    "its own data there";
				e = ERR_INVAL;
				goto fail;
			}
			empty = json_object_object_length(j) == 0;
		} else if (sessattr_any(s)) {
			*why = "attributes must be a JSON object to hold the "
			    "session's ttl, dateExpiry or mode";
			e = ERR_INVAL;
			goto fail;
		}
	}

	if (!sessattr_any(s))
		e = buf_append(&b, caller, len);
	else if (len == 0) {
		if ((e = buf_putc(&b, '{')) == ERR_OK &&
		    (e = member_write(&b, s)) == ERR_OK)
			e = buf_putc(&b, '}');
	} else {
		/* jsoncheck said: an object, blanks around it. */
		for (k = len - 1; caller[k] != '}'; k--)
			continue;
		if ((e = buf_append(&b, caller, k)) == ERR_OK &&
		    (empty || (e = buf_putc(&b, ',')) == ERR_OK) &&
		    (e = member_write(&b, s)) == ERR_OK)
			e = buf_append(&b, caller + k, len - k);
	}
	if (e != ERR_OK)
		goto fail;
	if (b.len > 0)
		e = buf_append(out, b.data, b.len);
fail:
	json_object_put(j);
	buf_free(&b);
	return e;
}

/* Reads our "call" (any JSON value) into s; what is out of range is ignored. */
static void
call_read(json_object *c, struct sessattr *s)
{
	json_object	*v;
	int64_t		 n;

	if (!json_object_is_type(c, json_type_object))
		return;
	if (json_object_object_get_ex(c, "record", &v) &&
	    json_object_is_type(v, json_type_boolean))
		s->call_record = json_object_get_boolean(v) ? 2 : 1;
	if (json_object_object_get_ex(c, "timeLimit", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) >= 1 && n <= SESSATTR_TIME_LIMIT_MAX)
		s->call_time_limit = (long)n;
	if (json_object_object_get_ex(c, "ringTimeout", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) >= SESSATTR_RING_MIN &&
	    n <= SESSATTR_RING_MAX)
		s->call_ring_timeout = (long)n;
}

/* Reads our member m (any JSON value) into s, ignoring what is not ours. */
static void
member_read(json_object *m, struct sessattr *s)
{
	json_object	*v;
	int64_t		 n;
	long long	 t;

	if (!json_object_is_type(m, json_type_object))
		return;
	if (json_object_object_get_ex(m, "ttl", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) > 0 && n <= LONG_MAX)
		s->ttl = (long)n;
	if (json_object_object_get_ex(m, "dateExpiry", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (t = sessattr_time_parse(json_object_get_string(v))) > 0)
		s->expiry = t;
	if (json_object_object_get_ex(m, "mode", &v) &&
	    json_object_is_type(v, json_type_string))
		sessattr_mode_parse(json_object_get_string(v), &s->mode);
	if (json_object_object_get_ex(m, "call", &v))
		call_read(v, s);
	if (json_object_object_get_ex(m, "changed", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v))
		s->changed = true;
}

/*
 * The caller's text cut out of stored (len bytes), when stored ends as
 * join() leaves it: our member (as member_write() writes s) just before
 * the final '}', after a ',' or not; j is stored parsed, our key deleted.
 * Sets *caller (allocated) only when the text left, parsed, equals j:
 * then the cut took our member and nothing else.
 */
static enum err
cut_exact(const char *stored, size_t len, const struct sessattr *s,
    json_object *j, char **caller)
{
	struct buf	 m, rest;
	json_object	*r = NULL;
	size_t		 k, from;
	enum err	 e;

	buf_init(&m, 256);
	buf_init(&rest, len);
	for (k = len; k > 0 && strchr(" \t\r\n", stored[k - 1]) != NULL; k--)
		continue;
	if (k == 0 || stored[--k] != '}')
		goto done;
	if ((e = member_write(&m, s)) != ERR_OK)
		goto fail;
	if (k < m.len || memcmp(stored + k - m.len, m.data, m.len) != 0)
		goto done;
	from = k - m.len;
	if (from > 0 && stored[from - 1] == ',')
		from--;
	if ((e = buf_append(&rest, stored, from)) != ERR_OK ||
	    (e = buf_append(&rest, stored + k, len - k)) != ERR_OK ||
	    (e = parse(buf_str(&rest), rest.len, true, &r)) != ERR_OK)
		goto fail;
	if (r != NULL && json_object_equal(r, j) &&
	    (*caller = buf_detach(&rest)) == NULL) {
		e = ERR_NOMEM;
		goto fail;
	}
done:
	e = ERR_OK;
fail:
	json_object_put(r);
	buf_free(&m);
	buf_free(&rest);
	return e;
}

enum err
sessattr_split(const char *stored, char **caller, struct sessattr *s)
{
	json_object	*j = NULL, *m;
	const char	*plain;
	size_t		 len;
	enum err	 e;

	memset(s, 0, sizeof(*s));
	*caller = NULL;
	if (stored == NULL)
		return (*caller = strdup("{}")) == NULL ? ERR_NOMEM : ERR_OK;
	len = strlen(stored);
	/*
	 * Read as leniently as json-c reads: if it sees our key, the key
	 * goes, whatever follows (Twilio takes only JSON: nothing should).
	 */
	if ((e = parse(stored, len, false, &j)) != ERR_OK)
		return e;
	if (j == NULL || !json_object_is_type(j, json_type_object) ||
	    !json_object_object_get_ex(j, SESSATTR_KEY, &m)) {
		json_object_put(j);
		return (*caller = strdup(stored)) == NULL ? ERR_NOMEM : ERR_OK;
	}
	member_read(m, s);
	/* m is j's: gone with the key. */
	json_object_object_del(j, SESSATTR_KEY);
	if ((e = cut_exact(stored, len, s, j, caller)) != ERR_OK)
		goto fail;
	if (*caller == NULL) {
		plain = json_object_to_json_string_ext(j,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (plain == NULL || (*caller = strdup(plain)) == NULL) {
			e = ERR_NOMEM;
			goto fail;
		}
	}
	e = ERR_OK;
fail:
	json_object_put(j);
	return e;
}
