#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "app/server.h"
#include "core/clock.h"
#include "core/log.h"
#include "svc/reap.h"
#include "twilio/twilio.h"
#include "web/sig.h"

/*
 * The worker model: one process serves worker_threads requests at once, one
 * per thread, each thread with its own Twilio client (and so its own kept-
 * alive connections). Web servers add processes (max-procs, mod_fcgid's
 * process limits, more units) on top. Under plain CGI there is one request
 * and no thread.
 */
struct worker {
	pthread_t		 thread;
	const struct config	*cfg;
	const struct server_prog *prog;
	struct twilio		*tw;
	int			 listen_fd;
	bool			 ready;
	atomic_bool		 accepting;	/* waiting in accept(), or about to */
	atomic_bool		 done;		/* worker_run() has returned */
};

/*
 * Set by a signal handler (one thread) or by the main thread, read by every
 * worker: atomic, which a lock-free int also is inside a handler.
 */
static atomic_int stopping;

static void
on_term(int sig)
{
	(void)sig;
	atomic_store(&stopping, 1);
}

/*
 * A worker that dies says so before it goes, in the log's own format, so a
 * crash is seen whichever server runs the program (some say nothing, or
 * only that a process went). The line is made at start-up: a handler may
 * only write(). Sanitizer builds keep the sanitizer's own handler, whose
 * report says more.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SANITIZED
static char	fatal_prefix[128];
static size_t	fatal_prefix_len;

static void
on_fatal(int sig)
{
	char		 line[sizeof(fatal_prefix) + 64], num[12];
	const char	*name;
	size_t		 n = fatal_prefix_len, k = sizeof(num);
	int		 d = sig, saved = errno;

	memcpy(line, fatal_prefix, n);
	do {
		num[--k] = (char)('0' + d % 10);
		d /= 10;
	} while (d > 0 && k > 0);
	memcpy(line + n, num + k, sizeof(num) - k);
	n += sizeof(num) - k;
	switch (sig) {
	case SIGSEGV:	name = " (Segmentation fault)\n"; break;
	case SIGBUS:	name = " (Bus error)\n"; break;
	case SIGILL:	name = " (Illegal instruction)\n"; break;
	case SIGFPE:	name = " (Floating point exception)\n"; break;
	case SIGABRT:	name = " (Aborted)\n"; break;
	default:	name = "\n"; break;
	}
	k = strlen(name);
	memcpy(line + n, name, k);
	(void)!write(log_fileno(), line, n + k);
	errno = saved;
	/* SA_RESETHAND: the default action again, which ends the process. */
	raise(sig);
}

#endif

static void
fatal_signals(const char *program)
{
#ifndef SANITIZED
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	size_t		 i;
	int		 n;

	n = snprintf(fatal_prefix, sizeof(fatal_prefix), "masked[%ld] error "
	    "%s: fatal signal ", (long)getpid(), program);
	if (n < 0 || (size_t)n >= sizeof(fatal_prefix))
		return;
	fatal_prefix_len = (size_t)n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
#else
	(void)program;
#endif
}

static void
usage(const struct server_prog *p)
{
	fprintf(stderr, "usage: %s.fcgi [--check | --version | --listen "
	    "HOST:PORT | --listen /path/to.sock]\n"
	    "       %s.fcgi --reap [--reap-min-age SECONDS] [--reap-window "
	    "SECONDS]\n"
	    "Serves POST %s over FastCGI: on the socket handed over on fd 0 (as "
	    "web servers start it),\non one it opens itself (--listen), or as "
	    "plain CGI when fd 0 is not a socket.\n"
	    "Configuration comes from the environment and $ENV_FILE or ./.env.\n"
	    "--reap deletes the conversations left half-made by a worker that "
	    "died.\n", p->name, p->name, p->path);
}

/* Whether the request's path is the program's, also when mounted under a prefix. */
static bool
path_matches(const char *path, const char *want)
{
	size_t n = strlen(path), w = strlen(want);

	while (n > 1 && path[n - 1] == '/')
		n--;
	/* want starts with '/', so a match always starts a path segment. */
	return n >= w && strncmp(path + n - w, want, w) == 0;
}

