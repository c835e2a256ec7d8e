#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "app/config.h"
#include "core/e164.h"
#include "core/log.h"
#include "svc/pagetok.h"
#include "svc/pool.h"
#include "twilio/sid.h"

#define ENVFILE_MAX	(1024 * 1024)
#define POOLFILE_MAX	(1024 * 1024)

extern const char	areacodes_csv[];
extern const size_t	areacodes_csv_len;

/* The env file's assignments, looked up after the process environment. */
struct envfile {
	char	**names;
	char	**values;
	size_t	  n;
};

static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* Parses one line [p, end) into name and value; 1 if it is blank or a comment. */
static int
envfile_line(const char *p, const char *end, struct buf *name, struct buf *value)
{
	const char *q;

	p = skip_blanks(p, end);
	if (p == end || *p == '#')
		return 1;
	if (end - p > 7 && strncmp(p, "export", 6) == 0 &&
	    (p[6] == ' ' || p[6] == '\t'))
		p = skip_blanks(p + 6, end);
	for (q = p; q < end && (isalnum((unsigned char)*q) || *q == '_' ||
	    *q == '.' || *q == '-'); q++)
		;
	if (q == p)
		return -1;
	if (buf_append(name, p, (size_t)(q - p)) != ERR_OK)
		return -1;
	p = skip_blanks(q, end);
	if (p == end || *p != '=')
		return -1;
	p = skip_blanks(p + 1, end);
	if (p < end && *p == '\'') {
		for (q = ++p; q < end && *q != '\''; q++)
			;
		if (q == end || buf_append(value, p, (size_t)(q - p)) != ERR_OK)
			return -1;
		p = skip_blanks(q + 1, end);
	} else if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			char c = *p;
			if (c == '\\' && p + 1 < end) {
				c = *++p;
				if (c == 'n')
					c = '\n';
			}
			if (buf_putc(value, c) != ERR_OK)
				return -1;
		}
		if (p == end)
			return -1;
		p = skip_blanks(p + 1, end);
	} else {
		/* q[-1] is the '=' or a blank at worst: "KEY= #c" is empty. */
		for (q = p; q < end && !(*q == '#' &&
		    (q[-1] == ' ' || q[-1] == '\t')); q++)
			;
		end = q;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (buf_append(value, p, (size_t)(end - p)) != ERR_OK)
			return -1;
		return 0;
	}
	/* After a quoted value only a comment may follow. */
	return (p == end || *p == '#') ? 0 : -1;
}

enum err
config_envfile_parse(const char *text, size_t len,
    int (*set)(const char *, const char *, void *), void *arg, int *bad_line)
{
	const char	*p = text, *end = text + len, *eol;
	struct buf	 name, value;
	int		 line = 0, r;
	enum err	 e = ERR_OK;

	buf_init(&name, 256);
	buf_init(&value, 64 * 1024);
	while (p < end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		buf_reset(&name);
		buf_reset(&value);
		r = envfile_line(p, (eol > p && eol[-1] == '\r') ? eol - 1 : eol,
		    &name, &value);
		if (r < 0 || memchr(p, '\0', (size_t)(eol - p)) != NULL) {
			if (bad_line != NULL)
				*bad_line = line;
			e = ERR_PARSE;
			goto out;
		}
		if (r == 0 && set(buf_str(&name), buf_str(&value), arg) != 0) {
			e = ERR_NOMEM;
			goto out;
		}
		if (eol == end)
			break;		/* no pointer past one beyond the text */
		p = eol + 1;
	}
out:
	buf_free(&name);
	buf_free(&value);
	return e;
}

static int
envfile_set(const char *name, const char *value, void *arg)
{
	struct envfile	*f = arg;
	char		**n, **v;

	if ((n = realloc(f->names, (f->n + 1) * sizeof(*n))) == NULL)
		return -1;
	f->names = n;
	if ((v = realloc(f->values, (f->n + 1) * sizeof(*v))) == NULL)
		return -1;
	f->values = v;
	n[f->n] = strdup(name);
	v[f->n] = strdup(value);
	if (n[f->n] == NULL || v[f->n] == NULL) {
		free(n[f->n]);
		free(v[f->n]);
		return -1;
	}
	f->n++;
	return 0;
}

