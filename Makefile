# MediSecure Workstation. `make run` opens the demo clinic; `make test` is
# what CI runs.
GO      ?= go
DEMO    ?= $(CURDIR)/.demo
BIN     ?= $(CURDIR)/bin
# PG runs a command on a throwaway PostgreSQL cluster (scripts/pg-test-cluster.sh)
# when MEDISECURE_PG_DSN names no database and PostgreSQL is installed.
PG      := $(if $(MEDISECURE_PG_DSN),,$(if $(shell bash scripts/pg-test-cluster.sh bindir 2>/dev/null),bash scripts/pg-test-cluster.sh run))

.PHONY: run build test vet fmt-check bench proto sim clean

## run: build the workstation and open the TUI on a demo clinic (created on first use)
run: build
	$(BIN)/clinic demo --data $(DEMO)

## build: compile clinic (and syncd when present) into ./bin
build:
	$(GO) build -o $(BIN)/ ./cmd/...

## test: formatting, go vet, then every test with the race detector (fuzz seed corpora included),
## the PostgreSQL backend's on $(MEDISECURE_PG_DSN) or a throwaway cluster
test: fmt-check vet
	$(PG) $(GO) test -race -count=1 ./...
	$(GO) test -count=1 ./sync/sim

## sim: the sync simulation over SEEDS seeds (make sim SEEDS=100000)
SEEDS ?= 10000
sim:
	$(GO) test -count=1 -timeout 0 ./sync/sim -seeds $(SEEDS)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: print the performance figures of docs/targets.md, one line each
bench:
	$(PG) $(GO) run ./cmd/bench

## proto: regenerate the committed gRPC code (installs protoc and the plugins if missing)
proto:
	bash sync/wire/regen.sh

clean:
	rm -rf $(BIN) $(DEMO)