enum err
server_webhook(struct app *a, struct http_req *req, struct form *f)
{
	const struct config	*c = a->cfg;
	const char		*tokens[2];
	char			*url = NULL;
	size_t			 ntokens = 0;
	bool			 json, ok;
	enum err		 e;

	memset(f, 0, sizeof(*f));
	if (req->body_err != ERR_OK) {
		log_warn("webhook body could not be read (%s): refused",
		    err_str(req->body_err));
		return req->body_err;
	}
	json = strstr(req->query, "bodySHA256=") != NULL;
	if (!json && (e = form_parse(f, buf_str(&req->body), req->body.len)) !=
	    ERR_OK) {
		log_warn("webhook body is not a valid form (%s): refused",
		    err_str(e));
		return e;
	}
	if (!c->webhook_validation)
		return ERR_OK;
	if (req->signature == NULL) {
		log_warn("webhook without a Twilio signature: refused");
		return ERR_DENIED;
	}
	tokens[ntokens++] = c->twilio.auth_token;
	if (c->auth_token_secondary != NULL)
		tokens[ntokens++] = c->auth_token_secondary;
	if (asprintf(&url, "https://%s%s", c->domain, req->request_uri != NULL ?
	    req->request_uri : req->path) == -1)
		return ERR_NOMEM;
	ok = sig_valid(tokens, ntokens, url, json ? NULL : f,
	    buf_str(&req->body), req->body.len, req->signature);
	if (!ok)
		log_warn("webhook signature does not match https://%s%s: "
		    "refused", c->domain, req->path);
	free(url);
	return ok ? ERR_OK : ERR_DENIED;
}

const char *
server_webhook_strerror(enum err e)
{
	switch (e) {
	case ERR_OK:
		return "ok";
	case ERR_TOOBIG:
		return "the body is over 64 KiB or has more than 1024 fields";
	case ERR_INVAL:
		return "the Content-Length is not a number";
	case ERR_PARSE:
		return "the body is shorter than its Content-Length or is not "
		    "a valid form";
	case ERR_DENIED:
		return "forbidden";
	default:
		return err_str(e);
	}
}

void
server_serve(struct app *a, struct http_req *req, const struct server_prog *p,
    bool ready)
{
	if (!path_matches(req->path, p->path)) {
		http_reply_error(a->conn, 404, "not_found", "this program "
		    "serves only POST to its one path", NULL);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		static const char body[] = "{\"error\":\"method_not_allowed\","
		    "\"message\":\"only POST is served here\"}";

		http_reply(a->conn, 405, "application/json", "Allow: POST\r\n",
		    body, sizeof(body) - 1);
		return;
	}
	if (!ready) {
		p->unavailable(a, req);
		return;
	}
	a->deadline = clock_now_ms() + a->cfg->request_timeout_ms;
	p->handle(a, req);
}

/*
 * The listening socket systemd passes under its socket-activation protocol
 * (LISTEN_PID is us, LISTEN_FDS >= 1: the socket is fd 3), or 0 when there is
 * none. A unit with StandardInput=socket hands it on fd 0 instead, which is
 * the FastCGI way and needs nothing here.
 */
static int
systemd_socket(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() ||
	    atoi(fds) < 1)
		return 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 3;
}

/*
 * --reap: deletes the conversations that workers which died half-way left
 * behind (reap.h). By default only those at least three request deadlines
 * old (no live request can still be adding to them) and at most a day old.
 */