static void
envfile_free(struct envfile *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->names[i]);
		free(f->values[i]);
	}
	free(f->names);
	free(f->values);
}

/* Reads a whole file of at most max bytes into an allocated buffer. */
static enum err
read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd;
	enum err	 e = ERR_OK;

	buf_init(&b, max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_SYS;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = ERR_SYS;
			break;
		}
		if ((e = buf_append(&b, chunk, (size_t)n)) != ERR_OK)
			break;
	}
	close(fd);
	if (e != ERR_OK) {
		buf_free(&b);
		return e;
	}
	*outlen = b.len;
	if ((*out = buf_detach(&b)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

struct loader {
	struct config	*c;
	struct envfile	 file;
	int		 nomem;
};

/* The value of name: the environment's, else the env file's (last wins), else NULL. */
static const char *
lookup(const struct loader *l, const char *name)
{
	const char	*v;
	size_t		 i;

	if ((v = getenv(name)) != NULL)
		return v;
	for (i = l->file.n; i > 0; i--)
		if (strcmp(l->file.names[i - 1], name) == 0)
			return l->file.values[i - 1];
	return NULL;
}

/* Like lookup(), but an empty value counts as unset. */
static const char *
lookup_set(const struct loader *l, const char *name)
{
	const char *v = lookup(l, name);

	return (v != NULL && *v != '\0') ? v : NULL;
}

static void
problem(struct loader *l, unsigned scope, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct loader *l, unsigned scope, const char *fmt, ...)
{
	struct config	*c = l->c;
	va_list		 ap;
	char		*s;

	if (c->nproblems == CONFIG_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		l->nomem = 1;
		va_end(ap);
		return;
	}
	va_end(ap);
	c->problems[c->nproblems].scope = scope;
	c->problems[c->nproblems++].text = s;
}

static void
warning(struct loader *l, const char *text)
{
	struct config *c = l->c;

	if (c->nwarnings == CONFIG_MAX_PROBLEMS)
		return;
	if ((c->warnings[c->nwarnings] = strdup(text)) == NULL) {
		l->nomem = 1;
		return;
	}
	c->nwarnings++;
}

/* Copies the value of the first of names that is set, or def, into *out. */
static void
get_str(struct loader *l, char **out, const char *def, const char *name,
    const char *alias)
{
	const char *v;

	if ((v = lookup_set(l, name)) == NULL && alias != NULL)
		v = lookup_set(l, alias);
	if (v == NULL)
		v = def;
	if (v == NULL)
		return;
	if ((*out = strdup(v)) == NULL)
		l->nomem = 1;
}

static void
get_long(struct loader *l, long *out, long def, long min, long max,
    const char *name)
{
	const char	*v;
	char		*end;
	long		 n;

	*out = def;
	if ((v = lookup_set(l, name)) == NULL)
		return;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		problem(l, CONFIG_FOR_ALL, "%s: must be a whole number from "
		    "%ld to %ld", name, min, max);
		return;
	}
	*out = n;
}

static void
get_bool(struct loader *l, bool *out, bool def, const char *name)
{
	const char *v;

	*out = def;
	if ((v = lookup_set(l, name)) == NULL)
		return;
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") ||
	    !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") ||
	    !strcmp(v, "no"))
		*out = false;
	else
		problem(l, CONFIG_FOR_ALL, "%s: must be on or off", name);
}


/* A base URL: http(s)://, no trailing slash kept. */
static void
get_url(struct loader *l, char **out, const char *def, const char *name)
{
	size_t n;

	get_str(l, out, def, name, NULL);
	if (*out == NULL)
		return;
	if (strncmp(*out, "https://", 8) != 0 && strncmp(*out, "http://", 7) != 0) {
		problem(l, CONFIG_FOR_ALL, "%s: must start with https:// or http://",
		    name);
		return;
	}
	n = strlen(*out);
	while (n > 0 && (*out)[n - 1] == '/')
		(*out)[--n] = '\0';
}

