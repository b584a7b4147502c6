# The two commands a newcomer runs: `make generate` and `make test`.
# Only Go (1.26) and the module proxy are needed; tools run through `go tool`
# (the generator, a tool line of go.mod) or `go run` (staticcheck, see tools.go)
# at the versions pinned in go.mod.

GO          ?= go
SPECS       := $(wildcard spec/*.yaml)
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHTIME   ?= 2s
# Every fuzz target, as package:Target. `make test` runs each for FUZZ_SMOKE;
# `make fuzz` for FUZZTIME.
FUZZ_TARGETS := \
	./wechatpay:FuzzVerify ./wechatpay:FuzzAPIError ./wechatpay:FuzzFillPath ./wechatpay:FuzzLoadConfig \
	./e2e:FuzzTerminateValidate ./e2e:FuzzDecodeQueryResponse \
	./generator:FuzzGenerate ./generator/internal/emit:FuzzEmitProse ./wechatpay/wechatpaytest:FuzzParseAuthorization
FUZZ_SMOKE  ?= 3s
FUZZTIME    ?= 2m

.PHONY: all generate test deps vet fmt-check staticcheck gen-check unit bench bench-deps demo clean

all: generate test

## generate: regenerate every client package in gen/ from spec/
generate:
	$(GO) generate ./gen/...

## test: everything CI runs
test: deps vet fmt-check staticcheck gen-check unit fuzz-smoke

## deps: the crypto tests use the openssl command line as their oracle, and the
## sandbox's non-Go client test uses curl; install them from Debian when absent.
deps:
	@missing=""; for t in openssl curl; do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing; \
	fi

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

staticcheck:
	$(STATICCHECK) ./...

## gen-check: the generator's -check mode compares each package in gen/ with what it
## would write: a changed, missing or stale generated file fails; files it did not
## write are not its concern
gen-check:
	@set -e; for spec in $(SPECS); do \
		pkg=$$(basename $$spec .yaml | tr -cd 'a-z0-9'); \
		$(GO) tool wechatpay-gen -spec $$spec -out gen/$$pkg -check || { echo "gen/$$pkg is stale: run make generate"; exit 1; }; \
	done; echo "gen/ matches spec/"

unit:
	$(GO) test -race -count=1 ./...

## fuzz-smoke: each fuzz target briefly, beyond its seed corpus (which `unit` runs)
fuzz-smoke:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZ_SMOKE)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_SMOKE) $$pkg >/tmp/fuzz-$$name.log 2>&1 || { cat /tmp/fuzz-$$name.log; exit 1; }; \
		grep -h 'elapsed' /tmp/fuzz-$$name.log | tail -n 1; \
	done

## fuzz: each fuzz target for FUZZTIME (default 2m); new failures land in testdata/fuzz
fuzz:
	@$(MAKE) --no-print-directory fuzz-smoke FUZZ_SMOKE=$(FUZZTIME)

## reliability: the figures RELIABILITY.md quotes, printed by the tests themselves
reliability:
	@$(GO) test -count=1 -race -v -run 'TestNetworkFaults' ./wechatpay | grep -E '^network faults:'
	@$(GO) test -count=1 -race -v -run 'TestSandboxFaults|TestHostileInputs$$|TestConcurrentCalls|TestSecrets' ./e2e | \
		grep -E '^(sandbox faults|hostile inputs|concurrency|secrets scan):'
	@$(GO) test -count=1 -v -run 'TestInvalidSpecs|TestKilledRuns' ./generator | grep -E '^(generator hardening|killed generator runs):'
	@$(MAKE) --no-print-directory fuzz-smoke FUZZ_SMOKE=$(FUZZ_SMOKE)

## bench: a call against its floors (RSA alone, HTTP alone) and against
## oapi-codegen, with and without OpenSSL; the generators against oapi-codegen
## and ogen; then the ratio tables, also written into BENCHMARKS.md, and the
## plot bench/benchmarks.svg. The bench/ module holds it all (see BENCHMARKS.md).
## The call runs are repeated BENCHCOUNT times, interleaved, and the report
## takes the medians.
bench: SHELL := /bin/bash
bench: BENCHCOUNT ?= 5
bench: BENCHOPS ?= 10,50,100,200
bench: BENCHGENTIME ?= 5x
bench: BENCHCOMPILETIME ?= 2x
bench: bench-deps
	@set -euo pipefail; \
	echo "== in-module: signing alone, verification alone, one TerminateByCode round trip and its HTTP floor"; \
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./wechatpay ./e2e; \
	cd bench; mkdir -p out; \
	echo "== calls: $(BENCHCOUNT) runs of -benchtime $(BENCHTIME), -tags openssl"; \
	: > out/calls.txt; \
	for i in $$(seq $(BENCHCOUNT)); do \
		$(GO) test -tags openssl -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) . | tee -a out/calls.txt; \
	done; \
	echo "== cost per call against the size of the generated package"; \
	probes=$$($(GO) run ./cmd/scaleprobe -ops $(BENCHOPS)); \
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $$probes | tee out/scale.txt; \
	echo "== generators: $(BENCHGENTIME) per spec size, compilation $(BENCHCOMPILETIME)"; \
	$(GO) test -run '^$$' -bench Generate -benchtime $(BENCHGENTIME) ./genbench -args -ops=$(BENCHOPS) | tee out/generators.txt; \
	$(GO) test -run '^$$' -bench Compile -benchtime $(BENCHCOMPILETIME) ./genbench -args -ops=$(BENCHOPS) | tee -a out/generators.txt; \
	echo "== summary (also in BENCHMARKS.md and bench/benchmarks.svg)"; \
	$(GO) run ./cmd/benchreport -svg benchmarks.svg -doc ../BENCHMARKS.md out/calls.txt out/scale.txt out/generators.txt

## bench-deps: the OpenSSL signer (wechatpay/opensslsigner, -tags openssl)
## compiles against libcrypto's headers; install them from Debian when absent.
bench-deps:
	@if [ ! -f /usr/include/openssl/evp.h ]; then \
		echo "installing libssl-dev"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq libssl-dev; \
	fi

## demo: the sandbox in-process, one termination, then the typed error of a second
demo:
	$(GO) run ./cmd/wechatpay-demo

clean:
	$(GO) clean -testcache