static int
run_reaper(const struct config *c, long min_age, long window)
{
	struct twilio		*t = NULL;
	struct reap_stats	 s;
	enum err		 e;
	int			 i;

	/* Only what every program needs matters here (not the pool, say). */
	for (i = 0; i < c->nproblems; i++)
		if (c->problems[i].scope == CONFIG_FOR_ALL) {
			fprintf(stderr, "reap: %s\n", c->problems[i].text);
			return 1;
		}
	if (min_age < 0)
		min_age = 3 * (c->request_timeout_ms / 1000 + 5);
	if ((e = twilio_new(&t, &c->twilio)) != ERR_OK)
		return 1;
	e = reap_run(t, min_age, window, &s);
	twilio_free(t);
	printf("reap: %lu conversations examined, %lu half-made, %lu deleted, "
	    "%lu failed\n", s.examined, s.half_made, s.deleted, s.failed);
	return e == ERR_OK && s.failed == 0 ? 0 : 1;
}

/* One worker thread: accept, serve, finish, until told to stop. */
static void *
worker_run(void *arg)
{
	struct worker		*w = arg;
	struct http_conn	 conn;
	struct http_req		 req;
	struct app		 a;
	int			 rc;

	if (http_init(&conn, w->listen_fd) != 0) {
		log_error("cannot set up FastCGI");
		return NULL;
	}
	a.cfg = w->cfg;
	a.tw = w->tw;
	a.conn = &conn;
	while (!atomic_load(&stopping)) {
		/*
		 * No lock around accept: on Linux the threads wait in accept()
		 * together and the kernel wakes one per connection (libfcgi
		 * takes no lock of its own there either).
		 */
		atomic_store(&w->accepting, true);
		rc = atomic_load(&stopping) ? -1 : http_wait(&conn);
		/* From here on no signal is sent: the request is read whole. */
		atomic_store(&w->accepting, false);
		if (rc != 0)
			break;
		http_read(&conn, &req);
		server_serve(&a, &req, w->prog, w->ready);
		http_finish(&conn, &req);
	}
	http_free(&conn);
	atomic_store(&w->done, true);
	return NULL;
}

/* SIGUSR1 only interrupts a worker's accept(): nothing to do here. */
static void
on_wake(int sig)
{
	(void)sig;
}

/*
 * Stops the n workers: each ends the request it is serving, and one that
 * waits in accept() is woken by SIGUSR1 (libfcgi gives up the accept on
 * EINTR: FCGI_FAIL_ACCEPT_ON_INTR). The listening socket itself is left
 * alone: it may be systemd's, shared with the next start of the program,
 * and shutting it down would refuse every connection from then on. The
 * signal goes again until each has stopped, since one may be between its
 * last look at stopping and accept().
 */
static void
stop_workers(struct worker *workers, int n)
{
	int	i, left;

	do {
		left = 0;
		for (i = 0; i < n; i++) {
			if (atomic_load(&workers[i].done))
				continue;
			left++;
			if (atomic_load(&workers[i].accepting))
				pthread_kill(workers[i].thread, SIGUSR1);
		}
		if (left > 0)
			usleep(10000);
	} while (left > 0);
	for (i = 0; i < n; i++)
		pthread_join(workers[i].thread, NULL);
}

