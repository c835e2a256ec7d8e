#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/clock.h"
#include "core/log.h"
#include "net/httpc.h"

/*
 * Per client (one per worker thread): easy handles kept for reuse. The
 * connections are the process's (struct pool below).
 */
#define SPARE_MAX	16
#define CONNECT_TIMEOUT_MS 5000L
/*
 * A connection idle this long is not used again but closed: before the
 * server would drop it (load balancers commonly keep idle connections a
 * minute), so that a request never meets a connection the other side
 * has just closed.
 */
#define POOL_IDLE_S	50L

enum call_state { CALL_QUEUED, CALL_RUNNING, CALL_WAITING };

struct httpc {
	struct httpc_retry	 retry;
	size_t			 budget;
	char			*ca_file;
	char			*peer;
	char			*log_tag;
	CURL			*spare[SPARE_MAX];
	int			 nspare;
	struct httpc_call	*head;		/* every call not yet done */
	int			 inflight;	/* of them, transfers in the pool */
	pthread_cond_t		 cond;		/* one of them ended; or lead */
	bool			 waiting;	/* on cond, in pool.waiters */
	bool			 leader;	/* this client's thread drives the pool */
	/*
	 * The leader runs this client's calls while its thread waits (see
	 * lead_once()): the thread must not touch the client until it is
	 * false again. Under the pool's lock, as are stuck and kick.
	 */
	bool			 borrowed;
	bool			 stuck;		/* on cond until borrowed is false */
	bool			 kick;		/* the leader says: come and look */
	long long		 deadline;	/* of the httpc_run() under way */
	atomic_int		 signals;	/* signals to cond under way (signal_hold()) */
	struct httpc		*wnext;		/* on pool.waiters */
	struct httpc		*bnext;		/* on the leader's borrowed list */
	struct curl_slist	*headers;
	httpc_transport_fn	 transport;	/* instead of the network */
	void			*transport_arg;
};

/*
 * The pool: one libcurl multi handle for the whole process, so that every
 * thread's transfers share one connection cache (and, with it, one DNS
 * cache and TLS session cache, and HTTP/2 multiplexing where the server
 * offers it). libcurl does not support sharing connections between multi
 * handles of concurrent threads, so there is one multi, and one thread at
 * a time drives it: whichever worker is waiting for a transfer of its own
 * becomes the leader (leading), adds the handles others queued (inbox),
 * runs every transfer, and hands each finished one back to its owner.
 * An owner asleep in httpc_run() is not woken for it: the leader borrows
 * the owner's client and runs the call's end itself (answer(), retries,
 * done(), and starting what done() submitted), and wakes the owner only
 * when it has something to do (every call finished, a retry to wait for);
 * so a request's thread sleeps once per httpc_run(), not once per answer,
 * and what its callbacks submit goes to the multi without waking anyone.
 * An owner that is not asleep gets the call back (its fin) and a signal
 * (cond). When the leader's own transfers are done it steps down and
 * another waiting owner takes over. A worker alone leads for itself: no
 * thread is woken for it.
 */
struct pool {
	pthread_mutex_t		 lock;		/* all below but the leader's, and calls' fin */
	CURLM			*multi;		/* the leader's alone */
	/*
	 * libcurl's socket interface: it says which sockets to watch
	 * (on_socket()), epoll watches them, and the leader hands libcurl
	 * only the sockets that are ready. curl_multi_perform() would look at
	 * every transfer of the process (a poll() each) whenever any is.
	 */
	int			 epfd;
	int			 evfd;		/* wakes the leader from epoll_wait() */
	/*
	 * Held by whoever works the multi: the leader, but for its
	 * epoll_wait(), and a thread adding its own handle meanwhile
	 * (pool_add()), so that a request is sent without waking the leader.
	 * Before the lock above, never after.
	 */
	pthread_mutex_t		 mlock;
	long long		 timer_at;	/* libcurl's timer, ms; -1 none; mlock */
	long long		 sleep_until;	/* the leader's epoll_wait() ends; 0 none; mlock */
	CURLSH			*share;		/* TLS sessions and DNS answers */
	pthread_mutex_t		 share_lock[CURL_LOCK_DATA_LAST];
	bool			 leading;	/* a thread drives multi now */
	struct httpc_call	*inbox;		/* handles to add, on pnext */
	struct httpc		*waiters;	/* clients waiting for a transfer */
	int			 users;		/* clients alive; the last frees it */
	long			 maxconn;	/* the cache's size now */
};

static struct pool pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.mlock = PTHREAD_MUTEX_INITIALIZER,
	.epfd = -1,
	.evfd = -1,
	.timer_at = -1,
};

/* The call's state, kept in retry_at's sign to stay inside the public struct. */
static enum call_state
call_state(const struct httpc_call *c)
{
	if (c->queued)
		return CALL_QUEUED;
	return c->retry_at > 0 ? CALL_WAITING : CALL_RUNNING;
}

long
httpc_backoff_ms(const struct httpc_retry *r, int attempt, long retry_after)
{
	double ms;

	if (retry_after >= 0)
		ms = (double)retry_after * 1000;
	else
		ms = (double)r->min_ms * pow(r->factor,
		    attempt > 1 ? attempt - 1 : 0);
	if (ms > (double)r->max_ms)
		ms = (double)r->max_ms;
	return (long)ms;
}

/*
 * The certificates that vouch for the servers: one store for the whole
 * process, loaded at the first TLS connection and shared by every thread's
 * connections. Left to itself libcurl loads the system's bundle (about a
 * megabyte in memory) once per thread.
 */
static pthread_mutex_t	 ca_lock = PTHREAD_MUTEX_INITIALIZER;
static X509_STORE	*ca_store;
static int		 ca_users;	/* clients alive; the last frees it */

