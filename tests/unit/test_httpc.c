/*
 * test_httpc: the HTTP engine on its own, the wire replaced by
 * httpc_set_transport(): backoff, which answers are retried for which
 * methods, Retry-After, byte budgets and the body limit, going on at a new
 * URL, deadlines. Then over a real socket: threads sharing the process's
 * connections, their calls' done() starting further calls.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "net/httpc.h"
#include "t.h"

static void
test_backoff(void)
{
	struct httpc_retry r = { 5, 1000, 2, 360000 };

	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 2000);
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 4000);
	T_CHECK(httpc_backoff_ms(&r, 4, -1) == 8000);
	T_CHECK(httpc_backoff_ms(&r, 5, -1) == 16000);
	T_CHECK(httpc_backoff_ms(&r, 9, -1) == 256000);
	/* Capped by the maximum. */
	T_CHECK(httpc_backoff_ms(&r, 10, -1) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 100, -1) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 100000, -1) == 360000);	/* pow is inf */
	T_CHECK(httpc_backoff_ms(&r, INT_MAX, -1) == 360000);
	/* Attempt 0 (or less) waits the minimum. */
	T_CHECK(httpc_backoff_ms(&r, 0, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, -3, -1) == 1000);

	/* Retry-After, in seconds, wins over the schedule... */
	T_CHECK(httpc_backoff_ms(&r, 1, 3) == 3000);
	T_CHECK(httpc_backoff_ms(&r, 5, 3) == 3000);
	T_CHECK(httpc_backoff_ms(&r, 1, 0) == 0);
	T_CHECK(httpc_backoff_ms(&r, 5, 0) == 0);
	T_CHECK(httpc_backoff_ms(&r, 1, 360) == 360000);
	/* ...but not over the maximum. */
	T_CHECK(httpc_backoff_ms(&r, 1, 361) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 1, 86400) == 360000);
	T_CHECK(httpc_backoff_ms(&r, 1, LONG_MAX) == 360000);

	/* Other settings. */
	r.factor = 1.5;
	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 1500);
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 2250);
	T_CHECK(httpc_backoff_ms(&r, 4, -1) == 3375);
	r.factor = 1;
	T_CHECK(httpc_backoff_ms(&r, 7, -1) == 1000);
	r.factor = 2;
	r.min_ms = 0;
	T_CHECK(httpc_backoff_ms(&r, 5, -1) == 0);
	r.min_ms = 250;
	r.max_ms = 1000;
	T_CHECK(httpc_backoff_ms(&r, 3, -1) == 1000);
	T_CHECK(httpc_backoff_ms(&r, 2, -1) == 500);
	T_CHECK(httpc_backoff_ms(&r, 1, 2) == 1000);
	r.max_ms = 0;
	T_CHECK(httpc_backoff_ms(&r, 1, -1) == 0);
	T_CHECK(httpc_backoff_ms(&r, 1, 3) == 0);
}

/* A scripted server: statuses[i] answers attempt i (the last one repeats). */
struct script {
	long		 statuses[8];
	int		 nstatuses;
	const char	*head;		/* header lines of every answer */
	size_t		 body_len;	/* bytes of 'x' in every answer */
	int		 calls;
	char		 urls[8][128];	/* the URL of each attempt */
};

static long
scripted(const struct httpc_call *c, struct buf *head, struct buf *body,
    void *arg)
{
	struct script	*s = arg;
	long		 status;
	size_t		 n;

	status = s->statuses[s->calls < s->nstatuses ? s->calls :
	    s->nstatuses - 1];
	if (s->calls < 8)
		snprintf(s->urls[s->calls], sizeof(s->urls[0]), "%s",
		    buf_str(&c->url));
	s->calls++;
	if (s->head != NULL)
		buf_puts(head, s->head);
	for (n = 0; n < s->body_len && body->len < body->max; n++)
		buf_putc(body, 'x');
	return status;
}