int
server_main(int argc, char *argv[], const struct server_prog *p)
{
	struct config		 cfg;
	struct worker		*workers = NULL;
	sigset_t		 sigs;
	const char		*listen_at = NULL;
	bool			 check = false, reap = false, ready;
	long			 reap_min_age = -1, reap_window = 86400;
	int			 i, n = 0, fd = 0, rc = 1, sig;
	enum err		 e;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s.fcgi (masked) %s\n", p->name, VERSION);
			return 0;
		} else if (strcmp(argv[i], "--check") == 0)
			check = true;
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_at = argv[++i];
		else if (strcmp(argv[i], "--reap") == 0)
			reap = true;
		else if (strcmp(argv[i], "--reap-min-age") == 0 && i + 1 < argc)
			reap_min_age = atol(argv[++i]);
		else if (strcmp(argv[i], "--reap-window") == 0 && i + 1 < argc)
			reap_window = atol(argv[++i]);
		else {
			usage(p);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}

	log_setup(p->name, LOG_INFO);
	if ((e = config_load(&cfg)) == ERR_NOMEM) {
		log_error("out of memory reading the configuration");
		return 1;
	}
	log_setup(p->name, (enum log_level)cfg.log_level);
	if (!check && (e = log_open(cfg.log_target)) != ERR_OK)
		log_error("LOG_TARGET: cannot open %s (%s): logging to standard "
		    "error", cfg.log_target, strerror(errno));
	ready = config_problem_count(&cfg, p->scope) == 0;
	for (i = 0; i < cfg.nproblems; i++)
		if (cfg.problems[i].scope & p->scope) {
			if (check)
				printf("error: %s\n", cfg.problems[i].text);
			else
				log_error("configuration: %s; answering 503 "
				    "until it is fixed", cfg.problems[i].text);
		}
	for (i = 0; i < cfg.nwarnings; i++) {
		if (check)
			printf("warning: %s\n", cfg.warnings[i]);
		else
			log_warn("%s", cfg.warnings[i]);
	}
	if (check) {
		/* What would stop the program from starting is as bad. */
		if (geteuid() == 0 && !cfg.allow_root) {
			printf("error: running as root: the program refuses to "
			    "start as root (run it as the unprivileged user the "
			    "web server or unit runs it as, or set ALLOW_ROOT=1)\n");
			ready = false;
		}
		printf("%s: configuration %s\n", p->name, ready ? "OK" : "INVALID");
		config_free(&cfg);
		return ready ? 0 : 1;
	}

	/*
	 * The programs hold the keys to a Twilio account and face the
	 * internet: a slip that runs them as root is refused, not served.
	 */
	if (geteuid() == 0 && !cfg.allow_root) {
		log_error("refusing to run as root: run as an unprivileged user "
		    "(see deploy/), or set ALLOW_ROOT=1");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	fatal_signals(p->name);
	/*
	 * glibc gives each thread its own malloc arena, which keeps what a
	 * large session once used; the requests here are small, so two
	 * arenas serve all threads without contention worth the memory.
	 */
	mallopt(M_ARENA_MAX, 2);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || FCGX_Init() != 0) {
		log_error("cannot initialise libcurl or libfcgi");
		goto out;
	}
	if (reap) {
		rc = run_reaper(&cfg, reap_min_age, reap_window);
		goto out;
	}
	if (listen_at == NULL && (fd = systemd_socket()) > 0)
		log_info("serving on the socket systemd passed (fd %d)", fd);
	else if (listen_at != NULL) {
		if ((fd = FCGX_OpenSocket(listen_at, 128)) < 0) {
			log_error("cannot listen on %s: %s", listen_at,
			    strerror(errno));
			goto out;
		}
		log_info("listening on %s", listen_at);
	}
	n = (fd == 0 && FCGX_IsCGI()) ? 1 : cfg.worker_threads;
	if ((workers = calloc((size_t)n, sizeof(*workers))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		workers[i].cfg = &cfg;
		workers[i].prog = p;
		workers[i].listen_fd = fd;
		workers[i].ready = ready;
		if (twilio_new(&workers[i].tw, &cfg.twilio) != ERR_OK) {
			log_error("cannot set up the HTTP client");
			goto out;
		}
	}
	if (n == 1) {
		/* CGI, or one thread: serve on this thread, signals as they come. */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns */
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		worker_run(&workers[0]);
		rc = 0;
		goto out;
	}

	/* Workers never see SIGTERM: this thread waits for it, then stops them. */
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_wake;	/* no SA_RESTART: accept() returns */
		sigaction(SIGUSR1, &sa, NULL);
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i].thread, NULL, worker_run,
		    &workers[i]) != 0) {
			log_error("cannot start worker thread: %s", strerror(errno));
			n = i;
			atomic_store(&stopping, 1);
			break;
		}
	if (!atomic_load(&stopping)) {
		log_debug("serving with %d threads", n);
		sigwait(&sigs, &sig);
		atomic_store(&stopping, 1);
	}
	stop_workers(workers, n);
	rc = 0;
out:
	for (i = 0; workers != NULL && i < n; i++)
		twilio_free(workers[i].tw);
	free(workers);
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