static X509_STORE *
ca_store_get(const char *ca_file)
{
	X509_STORE *s;

	pthread_mutex_lock(&ca_lock);
	if (ca_store == NULL && (ca_store = X509_STORE_new()) != NULL) {
		if (ca_file != NULL ?
		    X509_STORE_load_file(ca_store, ca_file) != 1 :
		    X509_STORE_set_default_paths(ca_store) != 1) {
			log_error("cannot load the CA certificates from %s",
			    ca_file != NULL ? ca_file :
			    "the system's default locations");
			X509_STORE_free(ca_store);
			ca_store = NULL;
		}
	}
	s = ca_store;
	pthread_mutex_unlock(&ca_lock);
	return s;
}

/* libcurl's hook on each new TLS context: verify against the shared store. */
static CURLcode
on_ssl_ctx(CURL *easy, void *ssl_ctx, void *arg)
{
	struct httpc	*h = arg;
	X509_STORE	*s;

	(void)easy;
	if ((s = ca_store_get(h->ca_file)) == NULL)
		return CURLE_SSL_CACERT_BADFILE;
	SSL_CTX_set1_cert_store(ssl_ctx, s);
	return CURLE_OK;
}

/* libcurl's locks of the share: one mutex per kind of data. */
static void
share_lock(CURL *easy, curl_lock_data data, curl_lock_access access,
    void *arg)
{
	(void)easy;
	(void)access;
	(void)arg;
	pthread_mutex_lock(&pool.share_lock[data]);
}

static void
share_unlock(CURL *easy, curl_lock_data data, void *arg)
{
	(void)easy;
	(void)arg;
	pthread_mutex_unlock(&pool.share_lock[data]);
}

/* A condition whose timed waits are on the monotonic clock (core/clock). */
static enum err
cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t	 a;
	int			 rc;

	if (pthread_condattr_init(&a) != 0)
		return ERR_NOMEM;
	rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(cond, &a);
	pthread_condattr_destroy(&a);
	return rc == 0 ? ERR_OK : ERR_NOMEM;
}

/*
 * libcurl's socket callback (the leader's, inside libcurl): watch socket s
 * for what, or no more. An epoll_ctl() that fails leaves that transfer
 * unwatched: it ends at its timeout, the request's deadline. Not -1, which
 * would make libcurl fail every transfer of the process from then on.
 */