/*
 * The default host of a Twilio product, with edge and region as Twilio's SDKs
 * build it: {product}.{edge}.{region}.twilio.com, the region defaulting to
 * us1 when only an edge is given.
 */
static void
twilio_host(struct loader *l, char **out, const char *name, const char *product)
{
	const char	*edge = lookup_set(l, "TWILIO_EDGE");
	const char	*region = lookup_set(l, "TWILIO_REGION");
	char		*def = NULL;
	int		 r;

	if (edge == NULL && region == NULL)
		r = asprintf(&def, "https://%s.twilio.com", product);
	else if (edge == NULL)
		r = asprintf(&def, "https://%s.%s.twilio.com", product, region);
	else
		r = asprintf(&def, "https://%s.%s.%s.twilio.com", product, edge,
		    region != NULL ? region : "us1");
	if (r == -1) {
		l->nomem = 1;
		return;
	}
	get_url(l, out, def, name);
	free(def);
}

/* Most bytes in a row that a quoted entry may share with a secret. */
#define SECRET_RUN	7

/*
 * Whether s and secret v have a run of more than SECRET_RUN bytes in common
 * (all of v, if it is shorter). s may be a cut copy of what held the
 * secret, so the whole secret need not be in it.
 */
static bool
shares_secret(const char *s, const char *v)
{
	size_t	 n = strlen(s), m = strlen(v), run, i;

	if (m == 0)
		return false;
	run = m < SECRET_RUN + 1 ? m : SECRET_RUN + 1;
	for (i = 0; i + run <= n; i++)
		if (memmem(v, m, s + i, run) != NULL)
			return true;
	return false;
}

/*
 * Whether a bad pool entry may be quoted back in a problem, which is logged:
 * not when it holds any part of a secret (NUMBER_POOL_FILE pointed at the
 * env file by mistake), nor anything but what a number is written with (no
 * '=', no control characters to forge log lines with).
 */
static bool
quotable(const struct loader *l, const char *s)
{
	static const char *const secrets[] = { "TWILIO_AUTH_TOKEN",
	    "TWILIO_AUTH_TOKEN_SECONDARY", "AUTH_PASSWORD",
	    "CALLBACK_SECRET" };
	const char	*v;
	size_t		 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("+-(). ", s[i]) == NULL)
			return false;
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if ((v = lookup_set(l, secrets[i])) != NULL && shares_secret(s, v))
			return false;
	return true;
}

/* The area-code table: AREA_CODES_FILE's, else the built-in one. */
static enum err
load_areacodes(struct loader *l)
{
	const char	*path;
	char		*text = NULL;
	size_t		 len;
	enum err	 e;

	if ((path = lookup_set(l, "AREA_CODES_FILE")) != NULL) {
		if ((e = read_file(path, POOLFILE_MAX, &text, &len)) != ERR_OK) {
			problem(l, CONFIG_FOR_SESSIONS, "AREA_CODES_FILE: cannot "
			    "read %s: %s", path, err_str(e));
			return e;
		}
		e = areacodes_parse(&l->c->areas, text, len);
		free(text);
	} else
		e = areacodes_parse(&l->c->areas, areacodes_csv,
		    areacodes_csv_len);
	if (e != ERR_OK)
		problem(l, CONFIG_FOR_SESSIONS, "AREA_CODES_FILE: not a valid "
		    "area-code table: %s", err_str(e));
	return e;
}

