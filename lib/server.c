#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "log.h"
#include "server.h"
#include "sig.h"
#include "twilio.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(const struct server_prog *p)
{
	fprintf(stderr, "usage: %s.fcgi [--check | --version | --listen "
	    "HOST:PORT | --listen /path/to.sock]\n"
	    "Serves POST %s over FastCGI: on the socket handed over on fd 0 (as "
	    "web servers start it),\non one it opens itself (--listen), or as "
	    "plain CGI when fd 0 is not a socket.\n"
	    "Configuration comes from the environment and $ENV_FILE or ./.env.\n",
	    p->name, p->path);
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

bool
server_webhook(struct app *a, struct http_req *req, struct form *f)
{
	const struct config	*c = a->cfg;
	const char		*tokens[2];
	char			*url = NULL;
	size_t			 ntokens = 0;
	bool			 json, ok;

	memset(f, 0, sizeof(*f));
	json = strstr(req->query, "bodySHA256=") != NULL;
	if (!json && form_parse(f, buf_str(&req->body), req->body.len) != ERR_OK) {
		log_warn("webhook body is not a valid form: refused");
		return false;
	}
	if (!c->webhook_validation)
		return true;
	if (req->signature == NULL) {
		log_warn("webhook without X-Twilio-Signature: refused");
		return false;
	}
	tokens[ntokens++] = c->auth_token;
	if (c->auth_token_secondary != NULL)
		tokens[ntokens++] = c->auth_token_secondary;
	if (asprintf(&url, "https://%s%s", c->domain, req->request_uri != NULL ?
	    req->request_uri : req->path) == -1)
		return false;
	ok = sig_valid(tokens, ntokens, url, json ? NULL : f,
	    buf_str(&req->body), req->body.len, req->signature);
	if (!ok)
		log_warn("webhook signature does not match %s: refused", url);
	free(url);
	return ok;
}

static void
serve(struct app *a, struct http_req *req, const struct server_prog *p,
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
	a->deadline = twilio_now_ms() + a->cfg->request_timeout_ms;
	p->handle(a, req);
}

int
server_main(int argc, char *argv[], const struct server_prog *p)
{
	struct config		 cfg;
	struct twilio		*tw = NULL;
	struct http_conn	 conn;
	struct http_req		 req;
	struct app		 a;
	struct sigaction	 sa;
	const char		*listen_at = NULL;
	bool			 check = false, ready;
	int			 i, fd = 0, rc = 1;
	enum err		 e;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s.fcgi (masked) %s\n", p->name, VERSION);
			return 0;
		} else if (strcmp(argv[i], "--check") == 0)
			check = true;
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_at = argv[++i];
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
		printf("%s: configuration %s\n", p->name, ready ? "OK" : "INVALID");
		config_free(&cfg);
		return ready ? 0 : 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    twilio_new(&tw, &cfg) != ERR_OK) {
		log_error("cannot set up the HTTP client");
		goto out;
	}
	if (listen_at != NULL) {
		if (FCGX_Init() != 0 || (fd = FCGX_OpenSocket(listen_at, 128)) < 0) {
			log_error("cannot listen on %s: %s", listen_at,
			    strerror(errno));
			goto out;
		}
		log_info("listening on %s", listen_at);
	}
	if (http_init(&conn, fd) != 0) {
		log_error("cannot set up FastCGI");
		goto out;
	}
	a.cfg = &cfg;
	a.tw = tw;
	a.conn = &conn;
	while (!stopping && http_accept(&conn, &req) == 0) {
		serve(&a, &req, p, ready);
		http_finish(&conn, &req);
	}
	rc = 0;
out:
	twilio_free(tw);
	config_free(&cfg);
	curl_global_cleanup();
	return rc;
}