static int
on_socket(CURL *easy, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct epoll_event	 ev;
	int			 op;

	(void)easy;
	(void)arg;
	if (what == CURL_POLL_REMOVE) {
		/* Gone already if libcurl closed it first: no matter. */
		epoll_ctl(pool.epfd, EPOLL_CTL_DEL, s, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
	    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	ev.data.fd = s;
	/* sockp: what curl_multi_assign() gave s since libcurl watches it. */
	op = sockp != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(pool.epfd, op, s, &ev) != 0 &&
	    !((errno == EEXIST || errno == ENOENT) && epoll_ctl(pool.epfd,
	    op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev) == 0)) {
		log_error("cannot watch a connection's socket: %s",
		    strerror(errno));
		return 0;
	}
	if (sockp == NULL)
		curl_multi_assign(pool.multi, s, &pool);
	return 0;
}

/* libcurl's timer callback (the leader's): act on CURL_SOCKET_TIMEOUT in ms. */
static int
on_timer(CURLM *multi, long ms, void *arg)
{
	(void)multi;
	(void)arg;
	pool.timer_at = ms < 0 ? -1 : clock_now_ms() + ms;
	return 0;
}

/* Frees what the pool holds. Under the lock, no client left. */
static void
pool_close(void)
{
	curl_multi_cleanup(pool.multi);
	curl_share_cleanup(pool.share);
	pool.multi = NULL;
	pool.share = NULL;
	if (pool.epfd != -1)
		close(pool.epfd);
	if (pool.evfd != -1)
		close(pool.evfd);
	pool.epfd = pool.evfd = -1;
}

/* Takes a share of the pool, making it with the first client. ERR_NOMEM. */
static enum err
pool_join(long max_connections)
{
	struct epoll_event ev;
	int		 i;
	enum err	 e = ERR_OK;

	pthread_mutex_lock(&pool.lock);
	if (pool.users == 0) {
		for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_init(&pool.share_lock[i], NULL);
		if ((pool.multi = curl_multi_init()) == NULL ||
		    (pool.share = curl_share_init()) == NULL ||
		    (pool.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
		    (pool.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
			pool_close();
			e = ERR_NOMEM;
			goto out;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.fd = pool.evfd;
		if (epoll_ctl(pool.epfd, EPOLL_CTL_ADD, pool.evfd, &ev) != 0) {
			pool_close();
			e = ERR_NOMEM;
			goto out;
		}
		pool.maxconn = 0;
		pool.timer_at = -1;
		curl_multi_setopt(pool.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
		curl_multi_setopt(pool.multi, CURLMOPT_TIMERFUNCTION, on_timer);
		curl_multi_setopt(pool.multi, CURLMOPT_PIPELINING,
		    (long)CURLPIPE_MULTIPLEX);
		curl_share_setopt(pool.share, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(pool.share, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(pool.share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(pool.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	}
	pool.users++;
	/*
	 * The cache holds what the largest client asked for: over HTTP/1.1,
	 * one connection per request in flight, so that a busy moment's
	 * connections are there for the next (a connection closed for want
	 * of room is a TCP and TLS handshake later). Set while no transfer
	 * runs: clients are made before the workers start.
	 */
	if (max_connections < HTTPC_MIN_CONNECTIONS)
		max_connections = HTTPC_MIN_CONNECTIONS;
	if (max_connections > pool.maxconn && !pool.leading) {
		pool.maxconn = max_connections;
		curl_multi_setopt(pool.multi, CURLMOPT_MAXCONNECTS,
		    pool.maxconn);
	}
out:
	pthread_mutex_unlock(&pool.lock);
	return e;
}

/* Gives the share back; the last client frees the pool. */
static void
pool_leave(void)
{
	int i;

	pthread_mutex_lock(&pool.lock);
	if (--pool.users == 0) {
		pool_close();
		for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_destroy(&pool.share_lock[i]);
	}
	pthread_mutex_unlock(&pool.lock);
}

/*
 * The headers every request carries, made once: libcurl would otherwise
 * format them again for each request.
 */
static enum err
headers_new(struct httpc *h, const char *const *lines)
{
	struct curl_slist *l;

	for (; lines != NULL && *lines != NULL; lines++) {
		if ((l = curl_slist_append(h->headers, *lines)) == NULL)
			return ERR_NOMEM;
		h->headers = l;
	}
	/* A body goes at once, not after waiting for "100 Continue". */
	if ((l = curl_slist_append(h->headers, "Expect:")) == NULL)
		return ERR_NOMEM;
	h->headers = l;
	return ERR_OK;
}

/* Frees a list of headers, wiping it first: it may hold credentials. */
static void
slist_wipe(struct curl_slist *list)
{
	struct curl_slist *l;

	for (l = list; l != NULL; l = l->next)
		OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

static void
headers_free(struct httpc *h)
{
	slist_wipe(h->headers);
	h->headers = NULL;
}

/* A copy of s, or NULL for NULL; false when out of memory. */
static bool
dup_or_null(char **out, const char *s)
{
	*out = s != NULL ? strdup(s) : NULL;
	return s == NULL || *out != NULL;
}

enum err
httpc_new(struct httpc **out, const struct httpc_opts *o)
{
	struct httpc *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ERR_NOMEM;
	pthread_mutex_lock(&ca_lock);
	ca_users++;
	pthread_mutex_unlock(&ca_lock);
	h->retry = o->retry;
	h->budget = o->budget;
	if (cond_init(&h->cond) != ERR_OK) {
		free(h);
		pthread_mutex_lock(&ca_lock);
		ca_users--;
		pthread_mutex_unlock(&ca_lock);
		return ERR_NOMEM;
	}
	if (pool_join(o->max_connections) != ERR_OK) {
		pthread_cond_destroy(&h->cond);
		free(h);
		pthread_mutex_lock(&ca_lock);
		ca_users--;
		pthread_mutex_unlock(&ca_lock);
		return ERR_NOMEM;
	}
	if (!dup_or_null(&h->ca_file, o->ca_file) ||
	    !dup_or_null(&h->peer, o->peer != NULL ? o->peer : "the server") ||
	    !dup_or_null(&h->log_tag, o->log_tag != NULL ? o->log_tag : "http"))
		goto fail;
	if (headers_new(h, o->headers) != ERR_OK)
		goto fail;
	*out = h;
	return ERR_OK;
fail:
	httpc_free(h);
	return ERR_NOMEM;
}

void
httpc_free(struct httpc *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nspare; i++)
		curl_easy_cleanup(h->spare[i]);
	headers_free(h);
	free(h->ca_file);
	free(h->peer);
	free(h->log_tag);
	/* A leader that has just given h back may not have signalled yet. */
	while (atomic_load(&h->signals) != 0)
		sched_yield();
	pthread_cond_destroy(&h->cond);
	free(h);
	pool_leave();
	pthread_mutex_lock(&ca_lock);
	if (--ca_users == 0 && ca_store != NULL) {
		X509_STORE_free(ca_store);
		ca_store = NULL;
	}
	pthread_mutex_unlock(&ca_lock);
}

void
httpc_set_transport(struct httpc *h, httpc_transport_fn fn, void *arg)
{
	h->transport = fn;
	h->transport_arg = arg;
}

void
httpc_call_init(struct httpc_call *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->url, HTTPC_URL_MAX);
	buf_init(&c->form, HTTPC_FORM_MAX);
	buf_init(&c->body, HTTPC_BODY_MAX);
	c->retry_after = -1;
}

/* Clears the outcome of an earlier run. */
static void
call_clear(struct httpc_call *c)
{
	c->err = ERR_OK;
	c->status = 0;
	c->message[0] = '\0';
	c->attempts = c->tries = c->pages = 0;
	c->received = 0;
	c->retry_at = 0;
	c->retry_after = -1;
	buf_reset(&c->body);
}

void
httpc_call_free(struct httpc_call *c)
{
	if (c == NULL)
		return;
	call_clear(c);
	buf_free(&c->url);
	buf_free(&c->form);
	buf_free(&c->body);
}

void
httpc_submit(struct httpc *h, struct httpc_call *c)
{
	call_clear(c);
	c->h = h;
	c->queued = true;
	c->next = h->head;
	h->head = c;
}

static void
list_remove(struct httpc *h, struct httpc_call *c)
{
	struct httpc_call **pp;

	for (pp = &h->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->next = NULL;
}

/* The bytes c may receive in all: its own budget, else the client's. */
static size_t
budget_of(const struct httpc_call *c)
{
	return c->budget != 0 ? c->budget : c->h->budget;
}

/*
 * Takes n more bytes of c's answer; false when over a limit: c->overflow
 * set, and c->message saying which.
 */
static bool
take_bytes(struct httpc_call *c, const char *p, size_t n)
{
	size_t budget = budget_of(c);

	if (n > (c->received < budget ? budget - c->received : 0)) {
		snprintf(c->message, sizeof(c->message), "%s's answers to "
		    "one request are over %zu bytes", c->h->peer, budget);
		c->overflow = true;
		return false;
	}
	if (buf_append(&c->body, p, n) != ERR_OK) {
		snprintf(c->message, sizeof(c->message), "%s's answer is "
		    "over %d bytes", c->h->peer, HTTPC_BODY_MAX);
		c->overflow = true;
		return false;
	}
	c->received += n;
	return true;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	/* Over the limit: returning short makes curl fail with a write error. */
	return take_bytes(arg, p, size * n) ? size * n : 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_call	*c = arg;
	size_t			 len = size * n;
	char			 v[32];

	if (len > 12 && len < 12 + sizeof(v) &&
	    strncasecmp(p, "Retry-After:", 12) == 0) {
		char *end;
		long  s;

		memcpy(v, p + 12, len - 12);
		v[len - 12] = '\0';
		s = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		/* Only delta-seconds; an HTTP date is treated as absent. */
		if (end != v && *end == '\0' && s >= 0)
			c->retry_after = s;
	}
	return len;
}

/* Finishes call c for good: off the list, done() called. */
static void
call_done(struct httpc *h, struct httpc_call *c)
{
	list_remove(h, c);
	c->queued = false;
	c->retry_at = 0;
	if (c->done != NULL)
		c->done(c, c->arg);
}

static void
release_easy(struct httpc *h, struct httpc_call *c)
{
	CURL *easy = c->easy;

	if (easy == NULL)
		return;
	/* Off the pool's multi already: the leader took it off when it ended. */
	c->easy = NULL;
	slist_wipe(c->headers);
	c->headers = NULL;
	if (h->nspare < SPARE_MAX)
		h->spare[h->nspare++] = easy;
	else
		curl_easy_cleanup(easy);
}

/* Finishes c with error e; msg names the peer where it has a %s. */
static void
call_fail(struct httpc *h, struct httpc_call *c, enum err e, const char *msg)
{
	c->err = e;
	snprintf(c->message, sizeof(c->message), msg, h->peer);
	call_done(h, c);
}

static int	on_prereq(void *, char *, char *, int, int);

/*
 * A new easy handle with what every request shares. Handles are reused
 * (spare[]) without curl_easy_reset(): call_start() sets all that differs.
 */
static CURL *
easy_new(struct httpc *h)
{
	CURL *easy;

	if ((easy = curl_easy_init()) == NULL)
		return NULL;
	/* The constant headers (credentials, user agent) are in h->headers. */
	if (curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h->headers) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK ||
	    /* Peer and host are verified (the defaults), against ca_store. */
	    curl_easy_setopt(easy, CURLOPT_CAINFO, NULL) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_CAPATH, NULL) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_CA_CACHE_TIMEOUT, 0L) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, h) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_SHARE, pool.share) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_MAXAGE_CONN, POOL_IDLE_S) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq) != CURLE_OK) {
		curl_easy_cleanup(easy);
		return NULL;
	}
	return easy;
}

/* Resets what one attempt of c finds out. */
static void
attempt_begin(struct httpc_call *c)
{
	c->retry_after = -1;
	c->overflow = false;
	c->unsent = false;
	buf_reset(&c->body);
}

/*
 * libcurl's hook just before it sends a request: a POST goes once per
 * attempt. libcurl sends a request again by itself when a kept-alive
 * connection it reused turns out closed before any answer, which for a POST
 * that Twilio may have carried out would make it twice: the second time
 * fails the attempt instead (CURLE_ABORTED_BY_CALLBACK), and the layer
 * above decides, as SPEC §3 says: GET and DELETE are retried, a create is
 * looked up. (The body goes with the headers, CURLOPT_POSTFIELDS: one send,
 * where a read callback that cannot rewind, the other way to stop libcurl,
 * costs a second one.)
 */
static int
on_prereq(void *arg, char *ip, char *local_ip, int port, int local_port)
{
	struct httpc_call *c = arg;

	(void)ip;
	(void)local_ip;
	(void)port;
	(void)local_port;
	return ++c->requests > 1 && c->method == HTTPC_POST ?
	    CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

/* Sets the method of easy, undoing whatever its previous request set. */
static void
easy_method(CURL *easy, struct httpc_call *c)
{
	c->requests = 0;
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, c);
	if (c->method == HTTPC_POST) {
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)c->form.len);
		/* Borrowed: the form stays as it is until the call is done. */
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, buf_str(&c->form));
	} else {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, -1L);
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
		    c->method == HTTPC_DELETE ? "DELETE" : NULL);
	}
}

