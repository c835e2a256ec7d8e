#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/e164.h"
#include "svc/pool.h"

#define ERR_AT_MAX	64	/* longest entry quoted back through err_at */
#define E164_MAX_LEN	16	/* '+' and 15 digits */

/*
 * What pool_rank needs of each number, worked out once when the pool is
 * built so that ranking parses nothing.
 */
struct pool_entry {
	char			*number;
	const struct areacode	*area;	/* NULL: not NANP, or not in the table */
	int			 area_code; /* -1: not "+1" and ten digits */
	int			 cc;	/* country calling code, as a number */
	int			 cc_len;
};

struct pool {
	struct pool_entry	*v;
	size_t			*by_number; /* indexes sorted by number */
	size_t			 n;
	const struct areacodes	*areas;
};

/*
 * Pool
 */

void
pool_free(struct pool *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].number);
	free(p->v);
	free(p->by_number);
	free(p);
}

/* Quotes a bad entry back to the caller, cut to ERR_AT_MAX bytes. */
static void
set_err_at(char **err_at, const char *s, size_t len)
{
	if (err_at == NULL)
		return;
	free(*err_at);
	*err_at = strndup(s, len < ERR_AT_MAX ? len : ERR_AT_MAX);
}

static enum err
pool_new(struct pool **out, size_t n, const struct areacodes *areas)
{
	struct pool	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ERR_NOMEM;
	p->areas = areas;
	if ((p->v = calloc(n, sizeof(*p->v))) == NULL ||
	    (p->by_number = calloc(n, sizeof(*p->by_number))) == NULL) {
		pool_free(p);
		return ERR_NOMEM;
	}
	*out = p;
	return ERR_OK;
}

/* Appends s[0..len) to p after checking it, and works out its ranking data. */
static enum err
pool_add(struct pool *p, const char *s, size_t len, char **err_at)
{
	struct pool_entry	*pe;
	size_t			 i;

	if (len > E164_MAX_LEN || memchr(s, '\0', len) != NULL) {
		set_err_at(err_at, s, len);
		return ERR_INVAL;
	}
	pe = &p->v[p->n];
	if ((pe->number = strndup(s, len)) == NULL)
		return ERR_NOMEM;
	p->n++;
	if (!e164_valid(pe->number)) {
		set_err_at(err_at, s, len);
		return ERR_INVAL;
	}
	pe->cc_len = (int)e164_cc_len(pe->number);
	for (pe->cc = 0, i = 1; i <= (size_t)pe->cc_len; i++)
		pe->cc = pe->cc * 10 + (pe->number[i] - '0');
	pe->area_code = e164_nanp_area(pe->number);
	pe->area = areacodes_lookup(p->areas, pe->area_code);
	return ERR_OK;
}

static int
by_number_cmp(const void *a, const void *b, void *arg)
{
	const struct pool	*p = arg;

	return strcmp(p->v[*(const size_t *)a].number,
	    p->v[*(const size_t *)b].number);
}

/* Sorts the lookup index and refuses duplicates and an empty pool. */
static enum err
pool_finish(struct pool *p, char **err_at)
{
	size_t	 i;

	if (p->n == 0)
		return ERR_NOTFOUND;
	for (i = 0; i < p->n; i++)
		p->by_number[i] = i;
	qsort_r(p->by_number, p->n, sizeof(*p->by_number), by_number_cmp, p);
	for (i = 1; i < p->n; i++)
		if (by_number_cmp(&p->by_number[i - 1], &p->by_number[i],
		    p) == 0) {
			set_err_at(err_at, p->v[p->by_number[i]].number,
			    strlen(p->v[p->by_number[i]].number));
			return ERR_INVAL;
		}
	return ERR_OK;
}

/*
 * Malformed JSON is ERR_PARSE; JSON that is not an array of strings is
 * ERR_INVAL, with err_at quoting the first element that is not a string.
 */