/* A client with retries up to 3 after the first attempt, and budget. */
static struct httpc *
client_of(long min_ms, size_t budget)
{
	static const char *const headers[] = { "Accept: text/plain", NULL };
	struct httpc_opts	 o;
	struct httpc		*h = NULL;

	memset(&o, 0, sizeof(o));
	o.headers = headers;
	o.retry.max_attempts = 3;
	o.retry.min_ms = min_ms;
	o.retry.factor = 2;
	o.retry.max_ms = 60000;
	o.budget = budget;
	o.peer = "Peer";
	o.log_tag = "peer";
	T_CHECK(httpc_new(&h, &o) == ERR_OK);
	return h;
}

/* The usual client: waits from min_ms, 10000 bytes a call. */
static struct httpc *
client(long min_ms)
{
	return client_of(min_ms, 10000);
}

/* Runs one call of method m against script s; its outcome is in c. */
static void
run(struct httpc *h, struct httpc_call *c, enum httpc_method m,
    struct script *s, long long deadline_ms)
{
	httpc_call_init(c);
	c->method = m;
	T_CHECK(buf_puts(&c->url, "http://peer.test/a?number=1") == ERR_OK);
	httpc_set_transport(h, scripted, s);
	httpc_submit(h, c);
	httpc_run(h, clock_now_ms() + deadline_ms);
}

static struct script
script_of(long a, long b)
{
	struct script s;

	memset(&s, 0, sizeof(s));
	s.statuses[0] = a;
	s.statuses[1] = b;
	s.nstatuses = 2;
	return s;
}

/* Which answers are tried again, for which methods. */
static void
test_retry_rules(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;

	if (h == NULL)
		return;
	/* 5xx: idempotent methods retry, up to 1 + max_attempts in all. */
	s = script_of(500, 500);
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 500);
	T_STREQ(c.message, "HTTP 500 from Peer");
	T_CHECK(s.calls == 4 && c.attempts == 4);
	httpc_call_free(&c);
	s = script_of(503, 200);
	run(h, &c, HTTPC_DELETE, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.status == 200 && s.calls == 2);
	httpc_call_free(&c);
	/* ...a POST does not: it may have had its effect. */
	s = script_of(500, 200);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1 && !c.unsent);
	httpc_call_free(&c);
	/* 429: every method retries. */
	s = script_of(429, 201);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.status == 201 && s.calls == 2);
	httpc_call_free(&c);
	/* 4xx: final. */
	s = script_of(404, 200);
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 404 && s.calls == 1);
	httpc_call_free(&c);
	/* Never connected: nothing was sent, so even a POST retries. */
	s = script_of(0, 201);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	httpc_call_free(&c);
	s = script_of(0, 0);
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && c.unsent && c.status == 0);
	T_CHECK(s.calls == 4);
	T_CHECK(strncmp(c.message, "Peer could not be reached: ", 27) == 0);
	httpc_call_free(&c);
	httpc_free(h);
}

/* The waits: backoff with jitter, and Retry-After obeyed as said. */
static void
test_retry_after(void)
{
	struct httpc		*h = client(20000);
	struct httpc_call	 c;
	struct script		 s;
	long long		 t0;

	if (h == NULL)
		return;
	/* Retry-After: 0 beats a 20 s backoff. */
	s = script_of(429, 200);
	s.head = "Content-Type: text/plain\r\nRetry-After: 0\r\n";
	t0 = clock_now_ms();
	run(h, &c, HTTPC_POST, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	T_CHECK(clock_now_ms() - t0 < 2000);
	httpc_call_free(&c);
	/* Without it, a wait past the deadline gives up at once. */
	s = script_of(429, 200);
	t0 = clock_now_ms();
	run(h, &c, HTTPC_POST, &s, 500);
	T_CHECK(c.err == ERR_TRANSPORT && c.status == 429 && s.calls == 1);
	T_CHECK(clock_now_ms() - t0 < 400);
	httpc_call_free(&c);
	/* Retry-After: 1 is waited whole (no jitter below it). */
	s = script_of(503, 200);
	s.head = "retry-after: 1\r\n";
	t0 = clock_now_ms();
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && s.calls == 2);
	T_CHECK(clock_now_ms() - t0 >= 1000);
	httpc_call_free(&c);
	/* An HTTP date is not understood: the schedule applies (20 s: past). */
	s = script_of(503, 200);
	s.head = "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT\r\n";
	run(h, &c, HTTPC_GET, &s, 1000);
	T_CHECK(s.calls == 1 && c.status == 503);
	httpc_call_free(&c);
	httpc_free(h);
}