static void
load_pool(struct loader *l)
{
	struct config	*c = l->c;
	const char	*json, *path;
	char		*text = NULL, *bad = NULL;
	size_t		 len;
	enum err	 e;

	if (load_areacodes(l) != ERR_OK)
		return;
	json = lookup_set(l, "NUMBER_POOL");
	path = lookup_set(l, "NUMBER_POOL_FILE");
	if (json != NULL && path != NULL) {
		problem(l, CONFIG_FOR_SESSIONS, "NUMBER_POOL, NUMBER_POOL_FILE: "
		    "set one, not both");
		return;
	}
	if (json != NULL)
		e = pool_from_json(&c->pool, json, c->areas, &bad);
	else if (path != NULL) {
		if ((e = read_file(path, POOLFILE_MAX, &text, &len)) != ERR_OK) {
			problem(l, CONFIG_FOR_SESSIONS, "NUMBER_POOL_FILE: cannot "
			    "read %s: %s", path, err_str(e));
			return;
		}
		e = pool_from_lines(&c->pool, text, len, c->areas, &bad);
		free(text);
	} else {
		problem(l, CONFIG_FOR_SESSIONS, "NUMBER_POOL: required (a JSON "
		    "array of E.164 numbers), or NUMBER_POOL_FILE");
		return;
	}
	if (bad != NULL && !quotable(l, bad)) {
		free(bad);
		bad = NULL;
	}
	if (e == ERR_NOMEM)
		l->nomem = 1;
	else if (e != ERR_OK)
		problem(l, CONFIG_FOR_SESSIONS, "%s: %s%s%s%s",
		    json != NULL ? "NUMBER_POOL" : "NUMBER_POOL_FILE",
		    e == ERR_TOOBIG ? "more numbers than allowed" :
		    e == ERR_PARSE ? "not a JSON array of strings" :
		    e == ERR_NOTFOUND ? "is empty: list the proxy numbers "
		    "bought for the service" :
		    "must list distinct E.164 numbers (+ then 2 to 15 digits)",
		    bad != NULL ? " (bad entry: " : "",
		    bad != NULL ? bad : "", bad != NULL ? ")" : "");
	free(bad);
}

/*
 * Whether the log file can be written, by the user checking: the file, or
 * its folder when it is not there yet. Nothing is created.
 */
static void
check_log_file(struct loader *l, const char *path)
{
	char	*dir;
	int	 ok;

	if (access(path, F_OK) == 0)
		ok = access(path, W_OK) == 0;
	else {
		if ((dir = strdup(path)) == NULL) {
			l->nomem = 1;
			return;
		}
		ok = access(dirname(dir), W_OK | X_OK) == 0;
		free(dir);
	}
	if (!ok)
		problem(l, CONFIG_FOR_ALL, "LOG_TARGET: cannot write %s: %s",
		    path, strerror(errno));
}

/* The env file ($ENV_FILE, else ./.env if there is one) into l->file. */
static void
load_envfile(struct loader *l)
{
	const char	*path;
	char		*text = NULL;
	size_t		 len;
	int		 bad_line = 0;
	enum err	 e;

	if ((path = getenv("ENV_FILE")) == NULL || *path == '\0') {
		path = ".env";
		e = read_file(path, ENVFILE_MAX, &text, &len);
		if (e == ERR_NOTFOUND)
			e = ERR_OK;
	} else
		e = read_file(path, ENVFILE_MAX, &text, &len);
	if (e != ERR_OK)
		problem(l, CONFIG_FOR_ALL, "ENV_FILE: cannot read %s: %s", path,
		    e == ERR_NOTFOUND ? "no such file" : err_str(e));
	else if (text != NULL && config_envfile_parse(text, len, envfile_set,
	    &l->file, &bad_line) != ERR_OK) {
		if (bad_line > 0)
			problem(l, CONFIG_FOR_ALL, "ENV_FILE: %s line %d is "
			    "not KEY=value", path, bad_line);
		else
			l->nomem = 1;
	}
	free(text);
}

/* RETRY_*: when and how often a call to Twilio is tried again. */
static void
load_retry(struct loader *l, struct httpc_retry *r)
{
	const char	*v;
	char		*end;
	double		 f;
	long		 n;

	get_long(l, &n, 5, 0, 100, "RETRY_MAX_ATTEMPTS");
	r->max_attempts = (int)n;
	get_long(l, &r->min_ms, 1000, 0, 3600000, "RETRY_MIN_TIMEOUT_MS");
	get_long(l, &r->max_ms, 360000, 0, 3600000, "RETRY_MAX_TIMEOUT_MS");
	r->factor = 2;
	if ((v = lookup_set(l, "RETRY_FACTOR")) == NULL)
		return;
	errno = 0;
	f = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !(f >= 1 && f <= 100))
		problem(l, CONFIG_FOR_ALL, "RETRY_FACTOR: must be a number from "
		    "1 to 100");
	else
		r->factor = f;
}

