# Rapport — the two commands a newcomer needs are `make run` and `make test`.
SWIFT      ?= swift
CONFIG     ?= release
BIN_DEBUG  := .build/debug/rapport
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS   := libncurses-dev tmux zlib1g-dev python3-icalendar hunspell hunspell-en-us time python3 neomutt procmail maildrop notmuch

.PHONY: all deps shim-fresh build run test bench clean help

all: build

help:
	@echo "make run    build and open the TUI on the default store"
	@echo "make test   install what is missing, build, run every test"
	@echo "make bench  run the benchmarks (writes docs/benchmarks.md)"

# Installs the Debian packages Rapport needs when they are missing (apt-get update first).
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Release builds link the Swift runtime and Foundation statically: every command starts
# about 6 ms sooner (no dynamic loading and relocation of libFoundation and friends), for a
# larger binary. See docs/benchmarks.md.
STATIC     := $(if $(filter release,$(CONFIG)),--static-swift-stdlib,)

build: deps shim-fresh
	$(SWIFT) build -c $(CONFIG) $(STATIC)

run: build
	./.build/$(CONFIG)/rapport $(ARGS)

# SwiftPM does not notice edits to the C shim in its module cache; drop the cache when
# shim.h is newer than the last build that saw it.
shim-fresh:
	@if [ -d .build ] && [ Sources/CNCursesw/shim.h -nt .build/.shim-stamp ]; then \
	  find .build -type d -name ModuleCache -prune -exec rm -rf {} + ; \
	  rm -rf .build/*/RapportTerminal.build; fi
	@mkdir -p .build && touch .build/.shim-stamp

test: deps shim-fresh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

clean:
	rm -rf .build

# Benchmarks: release build, peers from Debian (abook, calcurse, taskwarrior), a pty harness
# in Python (pexpect, pyte). Prints a table and writes docs/benchmarks.md.
bench: deps
	@missing=""; for p in abook calcurse taskwarrior python3-pip; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	@python3 -c "import pexpect, pyte" 2>/dev/null || python3 -m pip install -q pexpect pyte
	$(SWIFT) build -c release --static-swift-stdlib
	python3 bench/bench.py