/* Budgets: the client's, a call's own, and the one-answer limit. */
static void
test_budgets(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;

	if (h == NULL)
		return;
	s = script_of(200, 200);
	s.body_len = 10000;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.received == 10000 && c.body.len == 10000);
	httpc_call_free(&c);
	/* One byte over the client's budget: refused, named, not retried. */
	s.body_len = 10001;
	s.calls = 0;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1 && c.status == 0);
	T_STREQ(c.message, "Peer's answers to one request are over 10000 bytes");
	httpc_call_free(&c);
	/* A call's own budget counts every attempt's bytes. */
	s = script_of(500, 200);
	s.body_len = 600;
	httpc_call_init(&c);
	c.budget = 1000;
	T_CHECK(buf_puts(&c.url, "http://peer.test/b") == ERR_OK);
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 2 && c.received == 600);
	T_STREQ(c.message, "Peer's answers to one request are over 1000 bytes");
	httpc_call_free(&c);
	httpc_free(h);

	/* The one-answer limit, under a budget that would allow more. */
	if ((h = client_of(1, 2 * HTTPC_BODY_MAX)) == NULL)
		return;
	s = script_of(200, 200);
	s.body_len = HTTPC_BODY_MAX;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_OK && c.body.len == HTTPC_BODY_MAX);
	httpc_call_free(&c);
	s.body_len = HTTPC_BODY_MAX + 1;
	s.calls = 0;
	run(h, &c, HTTPC_GET, &s, 10000);
	T_CHECK(c.err == ERR_TRANSPORT && s.calls == 1);
	T_CHECK(strstr(c.message, "Peer's answer is over") != NULL);
	httpc_call_free(&c);
	httpc_free(h);
}

/* An answer() hook that goes on at ?page=N three times, then is done. */
static enum httpc_verdict
pager(struct httpc_call *c, void *arg)
{
	int *seen = arg;

	(*seen)++;
	if (c->status != 200) {
		c->err = ERR_TRANSPORT;
		return HTTPC_DONE;
	}
	if (c->pages < 3) {
		buf_reset(&c->url);
		buf_printf(&c->url, "http://peer.test/list?page=%d", c->pages + 1);
		return HTTPC_NEXT;
	}
	c->err = ERR_OK;
	return HTTPC_DONE;
}

static int done_calls;

static void
count_done(struct httpc_call *c, void *arg)
{
	(void)c;
	(void)arg;
	done_calls++;
}

/* The hook pages on; a page's failure is retried at that page. */
static void
test_next(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s;
	int			 seen = 0;

	if (h == NULL)
		return;
	memset(&s, 0, sizeof(s));
	s.statuses[0] = 200;
	s.statuses[1] = 503;
	s.statuses[2] = 200;
	s.nstatuses = 3;
	httpc_call_init(&c);
	T_CHECK(buf_puts(&c.url, "http://peer.test/list") == ERR_OK);
	c.answer = pager;
	c.arg = &seen;
	c.done = count_done;
	done_calls = 0;
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_OK && c.pages == 3 && seen == 5);
	T_CHECK(s.calls == 5 && c.attempts == 5 && done_calls == 1);
	T_STREQ(s.urls[0], "http://peer.test/list");
	T_STREQ(s.urls[1], "http://peer.test/list?page=1");
	T_STREQ(s.urls[2], "http://peer.test/list?page=1");	/* the retry */
	T_STREQ(s.urls[4], "http://peer.test/list?page=3");
	httpc_call_free(&c);
	httpc_free(h);
}