static void	transport_start(struct httpc *, struct httpc_call *, long long);

/*
 * Sets the headers of c's handle: the client's, and c's own line when it
 * has one (a list of the call's, freed by release_easy()). ERR_NOMEM.
 */
static enum err
call_headers(struct httpc *h, struct httpc_call *c)
{
	struct curl_slist	*l, *own = NULL;
	const struct curl_slist	*i;

	if (c->header == NULL) {
		curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, h->headers);
		return ERR_OK;
	}
	for (i = h->headers; i != NULL; i = i->next) {
		if ((l = curl_slist_append(own, i->data)) == NULL)
			goto nomem;
		own = l;
	}
	if ((l = curl_slist_append(own, c->header)) == NULL)
		goto nomem;
	c->headers = l;
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, l);
	return ERR_OK;
nomem:
	slist_wipe(own);
	return ERR_NOMEM;
}

/* Wakes the leader from epoll_wait(): the inbox has handles for it. */
static void
pool_wake(void)
{
	uint64_t one = 1;

	/* Full (EAGAIN) is as good: the leader wakes all the same. */
	if (write(pool.evfd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_error("cannot wake the connection pool's leader: %s",
		    strerror(errno));
}

static void	pool_add(struct httpc_call *);

/* Starts one attempt of c: an easy handle, for the pool's multi. */
static void
call_start(struct httpc *h, struct httpc_call *c, long long deadline)
{
	CURL		*easy;
	long long	 left = deadline - clock_now_ms();
	bool		 driving;

	c->queued = false;
	c->retry_at = 0;
	if (left <= 0) {
		call_fail(h, c, ERR_TIMEOUT, "deadline passed before the "
		    "request to %s could be sent");
		return;
	}
	if (h->transport != NULL) {
		transport_start(h, c, deadline);
		return;
	}
	if (h->nspare > 0)
		easy = h->spare[--h->nspare];
	else if ((easy = easy_new(h)) == NULL) {
		call_fail(h, c, ERR_NOMEM, "out of memory");
		return;
	}
	c->easy = easy;
	attempt_begin(c);
	if (call_headers(h, c) != ERR_OK) {
		release_easy(h, c);
		call_fail(h, c, ERR_NOMEM, "out of memory");
		return;
	}
	curl_easy_setopt(easy, CURLOPT_URL, buf_str(&c->url));
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    left < CONNECT_TIMEOUT_MS ? (long)left : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, c);
	easy_method(easy, c);
	h->inflight++;
	c->attempts++;
	c->tries++;
	c->fin = false;
	pthread_mutex_lock(&pool.lock);
	/* The leader (its own calls, or a borrowed client's) adds it next turn. */
	if ((driving = h->leader || h->borrowed)) {
		c->pnext = pool.inbox;
		pool.inbox = c;
	}
	pthread_mutex_unlock(&pool.lock);
	if (!driving)
		pool_add(c);
}

/* A random wait from 5% to 100% of ceiling. */
static long
jitter(long ceiling)
{
	static __thread unsigned int seed;

	if (seed == 0)
		seed = (unsigned int)clock_now_ms() ^ (unsigned int)(uintptr_t)&seed;
	return ceiling / 20 + (long)((double)rand_r(&seed) / RAND_MAX *
	    (double)(ceiling - ceiling / 20));
}

/*
 * An attempt that got no answer (res): ERR_TIMEOUT or ERR_TRANSPORT.
 * Returns whether another attempt may succeed.
 */
static bool
no_answer(struct httpc *h, struct httpc_call *c, CURLcode res,
    long long deadline)
{
	c->status = 0;
	if (res == CURLE_WRITE_ERROR && c->overflow) {
		/* take_bytes() said why; the same again would be as big. */
		c->err = ERR_TRANSPORT;
		return false;
	}
	c->err = res == CURLE_OPERATION_TIMEDOUT && clock_now_ms() >= deadline ?
	    ERR_TIMEOUT : ERR_TRANSPORT;
	snprintf(c->message, sizeof(c->message), "%s could not be reached: %s",
	    h->peer, curl_easy_strerror(res));
	/*
	 * Not connected: nothing was sent, so even a create may retry. A
	 * second request stopped (on_prereq()) means it was sent: not unsent.
	 */
	c->unsent = res == CURLE_COULDNT_CONNECT ||
	    res == CURLE_COULDNT_RESOLVE_HOST ||
	    res == CURLE_COULDNT_RESOLVE_PROXY;
	return c->method != HTTPC_POST || c->repeatable || c->unsent;
}

/* The answer() of a call without one: any 2xx will do. */
static enum httpc_verdict
plain_answer(struct httpc_call *c)
{
	if (c->status >= 200 && c->status < 300)
		c->err = ERR_OK;
	else {
		c->err = ERR_TRANSPORT;
		snprintf(c->message, sizeof(c->message), "HTTP %ld from %s",
		    c->status, c->h->peer);
	}
	return HTTPC_DONE;
}

/* One attempt of c ended with result res: retry, go on, or finish. */
static void
attempt_ended(struct httpc *h, struct httpc_call *c, CURLcode res,
    long long deadline)
{
	bool			 idempotent = c->method != HTTPC_POST ||
				    c->repeatable, retryable;
	enum httpc_verdict	 v;
	long long		 now;
	long			 wait;

	if (res != CURLE_OK)
		retryable = no_answer(h, c, res, deadline);
	else {
		v = c->answer != NULL ? c->answer(c, c->arg) : plain_answer(c);
		if (v == HTTPC_NEXT) {
			c->queued = true;	/* the next page, same call */
			c->tries = 0;
			c->pages++;
			return;
		}
		retryable = c->status == 429 || (idempotent &&
		    (c->status >= 500 || v == HTTPC_AGAIN));
	}
	if (c->err == ERR_OK || !retryable || c->tries > h->retry.max_attempts) {
		call_done(h, c);
		return;
	}
	wait = httpc_backoff_ms(&h->retry, c->tries, c->retry_after);
	/*
	 * A computed wait is a ceiling, of which a random 5 to 100% is
	 * waited ("jitter"): workers throttled together by a rate limit then
	 * do not all retry in the same instant. Retry-After is obeyed as said.
	 */
	if (c->retry_after < 0)
		wait = jitter(wait);
	now = clock_now_ms();
	if (now + wait >= deadline) {
		/* Waiting would overrun the deadline: give up with what is known. */
		call_done(h, c);
		return;
	}
	c->retry_at = now + (wait > 0 ? wait : 0) + 1;
}

/* The path of url, for logs: the host is the configuration's, the query may hold a number. */
static const char *
path_of(const char *url)
{
	const char *p = strstr(url, "://");

	return p != NULL && (p = strchr(p + 3, '/')) != NULL ? p : url;
}

static const char *
method_name(enum httpc_method m)
{
	return m == HTTPC_GET ? "GET" : m == HTTPC_POST ? "POST" : "DELETE";
}

/* One attempt of c over libcurl ended with res. */
static void
call_finished(struct httpc *h, struct httpc_call *c, CURLcode res,
    long long deadline)
{
	const char *path;
	double	 total = 0;
	long	 conns = 0;

	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
	curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &conns);
	curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME, &total);
	path = path_of(buf_str(&c->url));
	/* The path only: a query may hold a phone number. */
	log_debug("%s %s %.*s: %ld in %.1f ms%s", h->log_tag,
	    method_name(c->method), (int)strcspn(path, "?"), path, c->status,
	    total * 1000, conns > 0 ? " (new connection)" : "");
	release_easy(h, c);
	attempt_ended(h, c, res, deadline);
}

