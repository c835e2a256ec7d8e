# masked: a self-hosted phone-number-masking service (FastCGI, C).
#
#   make              build build/libmasked.a and the three programs
#   make test         unit tests, then the end-to-end suite under lighttpd
#   make test SANITIZE=1   the same, built with -fsanitize=address,undefined
#   make run          start the service on 127.0.0.1:3000 (sandbox without an account)
#   make install      PREFIX=/usr/local DESTDIR=

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
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
BUILD	?= build-san
endif
BUILD	?= build
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS	 = $(PKG_LIBS) -lpthread -lm

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o) $(BUILD)/lib/areacodes_data.o
PROGS	 = $(BUILD)/sessions.fcgi $(BUILD)/inbound-call.fcgi $(BUILD)/post-event.fcgi
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

$(BUILD)/lib/%.o: lib/%.c lib/*.h | $(BUILD)/lib
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/areacodes_data.o: $(BUILD)/lib/areacodes_data.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libmasked.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/cgi/%.o: cgi/%.c lib/*.h | $(BUILD)/cgi
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.fcgi: $(BUILD)/cgi/%.o $(BUILD)/libmasked.a
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libmasked.a $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libmasked.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libmasked.a $(LIBS)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

e2e: all
	BUILD=$(abspath $(BUILD)) bats tests/e2e

# Everything, ending in one "N passed, N failed, N skipped" line.
check: all $(UNIT_BIN)
	@tests/run-tests.sh $(abspath $(BUILD))

# `make test` and `make run` work on a fresh machine: they first install the
# Debian packages that are missing, then build in a second make.
test: deps
	@$(MAKE) --no-print-directory check

deps:
	@tests/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@tests/run-service.sh $(abspath $(BUILD))

# Fuzzing (clang, libFuzzer): every parser that sees outside input has a
# target in tests/fuzz/; `make fuzz FUZZ_TIME=300` runs each for that many
# seconds from its seed corpus (tests/fuzz/corpus/NAME), failing on any
# crash, leak or sanitizer report. New inputs go to build-fuzz/corpus/.
FUZZ_TIME ?= 30
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB_FLAGS = CC=clang BUILD=build-fuzz OPT="-O1 -g" \
	SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"

fuzz-lib:
	@$(MAKE) --no-print-directory $(FUZZ_LIB_FLAGS) build-fuzz/libmasked.a

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c fuzz-lib
	clang $(CPPFLAGS) -std=c11 -O1 -g $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -o $@ $< build-fuzz/libmasked.a $(LIBS)

fuzz: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do \
	    n=$$(basename $$f); mkdir -p build-fuzz/corpus/$$n; \
	    echo "== $$n for $(FUZZ_TIME) s"; \
	    $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -detect_leaks=1 \
	        build-fuzz/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' ; \
	    test $${PIPESTATUS[0]} -eq 0; \
	done

clean:
	rm -rf build build-san build-fuzz

.PHONY: all unit e2e check test deps run clean fuzz fuzz-lib