/* TWILIO_*: the account, where its APIs are, whom to trust, and retries. */
static void
load_twilio(struct loader *l)
{
	struct twilio_opts *o = &l->c->twilio;

	get_str(l, &o->account_sid, NULL, "TWILIO_ACCOUNT_SID", NULL);
	if (o->account_sid == NULL)
		problem(l, CONFIG_FOR_ALL, "TWILIO_ACCOUNT_SID: required");
	else if (!sid_valid(o->account_sid, "AC"))
		problem(l, CONFIG_FOR_ALL, "TWILIO_ACCOUNT_SID: must be AC "
		    "followed by 32 hexadecimal digits");
	get_str(l, &o->auth_token, NULL, "TWILIO_AUTH_TOKEN", NULL);
	if (o->auth_token == NULL)
		problem(l, CONFIG_FOR_ALL, "TWILIO_AUTH_TOKEN: required");
	get_str(l, &l->c->auth_token_secondary, NULL,
	    "TWILIO_AUTH_TOKEN_SECONDARY", NULL);
	twilio_host(l, &o->conversations_url, "TWILIO_CONVERSATIONS_URL",
	    "conversations");
	twilio_host(l, &o->api_url, "TWILIO_API_URL", "api");
	get_str(l, &o->ca_file, NULL, "TWILIO_CA_FILE", NULL);
	if (o->ca_file != NULL && access(o->ca_file, R_OK) != 0)
		problem(l, CONFIG_FOR_ALL, "TWILIO_CA_FILE: cannot read %s: %s",
		    o->ca_file, strerror(errno));
	load_retry(l, &o->retry);
}

/* How long a request may take, and how many are served at once. */
static void
load_workers(struct loader *l)
{
	long n;

	get_long(l, &l->c->request_timeout_ms, 10000, 100, 600000,
	    "REQUEST_TIMEOUT_MS");
	get_long(l, &n, 8, 1, 256, "WORKER_THREADS");
	l->c->worker_threads = (int)n;
	/*
	 * The process's connections to Twilio: enough for every thread to
	 * run the widest session (its 50 adds and one more) at once.
	 */
	l->c->twilio.max_connections = n * 51;
}

/* The number pool, and what sessions need of it. */
static void
load_sessions(struct loader *l)
{
	struct config *c = l->c;

	load_pool(l);
	c->session.pool = c->pool;
	get_bool(l, &c->session.strict_geo, false, "NUMBER_POOL_STRICT_GEO");
	/*
	 * Page tokens are signed with a key made from the auth token, which
	 * every copy of the service shares: a token from one is good at all.
	 */
	if (c->twilio.auth_token != NULL && pagetok_key(c->twilio.auth_token,
	    c->session.page_key) != ERR_OK)
		l->nomem = true;
}

/*
 * A URL of the operator's backend (name), where the programs in scope send
 * signed requests: absolute http(s), with a host, no blank, not too long.
 */
static void
get_operator_url(struct loader *l, char **out, const char *name,
    unsigned scope)
{
	const char	*url;
	size_t		 host;

	get_str(l, out, NULL, name, NULL);
	if ((url = *out) == NULL)
		return;
	host = strcspn(url, ":") + 3;
	if ((strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) || strpbrk(url, " \t\r\n") !=
	    NULL || url[host] == '\0' || strchr("/?#", url[host]) != NULL ||
	    strlen(url) >= HTTPC_URL_MAX)
		problem(l, scope, "%s: must be an absolute http:// or https:// "
		    "URL with a host", name);
}

