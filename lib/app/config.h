/*
 * config: the service's configuration (SPEC §2), read once at start-up.
 *
 * Sources, first wins: the process environment, then the env file
 * ($ENV_FILE, else ./.env when present). The result is the one global of the
 * programs: built before the first request and read-only afterwards.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include "core/buf.h"
#include "svc/callback.h"
#include "svc/inbound.h"
#include "svc/preevent.h"
#include "svc/session.h"
#include "twilio/twilio.h"

struct pool;
struct areacodes;

#define CONFIG_MAX_PROBLEMS	32

struct config {
	/* Twilio: credentials, base URLs, CAs, retries (the strings are config's) */
	struct twilio_opts twilio;
	char		*auth_token_secondary;	/* accepted for signatures during rotation */
	long		 request_timeout_ms;	/* the whole request's deadline */
	int		 worker_threads;	/* requests served at once per process */
	/* number pool */
	struct areacodes *areas;
	struct pool	*pool;
	struct session_opts session;		/* .pool is pool, borrowed */
	/* voice (the strings are config's) */
	struct inbound_opts inbound;
	/* message interception (the strings are config's) */
	struct preevent_opts preevent;
	/* webhooks and /sessions */
	char		*domain;
	bool		 webhook_validation;
	char		*auth_username;
	char		*auth_password;
	int		 log_level;
	char		*log_target;		/* LOG_TARGET: see log_open() */
	bool		 sandbox;		/* pointed at the built-in sandbox */
	bool		 allow_root;		/* may run with uid 0 */
	/* events to the operator, and its secret (SPEC §12; the strings are config's) */
	struct callback_opts callback;

	/*
	 * What is wrong, one line each ("NAME: why"), for --check and the
	 * log; scope says which programs it stops (CONFIG_FOR_*), so that a
	 * missing DOMAIN does not stop /sessions, which does not need it.
	 */
	struct config_problem {
		unsigned	 scope;
		char		*text;
	}		 problems[CONFIG_MAX_PROBLEMS];
	int		 nproblems;
	char		*warnings[CONFIG_MAX_PROBLEMS];
	int		 nwarnings;
};

#define CONFIG_FOR_SESSIONS	0x1u
#define CONFIG_FOR_INBOUND	0x2u
#define CONFIG_FOR_POSTEVENT	0x4u
#define CONFIG_FOR_PREEVENT	0x8u
#define CONFIG_FOR_WEBHOOKS	(CONFIG_FOR_INBOUND | CONFIG_FOR_POSTEVENT | \
			 CONFIG_FOR_PREEVENT)
#define CONFIG_FOR_ALL		0xfu

/*
 * Parses env-file text (len bytes) and calls set(name, value, arg) for each
 * assignment, in order. Lines are "KEY=value", optionally "export KEY=value";
 * blank lines and lines starting with '#' are skipped; a value may be single-
 * quoted (taken literally), double-quoted (\n, \", \\ unescaped) or bare (a
 * " #" starts a comment, surrounding blanks are trimmed). A line that is not
 * an assignment is ERR_PARSE and *bad_line is set to its number (from 1).
 * set() returning non-zero stops the parse with ERR_NOMEM.
 */
enum err	config_envfile_parse(const char *text, size_t len,
		    int (*set)(const char *name, const char *value, void *arg),
		    void *arg, int *bad_line);

/*
 * Reads and validates the configuration into c. Always returns a usable
 * struct: what is missing or invalid is listed in c->problems (and the
 * matching feature answers 503 rather than the program dying). Returns
 * ERR_OK when there are no problems, ERR_CONFIG otherwise, ERR_NOMEM.
 * Free with config_free().
 */
enum err	config_load(struct config *c);
void		config_free(struct config *c);
/* How many of c's problems stop the programs in scope. */
int		config_problem_count(const struct config *c, unsigned scope);

#endif
