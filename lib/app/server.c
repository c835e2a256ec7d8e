#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "app/fatal.h"
#include "app/server.h"
#include "core/clock.h"
#include "core/log.h"
#include "svc/callback.h"
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
	struct callback		*cb;		/* the operator's backend */
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

/* SIGUSR1 only interrupts a worker's accept(): nothing to do here. */
static void
on_wake(int sig)
{
	(void)sig;
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
server_event(struct app *a, const char *type, const char *id_key,
    const char *session_sid, json_object *data)
{
	char *event;

	if (!callback_enabled(a->cb))
		return;
	/* Made now: createdAt is the event's time, and req is gone later. */
	if ((event = callback_event(type, id_key, session_sid, data)) == NULL) {
		log_error("callback: out of memory making a %s event", type);
		return;
	}
	if (a->nevents == SERVER_MAX_EVENTS) {
		(void)callback_send(a->cb, event, strlen(event), a->deadline);
		free(event);
		return;
	}
	a->events[a->nevents++] = event;
}

void
server_events_flush(struct app *a)
{
	long long	deadline;
	int		i;

	if (a->nevents == 0)
		return;
	/* One budget for them all: the worker is back at accept() soon. */
	deadline = clock_now_ms() + a->cfg->callback.budget_ms;
	for (i = 0; i < a->nevents; i++) {
		(void)callback_send(a->cb, a->events[i], strlen(a->events[i]),
		    deadline);
		free(a->events[i]);
		a->events[i] = NULL;
	}
	a->nevents = 0;
}

void
server_serve(struct app *a, struct http_req *req, const struct server_prog *p,
    bool ready)
{
	struct route_match	 m;
	server_handler		 handle;
	enum err		 e;

	/* The route first: a path no one serves is 404 even when not ready. */
	if ((e = route_find(p->routes, p->nroutes, req->method, req->path,
	    &m)) != ERR_OK) {
		p->no_route(a, req, e, &m);
		return;
	}
	if (!ready) {
		p->unavailable(a, req);
		return;
	}
	a->deadline = clock_now_ms() + a->cfg->request_timeout_ms;
	/* Back to the type SERVER_ROUTE() cast it from. */
	handle = (server_handler)m.route->handler;
	handle(a, req, &m);
}

/* One worker thread: accept, serve, finish, until told to stop. */
static void *
worker_run(void *arg)
{
	struct worker		*w = arg;
	struct http_conn	 conn;
	struct http_req		 req;
	struct app		 a;
	enum err		 e;

	if (http_init(&conn, w->listen_fd) != ERR_OK) {
		log_error("cannot set up FastCGI");
		return NULL;
	}
	memset(&a, 0, sizeof(a));
	a.cfg = w->cfg;
	a.tw = w->tw;
	a.cb = w->cb;
	a.conn = &conn;
	while (!atomic_load(&stopping)) {
		/*
		 * No lock around accept: on Linux the threads wait in accept()
		 * together and the kernel wakes one per connection (libfcgi
		 * takes no lock of its own there either).
		 */
		atomic_store(&w->accepting, true);
		e = atomic_load(&stopping) ? ERR_SYS : http_wait(&conn);
		/* From here on no signal is sent: the request is read whole. */
		atomic_store(&w->accepting, false);
		if (e != ERR_OK)
			break;
		http_read(&conn, &req);
		server_serve(&a, &req, w->prog, w->ready);
		if (!conn.answered)
			w->prog->unanswered(&a, &req);
		/*
		 * The events after the answer: FastCGI ends the request
		 * first, so the caller has its answer whole; a CGI process
		 * ends with its answer, so it sends them before.
		 */
		if (conn.cgi)
			server_events_flush(&a);
		http_finish(&conn, &req);
		server_events_flush(&a);
	}
	http_free(&conn);
	atomic_store(&w->done, true);
	return NULL;
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

/* Frees the n workers of workers_new() (their Twilio clients), and the array. */
static void
workers_free(struct worker *workers, int n)
{
	int i;

	for (i = 0; workers != NULL && i < n; i++) {
		twilio_free(workers[i].tw);
		callback_free(workers[i].cb);
	}
	free(workers);
}

/* n workers, each with its own Twilio client, or NULL (said in the log). */
static struct worker *
workers_new(const struct config *c, const struct server_prog *p, int fd,
    bool ready, int n)
{
	struct worker	*workers;
	int		 i;

	if ((workers = calloc((size_t)n, sizeof(*workers))) == NULL) {
		log_error("out of memory starting %d workers", n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		workers[i].cfg = c;
		workers[i].prog = p;
		workers[i].listen_fd = fd;
		workers[i].ready = ready;
		if (twilio_new(&workers[i].tw, &c->twilio) != ERR_OK) {
			log_error("cannot set up the HTTP client");
			workers_free(workers, i);
			return NULL;
		}
		if (callback_new(&workers[i].cb, &c->callback) != ERR_OK) {
			log_error("cannot set up the operator's HTTP client");
			workers_free(workers, i + 1);
			return NULL;
		}
	}
	return workers;
}

/* CGI, or one thread: serves on this thread, signals as they come. */
static void
serve_here(struct worker *w)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	worker_run(w);
}

/* Workers never see SIGTERM: this thread waits for it, then stops them. */
static void
serve_threads(struct worker *workers, int n)
{
	struct sigaction sa;
	sigset_t	 sigs;
	int		 i, sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;	/* no SA_RESTART: accept() returns */
	sigaction(SIGUSR1, &sa, NULL);
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
}

/* Serves on fd until told to stop; returns the exit status. */
static int
serve(const struct config *c, const struct server_prog *p, int fd, bool ready)
{
	struct worker	*workers;
	int		 n;

	n = (fd == 0 && FCGX_IsCGI()) ? 1 : c->worker_threads;
	if ((workers = workers_new(c, p, fd, ready, n)) == NULL)
		return 1;
	if (n == 1)
		serve_here(&workers[0]);
	else
		serve_threads(workers, n);
	workers_free(workers, n);
	return 0;
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
 * The socket to serve on, into *fd: --listen's, systemd's, or 0 (the one
 * the web server handed over, or plain CGI). ERR_SYS if --listen's cannot
 * be opened (said in the log).
 */
static enum err
open_listener(const char *listen_at, int *fd)
{
	*fd = 0;
	if (listen_at == NULL && (*fd = systemd_socket()) > 0)
		log_info("serving on the socket systemd passed (fd %d)", *fd);
	else if (listen_at != NULL) {
		if ((*fd = FCGX_OpenSocket(listen_at, 128)) < 0) {
			log_error("cannot listen on %s: %s", listen_at,
			    strerror(errno));
			return ERR_SYS;
		}
		log_info("listening on %s", listen_at);
	}
	return ERR_OK;
}

/* What the command line asks for. */
struct opts {
	bool			 check;
	const char		*listen_at;
	const struct server_cmd	*cmd;		/* NULL: serve */
	int			 cmd_argc;	/* the arguments after cmd */
	char			**cmd_argv;
};

static void
usage(const struct server_prog *p)
{
	size_t i;

	fprintf(stderr, "usage: %s.fcgi [--check | --version | --listen "
	    "HOST:PORT | --listen /path/to.sock]\n", p->name);
	for (i = 0; i < p->ncmds; i++)
		fprintf(stderr, "       %s.fcgi %s %s\n", p->name,
		    p->cmds[i].name, p->cmds[i].args);
	fprintf(stderr, "Serves");
	for (i = 0; i < p->nroutes; i++)
		fprintf(stderr, "%s %s %s", i > 0 ? "," : "",
		    p->routes[i].method, p->routes[i].pattern);
	fprintf(stderr, " over FastCGI: on the socket handed over on fd 0 (as "
	    "web servers start it),\non one it opens itself (--listen), or as "
	    "plain CGI when fd 0 is not a socket.\n"
	    "Configuration comes from the environment and $ENV_FILE or "
	    "./.env.\n");
	for (i = 0; i < p->ncmds; i++)
		fprintf(stderr, "%s %s\n", p->cmds[i].name, p->cmds[i].help);
}

/*
 * Reads the command line into o. Returns -1 to go on, or the exit status
 * when it is all done (--version, --help, a bad argument). A command takes
 * every argument after its name.
 */
static int
parse_args(int argc, char *argv[], const struct server_prog *p,
    struct opts *o)
{
	size_t	k;
	int	i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		for (k = 0; k < p->ncmds; k++)
			if (strcmp(argv[i], p->cmds[k].name) == 0) {
				o->cmd = &p->cmds[k];
				o->cmd_argc = argc - i - 1;
				o->cmd_argv = argv + i + 1;
				return -1;
			}
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s.fcgi (masked) %s\n", p->name, VERSION);
			return 0;
		} else if (strcmp(argv[i], "--check") == 0)
			o->check = true;
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			o->listen_at = argv[++i];
		else {
			usage(p);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	return -1;
}

/*
 * Loads the configuration into cfg (free with config_free()) and opens
 * the log it names (not for --check, which only prints). ERR_NOMEM is the
 * only failure: a configuration with problems is loaded and reported.
 */
static enum err
load_config(const struct server_prog *p, bool check, struct config *cfg)
{
	log_setup(p->name, LOG_INFO);
	if (config_load(cfg) == ERR_NOMEM) {
		log_error("out of memory reading the configuration");
		return ERR_NOMEM;
	}
	log_setup(p->name, (enum log_level)cfg->log_level);
	if (!check && log_open(cfg->log_target) != ERR_OK)
		log_error("LOG_TARGET: cannot open %s (%s): logging to standard "
		    "error", cfg->log_target, strerror(errno));
	return ERR_OK;
}

/*
 * Says what is wrong with cfg for p, and its warnings: printed for
 * --check, logged otherwise. Returns whether cfg is good for p's scope.
 */
static bool
report_config(const struct server_prog *p, const struct config *cfg,
    bool check)
{
	int i;

	for (i = 0; i < cfg->nproblems; i++)
		if (cfg->problems[i].scope & p->scope) {
			if (check)
				printf("error: %s\n", cfg->problems[i].text);
			else
				log_error("configuration: %s; answering 503 "
				    "until it is fixed", cfg->problems[i].text);
		}
	for (i = 0; i < cfg->nwarnings; i++) {
		if (check)
			printf("warning: %s\n", cfg->warnings[i]);
		else
			log_warn("%s", cfg->warnings[i]);
	}
	return config_problem_count(cfg, p->scope) == 0;
}

/* --check's verdict, printed; returns the exit status. */
static int
check_verdict(const struct server_prog *p, const struct config *cfg,
    bool ready)
{
	/* What would stop the program from starting is as bad. */
	if (geteuid() == 0 && !cfg->allow_root) {
		printf("error: running as root: the program refuses to start "
		    "as root (run it as the unprivileged user the web server "
		    "or unit runs it as, or set ALLOW_ROOT=1)\n");
		ready = false;
	}
	printf("%s: configuration %s\n", p->name, ready ? "OK" : "INVALID");
	return ready ? 0 : 1;
}

/*
 * The programs hold the keys to a Twilio account and face the internet: a
 * slip that runs them as root is refused, not served. Returns whether it
 * refuses (said in the log).
 */
static bool
refuse_root(const struct config *cfg)
{
	if (geteuid() != 0 || cfg->allow_root)
		return false;
	log_error("refusing to run as root: run as an unprivileged user (see "
	    "deploy/), or set ALLOW_ROOT=1");
	return true;
}

/* What the process needs before it serves or runs a command. */
static enum err
process_setup(const struct server_prog *p)
{
	signal(SIGPIPE, SIG_IGN);
	fatal_setup(p->name);
	/*
	 * glibc gives each thread its own malloc arena, which keeps what a
	 * large session once used; the requests here are small, so two
	 * arenas serve all threads without contention worth the memory.
	 */
	mallopt(M_ARENA_MAX, 2);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || FCGX_Init() != 0) {
		log_error("cannot initialise libcurl or libfcgi");
		return ERR_SYS;
	}
	return ERR_OK;
}

int
server_main(int argc, char *argv[], const struct server_prog *p)
{
	struct config	 cfg;
	struct opts	 o;
	bool		 ready;
	int		 rc, fd;

	if ((rc = parse_args(argc, argv, p, &o)) >= 0)
		return rc;
	if (load_config(p, o.check, &cfg) != ERR_OK)
		return 1;
	ready = report_config(p, &cfg, o.check);
	rc = 1;
	if (o.check)
		rc = check_verdict(p, &cfg, ready);
	else if (!refuse_root(&cfg) && process_setup(p) == ERR_OK) {
		if (o.cmd != NULL)
			rc = o.cmd->run(o.cmd_argc, o.cmd_argv, &cfg);
		else if (open_listener(o.listen_at, &fd) == ERR_OK)
			rc = serve(&cfg, p, fd, ready);
	}
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