/* What callers hear (CALL_ANNOUCEMENT_* is the seed's spelling, kept). */
static void
load_voice(struct loader *l)
{
	struct inbound_opts *o = &l->c->inbound;

	get_str(l, &o->voice, NULL, "CALL_ANNOUCEMENT_VOICE",
	    "CALL_ANNOUNCEMENT_VOICE");
	get_str(l, &o->language, NULL, "CALL_ANNOUCEMENT_LANGUAGE",
	    "CALL_ANNOUNCEMENT_LANGUAGE");
	get_str(l, &o->out_of_session_message, "This number is not connected "
	    "to an active session. Goodbye.", "OUT_OF_SESSION_MESSAGE_FOR_CALL",
	    NULL);
	get_str(l, &o->connecting_message, "Please wait while we connect your "
	    "call.", "CONNECTING_CALL_ANNOUCEMENT", "CONNECTING_CALL_ANNOUNCEMENT");
	get_str(l, &o->apology_message, "Sorry, we cannot connect your call "
	    "right now. Please try again later.", "CALL_APOLOGY_MESSAGE", NULL);
}

/*
 * SPEC §13: how calls are connected, where an out-of-session call goes,
 * and how proxy numbers are picked.
 */
static void
load_policy(struct loader *l)
{
	struct config	*c = l->c;
	const char	*v;
	bool		 on;

	get_operator_url(l, &c->inbound.oos_callback_url,
	    "OUT_OF_SESSION_CALLBACK_URL", CONFIG_FOR_INBOUND);
	get_str(l, &c->inbound.forward_number, NULL,
	    "OUT_OF_SESSION_FORWARD_NUMBER", NULL);
	if ((v = c->inbound.forward_number) != NULL) {
		if (!e164_valid(v) || !e164_dialable(v))
			problem(l, CONFIG_FOR_INBOUND,
			    "OUT_OF_SESSION_FORWARD_NUMBER: must be an E.164 "
			    "number (+ then 2 to 15 digits, no leading 0)");
		else if (pool_index(c->pool, v) >= 0)
			problem(l, CONFIG_FOR_INBOUND,
			    "OUT_OF_SESSION_FORWARD_NUMBER: is one of the pool's "
			    "proxy numbers: calls would loop back to this service");
	}
	if (lookup_set(l, "CALL_RECORD") != NULL) {
		get_bool(l, &on, false, "CALL_RECORD");
		c->inbound.call.record = on ? 2 : 1;
	}
	get_long(l, &c->inbound.call.time_limit, 0, INBOUND_TIME_LIMIT_MIN,
	    INBOUND_TIME_LIMIT_MAX, "CALL_TIME_LIMIT_S");
	get_long(l, &c->inbound.call.ring_timeout, 0, INBOUND_RING_TIMEOUT_MIN,
	    INBOUND_RING_TIMEOUT_MAX, "CALL_RING_TIMEOUT_S");

	if ((v = lookup_set(l, "NUMBER_SELECTION")) != NULL &&
	    !pool_pick_parse(v, &c->session.numbers.pick))
		problem(l, CONFIG_FOR_SESSIONS, "NUMBER_SELECTION: must be "
		    "default, prefer-sticky or avoid-sticky");
	/* NUMBER_POOL_STRICT_GEO=on is GEO_MATCH=country; GEO_MATCH wins. */
	if ((v = lookup_set(l, "GEO_MATCH")) != NULL) {
		if (!pool_geo_parse(v, &c->session.numbers.geo))
			problem(l, CONFIG_FOR_SESSIONS, "GEO_MATCH: must be any, "
			    "country or area-code");
		else
			c->session.strict_geo = c->session.numbers.geo !=
			    POOL_GEO_ANY;
	} else if (c->session.strict_geo)
		c->session.numbers.geo = POOL_GEO_COUNTRY;
}

