# masked: a self-hosted phone-number-masking service (FastCGI, C).
#
#   make              build build/libmasked.a and the four programs
#   make unit         the unit tests alone (about 6 s)
#   make layers       the layering rule of lib/ (tests/lib/layers.py)
#   make e2e          the end-to-end suites under lighttpd alone (one server
#                     pass, about 4 min); one file: BUILD=$PWD/build bats
#                     tests/e2e/FILE.bats (SERVER=nginx-systemd... for another)
#   make test         everything (tests/run-all.sh): the next five, in turn
#   make check        unit tests, then the end-to-end suites under every server
#   make check SANITIZE=1   the same, built with -fsanitize=address,undefined
#   make check SANITIZE=thread   ThreadSanitizer (build-tsan/): the unit tests,
#                     and TSAN_SUITES under lighttpd, one process per program
#   make valgrind     the end-to-end suites with the programs under memcheck
#   make fuzz         each fuzz target for FUZZ_TIME seconds
#   make bench        the benchmarks (make soak: the long-life run)
#   make run          start the service on 127.0.0.1:3000 (sandbox without an account)
#   make install      PREFIX=/usr/local DESTDIR=  (and make uninstall)

SHELL	 = /bin/bash
VERSION	 = 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/lib/masked
DATADIR	?= $(PREFIX)/share/masked

CC	?= cc
PKGS	 = fcgi libcurl json-c openssl
# libfcgi ships no .pc file on Debian: fall back to plain -lfcgi.
PKG_CFLAGS := $(shell pkg-config --cflags libcurl json-c openssl 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libcurl json-c openssl 2>/dev/null) -lfcgi

WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	   -Wpointer-arith -Wsign-compare -Wformat=2 -Wno-format-nonliteral
ifdef WERROR
WARN	+= -Werror
endif
OPT	?= -O2 -g
CFLAGS	?=
CPPFLAGS += -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -Ilib -Ibuild
ifdef SANITIZE
OPT	 = -O1 -g -fno-omit-frame-pointer
ifeq ($(SANITIZE),thread)
SANFLAGS = -fsanitize=thread
BUILD	?= build-tsan
else
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
BUILD	?= build-san
endif
endif
BUILD	?= build
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS	 = $(PKG_LIBS) -lpthread -lm

