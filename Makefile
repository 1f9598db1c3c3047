# datashare — the two commands: `make run` and `make test`.
#
# Everything builds with CGO disabled: the SQLite drivers are pure Go, so a fresh machine needs
# nothing but Go, and the binaries are static.

GO        ?= go
export CGO_ENABLED = 0
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin
PKGS      := ./...
# Tests that need a MySQL server run when this is set (see README); otherwise they are skipped.
DATASHARE_TEST_MYSQL_DSN ?=
export DATASHARE_TEST_MYSQL_DSN

# The API `make bench` measures.
BENCH_API ?= http://127.0.0.1:8080

WORKFLOWCHECK := $(GO) run go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

.PHONY: run test test-short lint build build-dev sizes clean prod-up prod-down bench

## run: the whole system in one process (embedded Temporal server + UI, worker, API, SQLite in ./data)
run: build-dev
	./$(BIN)/datashare-dev dev $(ARGS)

## bench: load-test a running datashare (`make run` in another terminal) through its API at
## BENCH_API: creates/s, create, claim, approve and inbox latency, read-your-writes misses,
## memory; ARGS="--pid PID --duration 60s", ARGS="seed --n 10000",
## ARGS="restart --pid PID -- ./bin/datashare-dev dev" (docs/performance.md)
bench: build-dev
	./$(BIN)/datashare-dev bench --api $(BENCH_API) $(ARGS)

## test: every test; database tests also on MySQL when DATASHARE_TEST_MYSQL_DSN is set
test:
	@if [ -z "$$DATASHARE_TEST_MYSQL_DSN" ]; then \
	  echo "NOTE: DATASHARE_TEST_MYSQL_DSN is not set: the MySQL variants of the database tests are SKIPPED (SQLite runs)."; \
	else \
	  echo "MySQL tests run against DATASHARE_TEST_MYSQL_DSN."; \
	fi
	@# Compile every test binary in parallel first, then run them one package at a time: several
	@# packages start an embedded Temporal server on free ports, and packages running side by
	@# side could race for the same port.
	$(GO) test -tags embedded -count=1 -run '^$$' $(PKGS) > /dev/null
	$(GO) test -tags embedded -count=1 -p 1 -timeout 20m $(PKGS)

## lint: gofmt, go vet (both builds), workflowcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) vet -tags embedded $(PKGS)
	@# The recorders of the replay histories build only with these tags: keep them compiling.
	$(GO) vet -tags record ./workflows/
	$(GO) vet -tags recordcatalog ./workflows/
	$(WORKFLOWCHECK) ./workflows/...

## build: production binary (no Temporal server inside) and the embedded dev binary
build: build-dev
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/datashare ./cmd/datashare

build-dev:
	$(GO) build -trimpath -tags embedded -ldflags '$(LDFLAGS)' -o $(BIN)/datashare-dev ./cmd/datashare

## sizes: build both and show their sizes; the production binary must not contain the server
sizes: build
	@ls -l $(BIN)/datashare $(BIN)/datashare-dev | awk '{printf "%-22s %6.1f MiB\n", $$9, $$5/1048576}'
	@if $(GO) version -m $(BIN)/datashare | grep -q 'go.temporal.io/server'; then echo "production binary links go.temporal.io/server"; exit 1; fi
	@echo "production binary: no go.temporal.io/server"

## prod-up: the production topology on this machine (official Temporal server on PostgreSQL,
## MariaDB, 2 × api, 2 × worker, Temporal UI); endpoints and tokens in data-prod/endpoints.env
prod-up:
	GO=$(GO) ./deploy/prod/stack.sh up

## prod-down: stop what prod-up started (databases and data-prod/ are kept)
prod-down:
	./deploy/prod/stack.sh down

clean:
	rm -rf $(BIN)