/* A deadline already passed: nothing is sent. */
static void
test_deadline(void)
{
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	struct script		 s = script_of(200, 200);

	if (h == NULL)
		return;
	httpc_call_init(&c);
	T_CHECK(buf_puts(&c.url, "http://peer.test/d") == ERR_OK);
	httpc_set_transport(h, scripted, &s);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() - 1);
	T_CHECK(c.err == ERR_TIMEOUT && s.calls == 0 && c.attempts == 0);
	T_STREQ(c.message, "deadline passed before the request to Peer could "
	    "be sent");
	httpc_call_free(&c);
	httpc_call_free(NULL);
	httpc_free(h);
	httpc_free(NULL);
}


/*
 * A loopback HTTP/1.1 server, a thread per connection, keep-alive: answers
 * each request after a millisecond with its method and path as the body,
 * and counts the requests for each path, so that one sent twice shows.
 */
#define SRV_PATHS	1024

struct server {
	int		 fd;
	int		 port;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	int		 seen[SRV_PATHS];	/* requests for /p/N */
	int		 conns;			/* connections accepted */
	int		 drops;			/* requests for /drop/...: no answer */
	int		 late_drops;		/* of them, after another on its connection */
	int		 live;			/* connection threads running */
};

struct conn {
	struct server	*srv;
	int		 fd;
};

static void *
serve_conn(void *arg)
{
	struct conn	*cn = arg;
	struct server	*srv = cn->srv;
	char		 in[8192], out[512], method[16], path[256];
	size_t		 have = 0, need;
	ssize_t		 n;
	char		*end, *cl;
	long		 body;
	int		 k, len, served = 0;
	struct timespec	 ms = { 0, 1000000 };

	for (;;) {
		in[have] = '\0';
		if ((end = strstr(in, "\r\n\r\n")) == NULL) {
			if (have == sizeof(in) - 1 ||
			    (n = read(cn->fd, in + have, sizeof(in) - 1 - have)) <= 0)
				break;
			have += (size_t)n;
			continue;
		}
		body = 0;
		for (cl = in; (cl = strchr(cl, '\n')) != NULL && cl < end; cl++)
			if (strncasecmp(cl + 1, "Content-Length:", 15) == 0)
				body = strtol(cl + 16, NULL, 10);
		need = (size_t)(end + 4 - in) + (size_t)body;
		if (need >= sizeof(in))
			break;
		while (have < need) {
			if ((n = read(cn->fd, in + have, sizeof(in) - 1 - have)) <= 0)
				goto out;
			have += (size_t)n;
		}
		if (sscanf(in, "%15s %255s", method, path) != 2)
			break;
		if (strncmp(path, "/drop/", 6) == 0) {
			/* Read, then the connection closed without an answer. */
			pthread_mutex_lock(&srv->lock);
			srv->drops++;
			srv->late_drops += served > 0;
			pthread_mutex_unlock(&srv->lock);
			break;
		}
		if (sscanf(path, "/p/%d", &k) == 1 && k >= 0 && k < SRV_PATHS) {
			pthread_mutex_lock(&srv->lock);
			srv->seen[k]++;
			pthread_mutex_unlock(&srv->lock);
		}
		nanosleep(&ms, NULL);
		len = (int)(strlen(method) + 1 + strlen(path));
		n = snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Length: "
		    "%d\r\n\r\n%s %s", len, method, path);
		if (write(cn->fd, out, (size_t)n) != n)
			break;
		memmove(in, in + need, have - need);
		have -= need;
		served++;
	}
out:
	close(cn->fd);
	free(cn);
	pthread_mutex_lock(&srv->lock);
	srv->live--;
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