/*
 * One attempt of c answered by h->transport (httpc_set_transport()): the
 * answer goes through the same limits as one from the network.
 */
static void
transport_start(struct httpc *h, struct httpc_call *c, long long deadline)
{
	struct buf	 head, answer;
	const char	*p, *eol;
	long		 status;
	CURLcode	 res = CURLE_OK;

	attempt_begin(c);
	c->attempts++;
	c->tries++;
	buf_init(&head, 4096);
	/* Room past the limits, so that an answer over them is seen as such. */
	buf_init(&answer, 4 * h->budget);
	status = h->transport(c, &head, &answer, h->transport_arg);
	/* The header lines one by one, as libcurl hands them over. */
	for (p = buf_str(&head); *p != '\0'; p = eol) {
		eol = strchr(p, '\n');
		eol = eol != NULL ? eol + 1 : p + strlen(p);
		on_header((char *)p, 1, (size_t)(eol - p), c);
	}
	if (status == 0)
		res = CURLE_COULDNT_CONNECT;
	else if (!take_bytes(c, buf_str(&answer), answer.len))
		res = CURLE_WRITE_ERROR;
	buf_free(&head);
	buf_free(&answer);
	c->status = status;
	attempt_ended(h, c, res, deadline);
}

static void	take_ended(struct httpc *, long long);
static void	start_ready(struct httpc *, long long);