/* The webhooks' signatures and /sessions' basic auth. */
static void
load_web(struct loader *l)
{
	struct config *c = l->c;

	get_bool(l, &c->webhook_validation, true, "TWILIO_WEBHOOK_VALIDATION");
	get_str(l, &c->domain, NULL, "DOMAIN", NULL);
	if (c->domain != NULL && (strstr(c->domain, "://") != NULL ||
	    strpbrk(c->domain, "/ ?#") != NULL))
		problem(l, CONFIG_FOR_WEBHOOKS, "DOMAIN: "
		    "a host name (optionally :port), without scheme or path");
	else if (c->domain == NULL && c->webhook_validation)
		problem(l, CONFIG_FOR_WEBHOOKS, "DOMAIN: "
		    "required to validate Twilio's webhook signatures (or set "
		    "TWILIO_WEBHOOK_VALIDATION=off, which is unsafe)");
	if (!c->webhook_validation)
		warning(l, "TWILIO_WEBHOOK_VALIDATION=off: webhook signatures "
		    "are NOT checked; anyone can place calls through this service");

	get_str(l, &c->auth_username, NULL, "AUTH_USERNAME", NULL);
	get_str(l, &c->auth_password, NULL, "AUTH_PASSWORD", NULL);
	if (c->auth_username == NULL || c->auth_password == NULL)
		problem(l, CONFIG_FOR_SESSIONS, "AUTH_USERNAME, AUTH_PASSWORD: "
		    "both required: /sessions is never served without basic auth");
}

/* Message interception (SPEC §11): the filter and the operator's say. */
static void
load_preevent(struct loader *l)
{
	struct preevent_opts	*o = &l->c->preevent;
	const char		*v, *p;
	long			 n;

	o->filter = PREEVENT_FILTER_REDACT;
	if ((v = lookup_set(l, "MESSAGE_FILTER")) != NULL &&
	    !preevent_filter_parse(v, &o->filter))
		problem(l, CONFIG_FOR_PREEVENT, "MESSAGE_FILTER: must be redact, "
		    "block or off");
	get_str(l, &o->mark, "[redacted]", "MESSAGE_FILTER_MARK", NULL);
	if (o->mark != NULL) {
		/* A mark the filter would catch again could grow without end. */
		for (p = o->mark; *p != '\0' && !isdigit((unsigned char)*p) &&
		    *p != '@' && (unsigned char)*p >= 0x20 && *p != 0x7f; p++)
			continue;
		if (*p != '\0' || *o->mark == '\0' || strlen(o->mark) > 64)
			problem(l, CONFIG_FOR_PREEVENT, "MESSAGE_FILTER_MARK: 1 to "
			    "64 bytes of text without digits, '@' or control "
			    "characters");
	}
	get_operator_url(l, &o->intercept_url, "INTERCEPT_CALLBACK_URL",
	    CONFIG_FOR_PREEVENT);
	o->fail_closed = false;
	if ((v = lookup_set(l, "INTERCEPT_FAIL")) != NULL) {
		if (strcmp(v, "closed") == 0)
			o->fail_closed = true;
		else if (strcmp(v, "open") != 0)
			problem(l, CONFIG_FOR_PREEVENT, "INTERCEPT_FAIL: must be "
			    "open or closed");
	}
	/* The operator's share of Twilio's 5 s, Twilio's own call left room. */
	get_long(l, &n, 3000, 100, 4000, "INTERCEPT_TIMEOUT_MS");
	o->intercept_ms = n;
}

/* The log, the sandbox and root. */
static void
load_runtime(struct loader *l)
{
	struct config	*c = l->c;
	const char	*v;
	int		 lvl;

	c->log_level = LOG_INFO;
	if ((v = lookup_set(l, "LOG_LEVEL")) != NULL) {
		if ((lvl = log_level_parse(v)) < 0)
			problem(l, CONFIG_FOR_ALL, "LOG_LEVEL: must be error, "
			    "warn, info or debug");
		else
			c->log_level = lvl;
	}
	get_str(l, &c->log_target, "stderr", "LOG_TARGET", NULL);
	if (c->log_target != NULL && !log_target_valid(c->log_target))
		problem(l, CONFIG_FOR_ALL, "LOG_TARGET: must be stderr, syslog "
		    "or file:/absolute/path");
	else if (c->log_target != NULL && strncmp(c->log_target, "file:", 5) == 0)
		check_log_file(l, c->log_target + 5);
	get_bool(l, &c->sandbox, false, "TWILIO_SANDBOX");
	get_bool(l, &c->allow_root, false, "ALLOW_ROOT");
	if (c->sandbox)
		warning(l, "TWILIO_SANDBOX=on: talking to the built-in sandbox, "
		    "NOT to Twilio: no message or call reaches a phone");
}