enum err
pool_from_json(struct pool **out, const char *json,
    const struct areacodes *areas, char **err_at)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*arr = NULL, *el;
	struct pool		*p = NULL;
	const char		*s;
	size_t			 len, i, n;
	enum err		 e;

	*out = NULL;
	if (err_at != NULL)
		*err_at = NULL;
	if (json == NULL)
		return ERR_INVAL;
	/* A pool of POOL_MAX numbers is far below this. */
	if ((len = strlen(json)) > 16 * 1024 * 1024)
		return ERR_TOOBIG;
	if ((tok = json_tokener_new_ex(4)) == NULL)
		return ERR_NOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	arr = json_tokener_parse_ex(tok, json, (int)len);
	e = ERR_PARSE;
	if (arr == NULL || json_tokener_get_error(tok) != json_tokener_success)
		goto fail;
	for (i = json_tokener_get_parse_end(tok); i < len; i++)
		if (strchr(" \t\r\n", json[i]) == NULL)
			goto fail;
	/* JSON, but not the array a pool is written as. */
	if (!json_object_is_type(arr, json_type_array))
		goto fail;
	if ((n = json_object_array_length(arr)) > POOL_MAX) {
		e = ERR_TOOBIG;
		goto fail;
	}
	if (n == 0) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	if ((e = pool_new(&p, n, areas)) != ERR_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		el = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(el, json_type_string)) {
			s = json_object_to_json_string_ext(el,
			    JSON_C_TO_STRING_PLAIN);
			set_err_at(err_at, s, strlen(s));
			e = ERR_INVAL;
			goto fail;
		}
		s = json_object_get_string(el);
		if ((e = pool_add(p, s,
		    (size_t)json_object_get_string_len(el), err_at)) != ERR_OK)
			goto fail;
	}
	if ((e = pool_finish(p, err_at)) != ERR_OK)
		goto fail;
	*out = p;
	p = NULL;
fail:
	pool_free(p);
	json_object_put(arr);
	json_tokener_free(tok);
	return e;
}

/*
 * The entry on line [s, end): what comes before any '#', blanks (space,
 * tab, CR) trimmed. Sets *len to 0 for a line with no entry.
 */
static const char *
line_entry(const char *s, const char *end, size_t *len)
{
	const char	*hash;

	if ((hash = memchr(s, '#', (size_t)(end - s))) != NULL)
		end = hash;
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*len = (size_t)(end - s);
	return s;
}

enum err
pool_from_lines(struct pool **out, const char *text, size_t len,
    const struct areacodes *areas, char **err_at)
{
	struct pool	*p = NULL;
	const char	*s, *end, *nl, *ent;
	size_t		 n, elen;
	enum err	 e;

	*out = NULL;
	if (err_at != NULL)
		*err_at = NULL;
	if (text == NULL)
		return ERR_INVAL;
	end = text + len;

	/* Count first: the limit is checked before anything is allocated. */
	for (n = 0, s = text; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		line_entry(s, nl, &elen);
		if (elen > 0 && ++n > POOL_MAX)
			return ERR_TOOBIG;
	}
	if (n == 0)
		return ERR_NOTFOUND;
	if ((e = pool_new(&p, n, areas)) != ERR_OK)
		return e;
	for (s = text; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		ent = line_entry(s, nl, &elen);
		if (elen > 0 && (e = pool_add(p, ent, elen, err_at)) != ERR_OK)
			goto fail;
	}
	if ((e = pool_finish(p, err_at)) != ERR_OK)
		goto fail;
	*out = p;
	return ERR_OK;
fail:
	pool_free(p);
	return e;
}

size_t
pool_size(const struct pool *p)
{
	return p != NULL ? p->n : 0;
}

const char *
pool_number(const struct pool *p, size_t i)
{
	return p != NULL && i < p->n ? p->v[i].number : NULL;
}