/*
 * A signal to h's thread, sent by signal_send(h) once the pool's lock is
 * released: woken while the signaller holds the lock (on the same core, it
 * may well be), the thread would sleep again on the lock. Under the lock;
 * returns h. Until the signal is sent, h stays alive (httpc_free()).
 */
static struct httpc *
signal_hold(struct httpc *h)
{
	atomic_fetch_add(&h->signals, 1);
	return h;
}

/* Sends the signal signal_hold() prepared; h may be NULL. Without the lock. */
static void
signal_send(struct httpc *h)
{
	if (h == NULL)
		return;
	pthread_cond_signal(&h->cond);
	atomic_fetch_sub(&h->signals, 1);
}

/*
 * Whether h's thread has something to do once the leader has run its
 * calls: every call finished, or one not in a transfer (a retry waiting,
 * or one the deadline cut short). Only by the thread that has h.
 */
static bool
needs_owner(const struct httpc *h)
{
	const struct httpc_call *c;

	if (h->head == NULL || clock_now_ms() >= h->deadline)
		return true;
	for (c = h->head; c != NULL; c = c->next)
		if (c->easy == NULL)
			return true;
	return false;
}

/*
 * The leader runs the ends of the borrowed clients' transfers (list on
 * bnext) as their own threads would, then gives each back, waking its
 * thread only when needs_owner() says so (or when it woke meanwhile and
 * waits for the client). Their done() may submit calls: start_ready()
 * queues them for the multi, without waking anyone (borrowed).
 */
static void
run_borrowed(struct httpc *b)
{
	struct httpc	*next, *wake;
	bool		 kick;

	for (; b != NULL; b = next) {
		next = b->bnext;
		b->bnext = NULL;
		take_ended(b, b->deadline);
		start_ready(b, b->deadline);
		kick = needs_owner(b);
		pthread_mutex_lock(&pool.lock);
		b->borrowed = false;
		if (kick)
			b->kick = true;
		wake = kick || b->stuck ? signal_hold(b) : NULL;
		pthread_mutex_unlock(&pool.lock);
		signal_send(wake);
	}
}

/*
 * Hands every transfer that ended to its owner: h's own (returns whether
 * there was one), those of a thread asleep in wait_pool() onto *borrowed
 * for run_borrowed(), and the others' to their threads, woken; *poke is
 * set when one is the leader's, which a signal does not reach in
 * epoll_wait(). Under mlock.
 */
