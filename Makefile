# Rapport — the two commands a newcomer needs are `make run` and `make test`.
SWIFT      ?= swift
CONFIG     ?= release
BIN_DEBUG  := .build/debug/rapport
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS   := libncurses-dev tmux zlib1g-dev python3-icalendar hunspell hunspell-en-us time python3 neomutt procmail maildrop notmuch man-db git age

# `make install PREFIX=/usr/local` (DESTDIR for staging): the binary, the man page
# generated from the argument parser, and bash, zsh and fish completions.
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR      = $(DESTDIR)$(PREFIX)/bin
MANDIR      = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR     = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR      = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR     = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
# The man page's date: the last commit's, so the page is reproducible.
MAN_DATE   ?= $(shell git log -1 --format=%cs 2>/dev/null || date +%Y-%m-%d)
MANPAGE     = .build/plugins/GenerateManual/outputs/rapport/rapport.1
# Extra SwiftPM options for `man` and `install` (the install test passes --ignore-lock:
# it runs inside `swift test`, which holds the lock on .build).
SWIFTPM_FLAGS ?=

.PHONY: all deps shim-fresh build run test bench clean help man install uninstall

all: build

help:
	@echo "make run    build and open the TUI on the default store"
	@echo "make test   install what is missing, build, run every test"
	@echo "make bench  run the benchmarks (writes docs/benchmarks.md)"
	@echo "make install [PREFIX=/usr/local] [DESTDIR=]  binary, man page, completions; make uninstall"

# Installs the Debian packages Rapport needs when they are missing (apt-get update first).
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Release builds link the Swift runtime and Foundation statically: every command starts
# about 6 ms sooner (no dynamic loading and relocation of libFoundation and friends), for a
# larger binary. They are also linked position-dependent (-no-pie): a static Swift binary
# as a PIE carries about 90 000 relocations that the loader applies at every start (some
# 260 page faults, about 2.5 ms); without PIE there are none. The stack, the heap, shared
# libraries and mappings are still placed at random; the program's own code is not.
# See docs/benchmarks.md.
RELEASE_LINK := --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie
STATIC     := $(if $(filter release,$(CONFIG)),$(RELEASE_LINK),)

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

# The man page, generated from the argument parser by swift-argument-parser's
# generate-manual plugin (it builds the package and reads `rapport --experimental-dump-help`).
man: shim-fresh
	$(SWIFT) package $(SWIFTPM_FLAGS) plugin generate-manual --configuration $(CONFIG) --date $(MAN_DATE) \
	  --authors "The Rapport authors"
	@test -s $(MANPAGE)

install: deps man
	$(SWIFT) build $(SWIFTPM_FLAGS) -c $(CONFIG) $(STATIC) --product rapport
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	install -m 755 .build/$(CONFIG)/rapport $(BINDIR)/rapport
	install -m 644 $(MANPAGE) $(MANDIR)/rapport.1
	.build/$(CONFIG)/rapport --generate-completion-script bash > $(BASHDIR)/rapport
	.build/$(CONFIG)/rapport --generate-completion-script zsh > $(ZSHDIR)/_rapport
	.build/$(CONFIG)/rapport --generate-completion-script fish > $(FISHDIR)/rapport.fish
	@echo "installed rapport in $(BINDIR), its man page in $(MANDIR), completions for bash, zsh and fish"

uninstall:
	rm -f $(BINDIR)/rapport $(MANDIR)/rapport.1 $(BASHDIR)/rapport $(ZSHDIR)/_rapport $(FISHDIR)/rapport.fish

# Benchmarks: release build, peers from Debian (abook, calcurse, taskwarrior), a pty harness
# in Python (pexpect, pyte). Prints a table and writes docs/benchmarks.md.
bench: deps
	@missing=""; for p in abook calcurse taskwarrior python3-pip valgrind; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	@python3 -c "import pexpect, pyte" 2>/dev/null || python3 -m pip install -q pexpect pyte
	$(SWIFT) build -c release $(RELEASE_LINK)
	python3 bench/bench.py
