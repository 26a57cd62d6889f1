# taxiinode: a peer-to-peer TAXII 1.1 node. `make` runs the tests.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

GO      ?= go
BIN     := bin/taxiinode
DIR     ?= $(HOME)/.taxiinode
PKGS    := ./...

# build: compile the taxiinode binary into bin/.
.PHONY: build
build:
	$(GO) build -o $(BIN) ./cmd/taxiinode

# run: run one node on DIR (default ~/.taxiinode), initializing it first if empty.
.PHONY: run
run: build
	./$(BIN) run --dir $(DIR)

# test: vet, unit and integration tests with the race detector, a short fuzz run, and the README walkthrough.
.PHONY: test
test: vet
	$(GO) test -race -timeout 15m $(PKGS)
	$(MAKE) fuzz FUZZTIME=300000x
	scripts/walkthrough.sh

# vet: go vet and a gofmt check.
.PHONY: vet
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# fuzz: run each fuzz target for FUZZTIME (default 1m; or a count of inputs, 300000x).
# The tests use a count: with a duration, Go 1.26's fuzzing coordinator can
# fail a run with "context deadline exceeded" as time runs out (go.dev/issue/75804).
FUZZTIME ?= 1m
.PHONY: fuzz
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

# bench: every benchmark with the run counts it needs (codec, query, store, push rate, mesh latency, catch-up); long.
.PHONY: bench
bench:
	scripts/bench.sh

# lint: staticcheck-based linters if golangci-lint is installed, else go vet only.
.PHONY: lint
lint: vet
	@if command -v golangci-lint >/dev/null; then golangci-lint run; \
	  else echo "golangci-lint not installed; go vet passed"; fi
	scripts/imports.sh

# cover: test coverage report in cover.html.
.PHONY: cover
cover:
	$(GO) test -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -html=cover.out -o cover.html

# tidy: tidy go.mod and go.sum.
.PHONY: tidy
tidy:
	$(GO) mod tidy

# clean: remove build and test outputs.
.PHONY: clean
clean:
	rm -rf bin cover.out cover.html