long
pool_index(const struct pool *p, const char *number)
{
	size_t	 lo, hi, mid;
	int	 c;

	if (p == NULL || number == NULL)
		return -1;
	for (lo = 0, hi = p->n; lo < hi; ) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(number, p->v[p->by_number[mid]].number);
		if (c == 0)
			return (long)p->by_number[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * Ranking
 *
 * An address whose area code is unknown (or with no table) has no known
 * country, so every +1 number stays in the NANP tier, in pool order, after
 * the numbers of its own area code; strict then leaves out only the numbers
 * of other calling codes. An address that is not valid E.164 matches
 * nothing: the whole pool in order, or nothing when strict.
 */

enum tier {
	TIER_AREA,	/* the address's own area code, or its own cc */
	TIER_NEAR,	/* same NANP country, ordered by distance */
	TIER_NANP,	/* other +1 numbers whose country is not known */
	TIER_REST,	/* everything else: left out when strict */
};

/* What ranking needs of the address, parsed once per pool_rank call. */
struct rank_ctx {
	const struct pool	*p;
	const struct areacode	*area;	/* NULL: unknown */
	int			 area_code;	/* -1: none */
	int			 cc;	/* -1: the address is not valid */
	int			 cc_len;
};

static enum tier
tier_of(const struct rank_ctx *c, const struct pool_entry *pe)
{
	if (c->cc < 0)
		return TIER_REST;
	if (c->cc != 1 || c->cc_len != 1)
		return pe->cc == c->cc && pe->cc_len == c->cc_len ?
		    TIER_AREA : TIER_REST;
	if (c->area_code >= 0 && pe->area_code == c->area_code)
		return TIER_AREA;
	if (pe->cc != 1 || pe->cc_len != 1)
		return TIER_REST;
	if (c->area == NULL || pe->area == NULL)
		return TIER_NANP;
	return strcmp(pe->area->country, c->area->country) == 0 ?
	    TIER_NEAR : TIER_REST;
}

/*
 * Every order sorts plain integers, one a number kept: its tier (2 bits),
 * then ORDER_BITS of what orders numbers within a tier, then its pool index
 * (INDEX_BITS), so that the rest ties fall to pool order. Within a tier,
 * §7 orders TIER_NEAR by distance (distance_key()) and the others not at
 * all; the sticky picks order every tier by the number's rendezvous weight
 * cut to ORDER_BITS (complemented for the highest first). One key is
 * computed per number, no room is needed beyond order itself, and the sort
 * compares integers.
 */
#define INDEX_BITS	14	/* POOL_MAX < 2^14 */
#define ORDER_BITS	48	/* 64 - 2 - INDEX_BITS */
#define ORDER_MASK	(((uint64_t)1 << ORDER_BITS) - 1)

_Static_assert(POOL_MAX < (1 << INDEX_BITS), "pool index must fit");
_Static_assert(sizeof(size_t) >= 8, "ranking packs its keys into size_t");

/*
 * How far area b is from area a, as a key: 1 - closeness, 0 to 2 (rounding
 * may give -0 or a hair below 0: 0). A non-negative double's bits order as
 * its value does; their top ORDER_BITS (the sign bit always 0) hold the
 * exponent and 36 bits of the mantissa, so distances apart by less than 1
 * part in 2^36 tie (and fall to pool order), as those of overlaid area
 * codes, which share a centre, did before.
 */
static uint64_t
distance_key(const struct areacode *a, const struct areacode *b)
{
	double		 d = 1.0 - areacodes_closeness(a, b);
	uint64_t	 bits;

	if (!(d > 0))
		d = 0;
	memcpy(&bits, &d, sizeof(bits));
	return bits >> (63 - ORDER_BITS);
}

static void
sift_down(size_t *a, size_t root, size_t n)
{
	size_t	 child, tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && a[child] < a[child + 1])
			child++;
		if (a[root] >= a[child])
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

/*
 * Heapsort of the keys, ascending: O(n log n) and in place. qsort would
 * do, but glibc's may call malloc, and ranking promises to allocate
 * nothing.
 */
static void
key_sort(size_t *a, size_t n)
{
	size_t	 i, tmp;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0; )
		sift_down(a, i, n);
	for (i = n - 1; i > 0; i--) {
		tmp = a[0];
		a[0] = a[i];
		a[i] = tmp;
		sift_down(a, 0, i);
	}
}

/* What ranking needs of address (NULL or not E.164: nothing matches). */
static void
rank_ctx_init(struct rank_ctx *c, const struct pool *p, const char *address)
{
	size_t	 i;

	c->p = p;
	c->cc = -1;
	c->cc_len = 0;
	c->area_code = -1;
	c->area = NULL;
	if (address != NULL && e164_valid(address)) {
		c->cc_len = (int)e164_cc_len(address);
		for (c->cc = 0, i = 1; i <= (size_t)c->cc_len; i++)
			c->cc = c->cc * 10 + (address[i] - '0');
		c->area_code = e164_nanp_area(address);
		c->area = areacodes_lookup(p->areas, c->area_code);
	}
}

size_t
pool_rank(const struct pool *p, const char *address, bool strict,
    size_t *order)
{
	struct pool_policy	 pol = { strict ? POOL_GEO_COUNTRY : POOL_GEO_ANY,
				    POOL_PICK_DEFAULT };

	return pool_rank_with(p, address, &pol, NULL, 0, order);
}

/*
 * Number selection (SPEC §13)
 *
 * SipHash-2-4 (Aumasson and Bernstein), written out here rather than taken
 * from OpenSSL: OpenSSL has it only as an EVP_MAC, which allocates, and
 * pool_rank_with() promises not to. It is not used as a secret MAC: the
 * key is fixed, so that every machine ranks the same way. The message is
 * fed in pieces; sip_final() pads and finishes as the reference does.
 */

struct sip {
	uint64_t	 v0, v1, v2, v3;
	uint64_t	 tail;		/* bytes not yet a whole word */
	size_t		 ntail;
	size_t		 len;
};

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(struct sip *s)
{
	s->v0 += s->v1; s->v1 = ROTL(s->v1, 13); s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3; s->v3 = ROTL(s->v3, 16); s->v3 ^= s->v2;
	s->v0 += s->v3; s->v3 = ROTL(s->v3, 21); s->v3 ^= s->v0;
	s->v2 += s->v1; s->v1 = ROTL(s->v1, 17); s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void
sip_init(struct sip *s, uint64_t k0, uint64_t k1)
{
	s->v0 = 0x736f6d6570736575ULL ^ k0;
	s->v1 = 0x646f72616e646f6dULL ^ k1;
	s->v2 = 0x6c7967656e657261ULL ^ k0;
	s->v3 = 0x7465646279746573ULL ^ k1;
	s->tail = 0;
	s->ntail = 0;
	s->len = 0;
}

static void
sip_word(struct sip *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* Feeds n bytes at d; a NULL d feeds n zero bytes (a separator). */
static void
sip_update(struct sip *s, const void *d, size_t n)
{
	const unsigned char	*p = d;
	size_t			 i;

	for (i = 0; i < n; i++) {
		s->tail |= (uint64_t)(p != NULL ? p[i] : 0) << (8 * s->ntail);
		if (++s->ntail == 8) {
			sip_word(s, s->tail);
			s->tail = 0;
			s->ntail = 0;
		}
	}
	s->len += n;
}

static uint64_t
sip_final(struct sip *s)
{
	sip_word(s, s->tail | ((uint64_t)(s->len & 0xff) << 56));
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/*
 * The fixed key of the people's key: any constant does, as long as it
 * never changes (a change reshuffles every sticky choice once).
 */
#define PEOPLE_K0	0x6d61736b65642d70ULL	/* "masked-p" */
#define PEOPLE_K1	0x656f706c652d7631ULL	/* "eople-v1" */

/* Two differing keys make 128 bits of the people's key from one text. */
struct people_key {
	uint64_t	 k0, k1;
};

/*
 * The key of address among others: SipHash of the address, then each
 * other party's address, in strcmp order, each ended by a NUL. The
 * others are taken smallest first by selection (at most a few dozen:
 * quadratic is nothing, and nothing is allocated or sorted in place);
 * repeats and the address itself count once and not at all.
 */
static struct people_key
people_key(const char *address, const char *const *others, size_t nothers)
{
	struct sip		 a, b;
	struct people_key	 k;
	const char		*last = NULL, *next;
	size_t			 i;

	sip_init(&a, PEOPLE_K0, PEOPLE_K1);
	sip_init(&b, PEOPLE_K1, PEOPLE_K0);
	if (address == NULL)
		address = "";
	sip_update(&a, address, strlen(address) + 1);
	sip_update(&b, address, strlen(address) + 1);
	for (;;) {
		next = NULL;
		for (i = 0; i < nothers; i++) {
			if (others[i] == NULL || strcmp(others[i], address) == 0)
				continue;
			if (last != NULL && strcmp(others[i], last) <= 0)
				continue;
			if (next == NULL || strcmp(others[i], next) < 0)
				next = others[i];
		}
		if (next == NULL)
			break;
		sip_update(&a, next, strlen(next) + 1);
		sip_update(&b, next, strlen(next) + 1);
		last = next;
	}
	k.k0 = sip_final(&a);
	k.k1 = sip_final(&b);
	return k;
}

static uint64_t
number_weight(const struct people_key *k, const char *number)
{
	struct sip	 s;

	sip_init(&s, k->k0, k->k1);
	sip_update(&s, number, strlen(number));
	return sip_final(&s);
}

unsigned long long
pool_weight(const char *address, const char *const *others, size_t nothers,
    const char *number)
{
	struct people_key k = people_key(address, others, nothers);

	return number_weight(&k, number != NULL ? number : "");
}

/* The index of s in names (n of them, NULL-safe), or -1. */
static int
name_index(const char *s, const char *const *names, int n)
{
	int	i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

bool
pool_geo_parse(const char *s, enum pool_geo *out)
{
	static const char *const names[] = { "any", "country", "area-code" };
	static const enum pool_geo geos[] = { POOL_GEO_ANY, POOL_GEO_COUNTRY,
	    POOL_GEO_AREA };
	int	i = name_index(s, names, 3);

	if (i < 0)
		return false;
	*out = geos[i];
	return true;
}

bool
pool_pick_parse(const char *s, enum pool_pick *out)
{
	static const char *const names[] = { "default", "prefer-sticky",
	    "avoid-sticky" };
	static const enum pool_pick picks[] = { POOL_PICK_DEFAULT,
	    POOL_PICK_STICKY, POOL_PICK_AVOID };
	int	i = name_index(s, names, 3);

	if (i < 0)
		return false;
	*out = picks[i];
	return true;
}

/* Whether tier t is a match that geo keeps. */
static bool
geo_keeps(enum pool_geo geo, enum tier t)
{
	switch (geo) {
	case POOL_GEO_ANY:
		return true;
	case POOL_GEO_COUNTRY:
		return t != TIER_REST;
	case POOL_GEO_AREA:
		return t == TIER_AREA;
	}
	return true;
}

size_t
pool_rank_with(const struct pool *p, const char *address,
    const struct pool_policy *pol, const char *const *others, size_t nothers,
    size_t *order)
{
	struct pool_policy	 def = { POOL_GEO_ANY, POOL_PICK_DEFAULT };
	struct people_key	 k = { 0, 0 };
	struct rank_ctx		 c;
	enum tier		 t;
	uint64_t		 w;
	size_t			 i, n;

	if (p == NULL || order == NULL)
		return 0;
	if (pol == NULL)
		pol = &def;
	rank_ctx_init(&c, p, address);
	if (pol->pick != POOL_PICK_DEFAULT)
		k = people_key(address, others, nothers);
	for (n = 0, i = 0; i < p->n; i++) {
		t = tier_of(&c, &p->v[i]);
		if (!geo_keeps(pol->geo, t))
			continue;
		if (pol->pick != POOL_PICK_DEFAULT) {
			w = number_weight(&k, p->v[i].number) >>
			    (64 - ORDER_BITS);
			if (pol->pick == POOL_PICK_STICKY)
				w = ~w & ORDER_MASK;
		} else if (t == TIER_NEAR)
			w = distance_key(c.area, p->v[i].area);
		else
			w = 0;
		order[n++] = (size_t)(((uint64_t)t << (64 - 2)) |
		    (w << INDEX_BITS) | i);
	}
	key_sort(order, n);
	for (i = 0; i < n; i++)
		order[i] &= ((size_t)1 << INDEX_BITS) - 1;
	return n;
}