static void *
serve(void *arg)
{
	struct server	*srv = arg;
	struct conn	*cn;
	pthread_t	 t;
	int		 fd, one = 1;

	while ((fd = accept(srv->fd, NULL, NULL)) != -1) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((cn = malloc(sizeof(*cn))) == NULL) {
			close(fd);
			continue;
		}
		cn->srv = srv;
		cn->fd = fd;
		pthread_mutex_lock(&srv->lock);
		srv->conns++;
		srv->live++;
		pthread_mutex_unlock(&srv->lock);
		if (pthread_create(&t, NULL, serve_conn, cn) != 0) {
			close(fd);
			free(cn);
			pthread_mutex_lock(&srv->lock);
			srv->live--;
			pthread_mutex_unlock(&srv->lock);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static bool
server_start(struct server *srv)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);

	memset(srv, 0, sizeof(*srv));
	pthread_mutex_init(&srv->lock, NULL);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(srv->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(srv->fd, 64) != 0 ||
	    getsockname(srv->fd, (struct sockaddr *)&a, &len) != 0)
		return false;
	srv->port = ntohs(a.sin_port);
	return pthread_create(&srv->thread, NULL, serve, srv) == 0;
}

/* Stops accepting, and waits (a while) for the connections' threads. */
static void
server_stop(struct server *srv)
{
	struct timespec	 ms = { 0, 1000000 };
	int		 i, live = 1;

	shutdown(srv->fd, SHUT_RDWR);
	pthread_join(srv->thread, NULL);
	close(srv->fd);
	for (i = 0; i < 5000 && live > 0; i++) {
		pthread_mutex_lock(&srv->lock);
		live = srv->live;
		pthread_mutex_unlock(&srv->lock);
		if (live > 0)
			nanosleep(&ms, NULL);
	}
	T_CHECK(live == 0);
	pthread_mutex_destroy(&srv->lock);
}

#define POOL_THREADS	8
#define POOL_ROUNDS	12
#define POOL_FIRST	3	/* calls per round; each one's done() starts a POST */

struct worker {
	struct server	*srv;
	int		 id;
	int		 done_first, done_second, wrong;
	pthread_t	 thread;
};

/* One call of a worker's round, and the POST its done() starts. */
struct pair {
	struct worker	*w;
	struct httpc	*h;
	struct httpc_call first, second;
	int		 k;		/* first is /p/k, second /p/k+1 */
};

static bool
answer_is(const struct httpc_call *c, const char *method, int k)
{
	char want[64];

	snprintf(want, sizeof(want), "%s /p/%d", method, k);
	return c->err == ERR_OK && c->status == 200 &&
	    strcmp(buf_str(&c->body), want) == 0;
}

static void
second_done(struct httpc_call *c, void *arg)
{
	struct pair *p = arg;

	p->w->done_second++;
	if (!answer_is(c, "POST", p->k + 1))
		p->w->wrong++;
}

static void
first_done(struct httpc_call *c, void *arg)
{
	struct pair *p = arg;

	p->w->done_first++;
	if (!answer_is(c, "GET", p->k))
		p->w->wrong++;
	/* A step that depends on this one, started from its done(). */
	p->second.method = HTTPC_POST;
	buf_reset(&p->second.url);
	buf_printf(&p->second.url, "http://127.0.0.1:%d/p/%d", p->w->srv->port,
	    p->k + 1);
	buf_reset(&p->second.form);
	buf_puts(&p->second.form, "a=1&b=2");
	httpc_submit(p->h, &p->second);
}

static void *
work(void *arg)
{
	struct worker	*w = arg;
	struct httpc	*h = client(1);
	struct pair	 p[POOL_FIRST];
	int		 r, i;

	if (h == NULL)
		return NULL;
	for (i = 0; i < POOL_FIRST; i++) {
		p[i].w = w;
		p[i].h = h;
		httpc_call_init(&p[i].first);
		httpc_call_init(&p[i].second);
		p[i].first.done = first_done;
		p[i].first.arg = &p[i];
		p[i].second.done = second_done;
		p[i].second.arg = &p[i];
	}
	for (r = 0; r < POOL_ROUNDS; r++) {
		for (i = 0; i < POOL_FIRST; i++) {
			p[i].k = 2 * ((w->id * POOL_ROUNDS + r) * POOL_FIRST + i);
			buf_reset(&p[i].first.url);
			buf_printf(&p[i].first.url, "http://127.0.0.1:%d/p/%d",
			    w->srv->port, p[i].k);
			httpc_submit(h, &p[i].first);
		}
		httpc_run(h, clock_now_ms() + 10000);
	}
	for (i = 0; i < POOL_FIRST; i++) {
		httpc_call_free(&p[i].first);
		httpc_call_free(&p[i].second);
	}
	httpc_free(h);
	return NULL;
}

