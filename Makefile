# imbot — build, run and test. `make run` and `make test` are all a newcomer needs.

GO      ?= go
BIN     ?= bin/imbot
PREFIX  ?= /usr/local
# Installation layout (`make install`, `make uninstall`). DESTDIR stages a tree
# for a package; the unit files always name the final paths.
BINDIR      ?= $(PREFIX)/bin
UNITDIR     ?= /etc/systemd/system
SYSUSERSDIR ?= /etc/sysusers.d
# Fixed by the unit's ConfigurationDirectory=imbot and StateDirectory=imbot.
CONFDIR     := /etc/imbot
STATEDIR    := /var/lib/imbot
UNITS       := imbot.service imbot-backup.service imbot-backup.timer
CONFIG  ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 10s
# fuzz-short (CI): every target briefly, so a crash found before comes back.
# A count, not a duration: with a time budget Go's fuzz coordinator can fail
# a loaded run with "context deadline exceeded" and no input (go.dev/issue/75804).
SHORT_FUZZTIME ?= 2000x

DRILL_ROUNDS   ?= 3
DRILL_MESSAGES ?= 60

.PHONY: build run test drills lint bench fuzz fuzz-short install uninstall clean

## build: compile the daemon into bin/imbot, a static binary (no libc: it
## runs on any Linux of the same architecture and maps 1.7 MiB less; the
## pure-Go DNS resolver and user lookup serve it). Tests keep cgo for -race.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/imbot

## run: build and start `imbot serve` (built-in defaults, or CONFIG=path/to/config.toml)
run: build
	./$(BIN) serve $(if $(CONFIG),-config $(CONFIG))

## test: vet, then every test with the race detector and no cache
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## drills: fault drills against the real binary (kill -9, SIGTERM, provider
## faults, a flooding client, a full disk); longer with DRILL_ROUNDS=10 DRILL_MESSAGES=500
drills:
	DRILL_ROUNDS=$(DRILL_ROUNDS) DRILL_MESSAGES=$(DRILL_MESSAGES) $(GO) test -tags drills -count=1 -timeout 10m -run Drill -v ./drills/...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: every benchmark, 5 runs each (compare with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	@for pkg in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## fuzz-short: every fuzz target for SHORT_FUZZTIME; CI runs it
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(SHORT_FUZZTIME)

## install: binary, systemd units, /etc/imbot/config.toml and /etc/imbot/env (never overwritten)
# Builds the binary first unless $(BIN) exists (`make build && sudo make install`
# when root has no Go). Units go to UNITDIR with ExecStart pointing at BINDIR.
# The config is root:imbot 0640 (the service reads it as user imbot, created by
# the sysusers.d file); the env file holds secrets and is root-only 0600.
install:
	@test -x $(BIN) || $(MAKE) build
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/imbot
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	@for u in $(UNITS); do \
	  echo "install systemd/$$u -> $(DESTDIR)$(UNITDIR)/$$u"; \
	  sed 's|/usr/local/bin/imbot|$(BINDIR)/imbot|g' systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp && mv -f $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 systemd/imbot.sysusers $(DESTDIR)$(SYSUSERSDIR)/imbot.conf
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null 2>&1; then \
	  systemd-sysusers $(SYSUSERSDIR)/imbot.conf; fi
	install -d -m 0755 $(DESTDIR)$(CONFDIR)
	@if [ -e $(DESTDIR)$(CONFDIR)/config.toml ]; then \
	  echo "keep $(DESTDIR)$(CONFDIR)/config.toml (exists; the new example is config.toml.example in the source tree)"; \
	else \
	  install -m 0640 config.toml.example $(DESTDIR)$(CONFDIR)/config.toml && \
	  echo "install config.toml.example -> $(DESTDIR)$(CONFDIR)/config.toml"; \
	  if [ -z "$(DESTDIR)" ]; then \
	    if getent group imbot >/dev/null 2>&1; then chgrp imbot $(CONFDIR)/config.toml; \
	    else echo "warning: no group imbot: the service cannot read $(CONFDIR)/config.toml until you create it and run chgrp imbot $(CONFDIR)/config.toml"; fi; \
	  fi; \
	fi
	@if [ -e $(DESTDIR)$(CONFDIR)/env ]; then \
	  echo "keep $(DESTDIR)$(CONFDIR)/env (exists)"; \
	else \
	  install -m 0600 systemd/imbot.env $(DESTDIR)$(CONFDIR)/env && \
	  echo "install systemd/imbot.env -> $(DESTDIR)$(CONFDIR)/env"; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

## uninstall: remove the binary and the units; keep /etc/imbot and /var/lib/imbot
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemctl disable --now imbot.service imbot-backup.timer 2>/dev/null || true; fi
	rm -f $(DESTDIR)$(BINDIR)/imbot
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/imbot.conf
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept $(DESTDIR)$(CONFDIR) (config, secrets) and $(STATEDIR) (the store, backups); remove them by hand"

clean:
	rm -rf bin