static bool
collect(struct httpc *h, struct httpc **borrowed, bool *poke)
{
	struct httpc_call	*c;
	struct CURLMsg		*msg;
	CURL			*easy;
	CURLcode		 res;
	int			 left;
	bool			 mine = false;

	while ((msg = curl_multi_info_read(pool.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is gone once the handle is removed: read it first. */
		easy = msg->easy_handle;
		res = msg->data.result;
		c = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
		curl_multi_remove_handle(pool.multi, easy);
		if (c == NULL)
			continue;
		pthread_mutex_lock(&pool.lock);
		c->fin_res = res;
		c->fin = true;
		if (c->h == h)
			mine = true;
		else if (c->h->borrowed)
			;	/* on *borrowed already */
		else if (c->h->waiting) {
			/* Its thread sleeps: run its calls here (run_borrowed). */
			c->h->borrowed = true;
			c->h->bnext = *borrowed;
			*borrowed = c->h;
		} else if (c->h->leader)
			*poke = true;
		else
			pthread_cond_signal(&c->h->cond);
		pthread_mutex_unlock(&pool.lock);
	}
	return mine;
}

/* Acts on libcurl's timer if it is due. Under mlock. */
static void
run_timer(void)
{
	int running;

	if (pool.timer_at >= 0 && pool.timer_at <= clock_now_ms()) {
		pool.timer_at = -1;
		curl_multi_socket_action(pool.multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
	}
}

/* Tells libcurl what epoll_wait() saw (ev, n of them). Under mlock. */
static void
dispatch(const struct epoll_event *ev, int n)
{
	uint64_t	 k;
	int		 i, what, running;

	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == pool.evfd) {
			if (read(pool.evfd, &k, sizeof(k)) == -1 && errno != EAGAIN)
				log_error("cannot read the connection pool's "
				    "wake-up: %s", strerror(errno));
			continue;
		}
		what = 0;
		if (ev[i].events & (EPOLLIN | EPOLLHUP))
			what |= CURL_CSELECT_IN;
		if (ev[i].events & EPOLLOUT)
			what |= CURL_CSELECT_OUT;
		if (ev[i].events & EPOLLERR)
			what |= CURL_CSELECT_ERR;
		curl_multi_socket_action(pool.multi, ev[i].data.fd, what,
		    &running);
	}
}

/*
 * The leader's turn: adds the handles queued in the inbox, acts on
 * libcurl's timer, and hands each transfer that ended to its owner
 * (collect()); if none of h's own ended and no borrowed client's call
 * started others, waits for a socket, at most timeout_ms (without mlock:
 * meanwhile other threads add their handles themselves), and hands over
 * what that ended. Returns whether one of h's own ended. Called by the
 * leader alone.
 */
static bool
lead_once(struct httpc *h, long timeout_ms)
{
	struct epoll_event	 ev[64];
	struct httpc_call	*in, *c;
	struct httpc		*borrowed = NULL;
	long long		 now;
	int			 n;
	bool			 mine = false, poke = false;

	pthread_mutex_lock(&pool.mlock);
	pthread_mutex_lock(&pool.lock);
	in = pool.inbox;
	pool.inbox = NULL;
	pthread_mutex_unlock(&pool.lock);
	for (; in != NULL; in = c) {
		c = in->pnext;
		if (curl_multi_add_handle(pool.multi, in->easy) != CURLM_OK) {
			pthread_mutex_lock(&pool.lock);
			in->fin_res = CURLE_OUT_OF_MEMORY;
			in->fin = true;
			mine = mine || in->h == h;
			pthread_cond_signal(&in->h->cond);
			pthread_mutex_unlock(&pool.lock);
		}
	}
	run_timer();
	if (collect(h, &borrowed, &poke))
		mine = true;
	if (!mine && borrowed == NULL) {
		now = clock_now_ms();
		if (pool.timer_at >= 0 && pool.timer_at - now < timeout_ms)
			timeout_ms = (long)(pool.timer_at > now ?
			    pool.timer_at - now : 0);
		pool.sleep_until = now + timeout_ms;
		pthread_mutex_unlock(&pool.mlock);
		n = epoll_wait(pool.epfd, ev, (int)(sizeof(ev) / sizeof(ev[0])),
		    (int)timeout_ms);
		pthread_mutex_lock(&pool.mlock);
		pool.sleep_until = 0;
		dispatch(ev, n);
		if (collect(h, &borrowed, &poke))
			mine = true;
	}
	pthread_mutex_unlock(&pool.mlock);
	/* What their done() started is in the inbox, for the next turn. */
	run_borrowed(borrowed);
	return mine;
}

/*
 * Hands the handle of c (a call of the thread's own, not the leader's) to
 * the multi. When the multi is free (its leader, if any, waits in
 * epoll_wait()), this thread adds it and starts it, and hands over what
 * that ended as the leader would; the leader is woken only if it must act
 * sooner than it would (libcurl's timer, a borrowed client's new calls, a
 * call of its own ended). When the multi is busy, c goes to the inbox and
 * the leader is told.
 */
static void
pool_add(struct httpc_call *c)
{
	struct httpc	*borrowed = NULL;
	bool		 poke = false;

	if (pthread_mutex_trylock(&pool.mlock) != 0) {
		pthread_mutex_lock(&pool.lock);
		c->pnext = pool.inbox;
		pool.inbox = c;
		poke = pool.leading;
		pthread_mutex_unlock(&pool.lock);
		if (poke)
			pool_wake();
		return;
	}
	if (curl_multi_add_handle(pool.multi, c->easy) != CURLM_OK) {
		pthread_mutex_lock(&pool.lock);
		c->fin_res = CURLE_OUT_OF_MEMORY;
		c->fin = true;
		pthread_mutex_unlock(&pool.lock);
	} else {
		run_timer();
		collect(c->h, &borrowed, &poke);
	}
	if (pool.sleep_until != 0 && (borrowed != NULL ||
	    (pool.timer_at >= 0 && pool.timer_at < pool.sleep_until)))
		poke = true;
	pthread_mutex_unlock(&pool.mlock);
	run_borrowed(borrowed);
	if (poke)
		pool_wake();
}

/* Whether one of h's transfers ended, not yet taken. Under the lock. */
static bool
own_ended(const struct httpc *h)
{
	const struct httpc_call *c;

	for (c = h->head; c != NULL; c = c->next)
		if (c->easy != NULL && c->fin)
			return true;
	return false;
}

/* Takes h off the pool's waiters. Under the lock. */
static void
unwait(struct httpc *h)
{
	struct httpc **pp;

	for (pp = &pool.waiters; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == h) {
			*pp = h->wnext;
			break;
		}
	h->wnext = NULL;
	h->waiting = false;
}

/*
 * Waits, until wake at the latest, for one of h's transfers to end: as
 * the leader when no thread leads (or h's thread leads already), else for
 * the leader to say so. A thread keeps the lead while it has transfers of
 * its own (it runs its callbacks between two turns and adds what they
 * start itself, waking nobody), and gives it up in step_down(). While h's
 * thread waits for another leader, that leader may run h's calls
 * (lead_once()): it returns when the leader says there is something to do
 * (kick), and never while the leader has h.
 */
static void
wait_pool(struct httpc *h, long long wake)
{
	struct httpc	*next;
	long long	 now;
	struct timespec	 ts;

	pthread_mutex_lock(&pool.lock);
	for (;;) {
		if (h->borrowed) {
			/* The leader runs h's calls: h is not ours meanwhile. */
			h->stuck = true;
			pthread_cond_wait(&h->cond, &pool.lock);
			h->stuck = false;
			continue;
		}
		if (h->kick || own_ended(h) || (now = clock_now_ms()) >= wake)
			break;
		if (h->leader || !pool.leading) {
			pool.leading = true;
			h->leader = true;
			pthread_mutex_unlock(&pool.lock);
			while (!lead_once(h, (long)(wake - now)) &&
			    (now = clock_now_ms()) < wake)
				;
			pthread_mutex_lock(&pool.lock);
			break;
		}
		h->waiting = true;
		h->wnext = pool.waiters;
		pool.waiters = h;
		clock_deadline_ts(wake, &ts);
		pthread_cond_timedwait(&h->cond, &pool.lock, &ts);
		unwait(h);
	}
	h->kick = false;
	/*
	 * Woken to take the lead when there was no need: the others'
	 * transfers still need a leader, the first waiter.
	 */
	next = !pool.leading && pool.waiters != NULL ?
	    signal_hold(pool.waiters) : NULL;
	pthread_mutex_unlock(&pool.lock);
	signal_send(next);
}

/*
 * h's thread gives up the lead, if it has it: it has no transfer left to
 * wait for. The first waiter (if any) takes over.
 */
static void
step_down(struct httpc *h)
{
	struct httpc *next;

	if (!h->leader)
		return;
	pthread_mutex_lock(&pool.lock);
	h->leader = false;
	pool.leading = false;
	next = pool.waiters != NULL ? signal_hold(pool.waiters) : NULL;
	pthread_mutex_unlock(&pool.lock);
	signal_send(next);
}

/*
 * Hands h's transfers that ended to call_finished(), one at a time and
 * without the lock: their done() may submit or start others.
 */
static void
take_ended(struct httpc *h, long long deadline)
{
	struct httpc_call	*c, *ended = NULL;

	pthread_mutex_lock(&pool.lock);
	for (c = h->head; c != NULL; c = c->next)
		if (c->easy != NULL && c->fin) {
			c->fin = false;
			c->pnext = ended;
			ended = c;
		}
	pthread_mutex_unlock(&pool.lock);
	while ((c = ended) != NULL) {
		ended = c->pnext;
		h->inflight--;
		call_finished(h, c, (CURLcode)c->fin_res, deadline);
	}
}

/*
 * Starts what is queued and what has waited long enough, one at a time:
 * a done() called on the way may change the list.
 */
static void
start_ready(struct httpc *h, long long deadline)
{
	struct httpc_call	*c;
	long long		 now;
	bool			 again;

	do {
		again = false;
		now = clock_now_ms();
		for (c = h->head; c != NULL; c = c->next) {
			enum call_state s = call_state(c);

			if (s == CALL_QUEUED ||
			    (s == CALL_WAITING && c->retry_at <= now)) {
				call_start(h, c, deadline);
				again = true;
				break;
			}
		}
	} while (again);
}

/*
 * The deadline passed: finishes every call not in a transfer with e. Those
 * in one end by themselves (each transfer's timeout is the deadline).
 */
static void
fail_idle(struct httpc *h, enum err e, const char *msg)
{
	struct httpc_call	*c;
	bool			 again;

	do {
		again = false;
		for (c = h->head; c != NULL; c = c->next)
			if (c->easy == NULL) {
				call_fail(h, c, e, msg);
				again = true;
				break;
			}
	} while (again);
}

/* When the loop must wake up next: a retry, or the deadline. */
static long long
next_wake(const struct httpc *h, long long now, long long deadline)
{
	const struct httpc_call	*c;
	long long		 wake = deadline;

	for (c = h->head; c != NULL; c = c->next) {
		if (call_state(c) == CALL_QUEUED)
			wake = now;
		else if (call_state(c) == CALL_WAITING && c->retry_at < wake)
			wake = c->retry_at;
	}
	return wake;
}

void
httpc_run(struct httpc *h, long long deadline)
{
	long long	 now, wake;
	struct timespec	 ts;

	h->deadline = deadline;		/* for a leader that runs h's calls */
	for (;;) {
		start_ready(h, deadline);
		take_ended(h, deadline);
		if (h->head == NULL) {
			step_down(h);
			break;
		}
		now = clock_now_ms();
		if (now >= deadline) {
			fail_idle(h, ERR_TIMEOUT, "the request's deadline passed "
			    "while waiting for %s");
			if (h->head == NULL)
				break;
			/* In transfers still: they end at their own timeout. */
			wake = now + 1000;
		} else
			wake = next_wake(h, now, deadline);
		if (wake <= now)
			continue;
		if (h->inflight > 0)
			wait_pool(h, wake);
		else {
			/* Only retries waiting: nothing to drive. */
			step_down(h);
			clock_deadline_ts(wake, &ts);
			pthread_mutex_lock(&pool.lock);
			pthread_cond_timedwait(&h->cond, &pool.lock, &ts);
			pthread_mutex_unlock(&pool.lock);
		}
	}
}