/*
 * Threads with a client each, on the process's one pool: every call is
 * answered, once, to the thread that made it; what a done() submits runs
 * in the same httpc_run(); no request reaches the server twice; the
 * threads share their connections (far fewer than one per call).
 */
static void
test_pool_threads(void)
{
	struct server	 srv;
	struct worker	 w[POOL_THREADS];
	struct httpc	*keep = client(1);	/* the pool outlives the workers */
	int		 i, k, twice = 0, missing = 0;

	if (keep == NULL)
		return;
	T_CHECK(server_start(&srv));
	for (i = 0; i < POOL_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].srv = &srv;
		w[i].id = i;
		T_CHECK(pthread_create(&w[i].thread, NULL, work, &w[i]) == 0);
	}
	for (i = 0; i < POOL_THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		T_CHECK(w[i].done_first == POOL_ROUNDS * POOL_FIRST);
		T_CHECK(w[i].done_second == POOL_ROUNDS * POOL_FIRST);
		T_CHECK(w[i].wrong == 0);
	}
	for (k = 0; k < 2 * POOL_THREADS * POOL_ROUNDS * POOL_FIRST; k++) {
		pthread_mutex_lock(&srv.lock);
		twice += srv.seen[k] > 1;
		missing += srv.seen[k] == 0;
		pthread_mutex_unlock(&srv.lock);
	}
	T_CHECK(twice == 0 && missing == 0);
	pthread_mutex_lock(&srv.lock);
	/* At most one per call in flight at once, and kept alive across rounds. */
	T_CHECK(srv.conns >= 1 && srv.conns <= 2 * POOL_THREADS * POOL_FIRST);
	pthread_mutex_unlock(&srv.lock);
	httpc_free(keep);		/* the last: closes the connections */
	server_stop(&srv);
}


/*
 * A POST on a kept-alive connection that the server closes after reading
 * it, without an answer: libcurl would send it again on a new connection
 * by itself (for it, a reused connection that died). It must go once, and
 * fail as sent (not unsent): the layer above finds out what it did.
 */
static void
test_post_once(void)
{
	struct server		 srv;
	struct httpc		*h = client(1);
	struct httpc_call	 c;
	int			 drops, late;

	if (h == NULL)
		return;
	T_CHECK(server_start(&srv));
	httpc_call_init(&c);
	buf_printf(&c.url, "http://127.0.0.1:%d/p/0", srv.port);
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_OK);
	c.method = HTTPC_POST;
	buf_reset(&c.url);
	buf_printf(&c.url, "http://127.0.0.1:%d/drop/1", srv.port);
	buf_puts(&c.form, "FriendlyName=x");
	httpc_submit(h, &c);
	httpc_run(h, clock_now_ms() + 10000);
	T_CHECK(c.err == ERR_TRANSPORT && !c.unsent && c.attempts == 1);
	pthread_mutex_lock(&srv.lock);
	drops = srv.drops;
	late = srv.late_drops;
	pthread_mutex_unlock(&srv.lock);
	T_CHECK(drops == 1);
	T_CHECK(late == 1);		/* the POST went on the GET's connection */
	httpc_call_free(&c);
	httpc_free(h);
	server_stop(&srv);
}

int
main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	T_RUN(test_backoff);
	T_RUN(test_retry_rules);
	T_RUN(test_retry_after);
	T_RUN(test_budgets);
	T_RUN(test_next);
	T_RUN(test_deadline);
	T_RUN(test_pool_threads);
	T_RUN(test_post_once);
	curl_global_cleanup();
	T_END();
}