LIB_SRC	 = $(wildcard lib/*/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o) $(BUILD)/lib/areacodes_data.o
PROGS	 = $(BUILD)/sessions.fcgi $(BUILD)/inbound-call.fcgi $(BUILD)/post-event.fcgi \
	   $(BUILD)/pre-event.fcgi
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/libmasked.a $(PROGS)

$(BUILD)/lib $(BUILD)/cgi $(BUILD)/tests:
	mkdir -p $@

# The area-code table is compiled in (parsed once at start-up); etc/ holds
# the source of truth and AREA_CODES_FILE can point at another copy.
$(BUILD)/lib/areacodes_data.c: etc/nanp-area-codes.csv | $(BUILD)/lib
	{ echo '#include <stddef.h>'; \
	  echo 'extern const char areacodes_csv[]; extern const size_t areacodes_csv_len;'; \
	  echo 'const char areacodes_csv[] ='; \
	  sed 's/.*/"&\\n"/' $<; \
	  echo ';'; \
	  echo 'const size_t areacodes_csv_len = sizeof(areacodes_csv) - 1;'; } > $@

$(BUILD)/lib/%.o: lib/%.c lib/*/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/areacodes_data.o: $(BUILD)/lib/areacodes_data.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libmasked.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/cgi/%.o: cgi/%.c cgi/*.h lib/*/*.h | $(BUILD)/cgi
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Each program is its cgi/ file plus cgi/answer.c, the answers (and so the
# HTTP statuses) the four share.
$(BUILD)/%.fcgi: $(BUILD)/cgi/%.o $(BUILD)/cgi/answer.o $(BUILD)/libmasked.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/cgi/answer.o $(BUILD)/libmasked.a $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libmasked.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libmasked.a $(LIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# The layering rule of lib/ (tests/lib/layers.py, also run by make check):
# includes only look down, no include cycle, every exported symbol carries
# its module's name.
layers: all
	@python3 tests/lib/layers.py $(BUILD)

e2e: all
	BUILD=$(abspath $(BUILD)) bats tests/e2e

# Everything, ending in one "N passed, N failed, N skipped" line.
check: all $(UNIT_BIN)
	@$(CHECK_ENV) tests/run-tests.sh $(abspath $(BUILD))

# ThreadSanitizer: the suites where many requests meet in one worker's
# threads at once (E2E_PROCS=1: lighttpd runs one process per program), under
# lighttpd unless SERVERS says otherwise; any report fails the file
# (check_reports, tests/lib/harness.bash).
TSAN_SUITES = sessions_concurrency hostile_webhooks participants preevent_operator
ifeq ($(SANITIZE),thread)
CHECK_ENV = E2E_SUITES="$(TSAN_SUITES)" E2E_PROCS=1 SERVERS="$(or $(SERVERS),lighttpd)"
endif

# `make test` and `make run` work on a fresh machine: they first install the
# Debian packages that are missing, then build in a second make.
test: deps
	@tests/run-all.sh

deps:
	@tests/install-deps.sh test

run-deps:
	@tests/install-deps.sh run

run: run-deps
	@$(MAKE) --no-print-directory all
	@tests/run-service.sh $(abspath $(BUILD))

# The end-to-end suites with the programs under valgrind memcheck (lighttpd
# starts them through it): any memory error or definite leak fails the file.
# Suites that time Twilio's failures to the millisecond are left out: under
# valgrind everything is ten times slower.
VALGRIND_SUITES = sessions sessions_numbers validation auth twilio_errors inbound postevent twilio_tls manage participants messages lifetime preevent preevent_operator events
valgrind: all
	WRAP="$$(command -v valgrind) -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite" \
	TEST_REQUEST_TIMEOUT_MS=30000 BUILD=$(abspath $(BUILD)) \
	    bats $(VALGRIND_FLAGS) $(VALGRIND_SUITES:%=tests/e2e/%.bats)

# Fuzzing (clang, libFuzzer): every parser that sees outside input has a
# target in tests/fuzz/; `make fuzz FUZZ_TIME=300` runs each for that many
# seconds from its seed corpus (tests/fuzz/corpus/NAME), failing on any
# crash, leak or sanitizer report, FUZZ_JOBS targets at a time (default one
# per CPU; tests/fuzz/run-fuzz.sh). New inputs go to build-fuzz/corpus/.
FUZZ_TIME ?= 30
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB_FLAGS = CC=clang BUILD=build-fuzz OPT="-O1 -g" \
	SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"

fuzz-lib:
	@$(MAKE) --no-print-directory $(FUZZ_LIB_FLAGS) build-fuzz/libmasked.a

# A whole-request target (fuzz_*_req) includes its program's cgi/ file and
# cgi/answer.c, as the program links them: one source, no other object.
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c fuzz-lib
	clang $(CPPFLAGS) -std=c11 -O1 -g $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< build-fuzz/libmasked.a $(LIBS)

fuzz: $(FUZZ_BIN)
	@tests/fuzz/run-fuzz.sh $(FUZZ_TIME) $(FUZZ_BIN)

# Benchmarks, not part of `make test` (timings never fail): `make bench`
# (LATENCY_MS=50 PROCS=2 WORKER_THREADS=16; SOAK=1 adds the soak) and
# `make soak` (one worker, 100,000 requests, its RSS after 1,000 and at the end).
bench: all
	@tests/bench/bench.sh $(abspath $(BUILD))

soak: all
	@tests/bench/bench.sh --soak $(abspath $(BUILD))

# Installation (DESTDIR for packaging; `make uninstall` with the same PREFIX
# and DESTDIR removes exactly what was installed):
#   BINDIR         the four programs (PREFIX/lib/masked: run by a web server
#                  or systemd, not by people)
#   DATADIR        nanp-area-codes.csv (for AREA_CODES_FILE; a copy is built in)
#   SYSTEMDUNITDIR deploy/systemd/ (systemd reads PREFIX/lib/systemd/system)
#   SBINDIR        masked-spawn-fcgi (deploy/spawn-fcgi/)
#   DOCDIR         README.md, env.example and all of deploy/
# Installed copies name this PREFIX's paths instead of /usr/local's.
SBINDIR	?= $(PREFIX)/sbin
DOCDIR	?= $(PREFIX)/share/doc/masked
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL	?= install
DEPLOY_FILES := $(shell find deploy -type f 2>/dev/null | LC_ALL=C sort)
UNIT_FILES = $(patsubst deploy/systemd/%,%,$(filter deploy/systemd/%,$(DEPLOY_FILES)))
INSTALL_SED = sed -e 's|/usr/local/lib/masked|$(BINDIR)|g' \
	-e 's|/usr/local/share/masked|$(DATADIR)|g' \
	-e 's|/usr/local/share/doc/masked|$(DOCDIR)|g' \
	-e 's|/usr/local/sbin|$(SBINDIR)|g'

# install-text SRC DEST MODE
define install-text
	mkdir -p "$$(dirname "$(2)")" && $(INSTALL_SED) "$(1)" >"$(2)" && chmod $(3) "$(2)"
endef

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 etc/nanp-area-codes.csv $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	$(call install-text,env.example,$(DESTDIR)$(DOCDIR)/env.example,0644)
	$(call install-text,deploy/spawn-fcgi/masked-spawn-fcgi,$(DESTDIR)$(SBINDIR)/masked-spawn-fcgi,0755)
	@set -e; for f in $(DEPLOY_FILES); do \
	    m=0644; [ -x "$$f" ] && m=0755; \
	    $(call install-text,$$f,$(DESTDIR)$(DOCDIR)/$$f,$$m); \
	done
	@set -e; for f in $(UNIT_FILES); do \
	    $(call install-text,deploy/systemd/$$f,$(DESTDIR)$(SYSTEMDUNITDIR)/$$f,0644); \
	done
	@echo "installed under $(DESTDIR)$(PREFIX); next: README.md, Deploying"

uninstall:
	rm -f $(PROGS:$(BUILD)/%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(DESTDIR)$(DATADIR)/nanp-area-codes.csv $(DESTDIR)$(SBINDIR)/masked-spawn-fcgi
	rm -f $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/env.example
	@set -e; for f in $(DEPLOY_FILES); do rm -f "$(DESTDIR)$(DOCDIR)/$$f"; done
	@set -e; for f in $(UNIT_FILES); do rm -f "$(DESTDIR)$(SYSTEMDUNITDIR)/$$f"; done
	@for d in $$(cd deploy && find . -mindepth 1 -depth -type d); do \
	    d=$${d#./}; rmdir "$(DESTDIR)$(DOCDIR)/deploy/$$d" 2>/dev/null; \
	    case $$d in systemd/?*) rmdir "$(DESTDIR)$(SYSTEMDUNITDIR)/$${d#systemd/}" 2>/dev/null;; esac; \
	done; \
	for d in $(DOCDIR)/deploy $(BINDIR) $(DATADIR) $(DOCDIR); do rmdir "$(DESTDIR)$$d" 2>/dev/null; done; \
	true

.PHONY: install uninstall

clean:
	rm -rf build build-san build-tsan build-fuzz

.PHONY: all unit layers e2e check test deps run-deps run clean fuzz fuzz-lib valgrind bench soak
