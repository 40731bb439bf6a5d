# imbot — build, run and test. `make run` and `make test` are all a newcomer needs.

GO      ?= go
BIN     ?= bin/imbot
PREFIX  ?= /usr/local
CONFIG  ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 10s

.PHONY: build run test lint bench fuzz install clean

## build: compile the daemon into bin/imbot
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/imbot

## run: build and start `imbot serve` (built-in defaults, or CONFIG=path/to/config.toml)
run: build
	./$(BIN) serve $(if $(CONFIG),-config $(CONFIG))

## test: vet, then every test with the race detector and no cache
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: every benchmark, 5 runs each (compare with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## install: install the binary into PREFIX/bin
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/imbot

clean:
	rm -rf bin