/* The least CALLBACK_SECRET may be: a guessable secret signs nothing. */
#define CALLBACK_SECRET_MIN	16

/*
 * CALLBACK_*: events to the operator's backend (SPEC §12), and the secret
 * that signs them and every other request to the operator (the intercept
 * callback, the out-of-session TwiML), whose URLs are read elsewhere.
 */
static void
load_callback(struct loader *l)
{
	struct callback_opts	*o = &l->c->callback;
	const char		*url;

	get_operator_url(l, &o->events_url, "CALLBACK_URL", CONFIG_FOR_ALL);
	url = o->events_url;
	get_str(l, &o->secret, NULL, "CALLBACK_SECRET", NULL);
	if (o->secret == NULL && (url != NULL ||
	    lookup_set(l, "INTERCEPT_CALLBACK_URL") != NULL ||
	    lookup_set(l, "OUT_OF_SESSION_CALLBACK_URL") != NULL))
		problem(l, CONFIG_FOR_ALL, "CALLBACK_SECRET: required with "
		    "CALLBACK_URL, INTERCEPT_CALLBACK_URL or "
		    "OUT_OF_SESSION_CALLBACK_URL: it signs every request to "
		    "the operator");
	else if (o->secret != NULL && strlen(o->secret) < CALLBACK_SECRET_MIN)
		problem(l, CONFIG_FOR_ALL, "CALLBACK_SECRET: must be at least "
		    "%d bytes (openssl rand -hex 32 makes one)",
		    CALLBACK_SECRET_MIN);
	get_long(l, &o->budget_ms, 2000, 100, 4000, "CALLBACK_TIMEOUT_MS");
	o->ca_file = l->c->twilio.ca_file;
	o->max_connections = l->c->twilio.max_connections;
}

enum err
config_load(struct config *c)
{
	struct loader l;

	memset(c, 0, sizeof(*c));
	memset(&l, 0, sizeof(l));
	l.c = c;
	load_envfile(&l);
	load_twilio(&l);
	load_workers(&l);
	load_sessions(&l);
	load_voice(&l);
	load_policy(&l);
	load_web(&l);
	load_preevent(&l);
	load_runtime(&l);
	load_callback(&l);
	envfile_free(&l.file);
	if (l.nomem)
		return ERR_NOMEM;
	return c->nproblems ? ERR_CONFIG : ERR_OK;
}

int
config_problem_count(const struct config *c, unsigned scope)
{
	int i, n = 0;

	for (i = 0; i < c->nproblems; i++)
		if (c->problems[i].scope & scope)
			n++;
	return n;
}

void
config_free(struct config *c)
{
	int i;

	if (c == NULL)
		return;
	free(c->twilio.account_sid);
	if (c->twilio.auth_token != NULL)
		OPENSSL_cleanse(c->twilio.auth_token, strlen(c->twilio.auth_token));
	OPENSSL_cleanse(c->session.page_key, sizeof(c->session.page_key));
	free(c->twilio.auth_token);
	free(c->auth_token_secondary);
	free(c->twilio.conversations_url);
	free(c->twilio.api_url);
	free(c->twilio.ca_file);
	pool_free(c->pool);
	areacodes_free(c->areas);
	free(c->inbound.voice);
	free(c->inbound.language);
	free(c->inbound.out_of_session_message);
	free(c->inbound.connecting_message);
	free(c->inbound.apology_message);
	free(c->inbound.forward_number);
	free(c->inbound.oos_callback_url);
	free(c->preevent.mark);
	free(c->preevent.intercept_url);
	free(c->domain);
	free(c->log_target);
	free(c->auth_username);
	free(c->auth_password);
	free(c->callback.events_url);
	if (c->callback.secret != NULL)
		OPENSSL_cleanse(c->callback.secret, strlen(c->callback.secret));
	free(c->callback.secret);
	for (i = 0; i < c->nproblems; i++)
		free(c->problems[i].text);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	memset(c, 0, sizeof(*c));
}
