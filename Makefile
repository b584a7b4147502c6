# The two commands a newcomer runs: `make generate` and `make test`.
# Go (1.26) and the module proxy are needed; tools run through `go tool`
# (the generator, a tool line of go.mod) or `go run` (staticcheck, see tools.go)
# at the versions pinned in go.mod. `make test` installs what else its tests
# need from Debian (see deps).

GO          ?= go
# The specs of spec/ that describe no operation but parts the others refer to
# (common.yaml, notifications.yaml): embedded with the others (package spec),
# never generated into a package of their own. spec/spec_test.go checks that
# this list names exactly the specs without operations, and that gen/generate.go
# generates every other one.
SHARED_SPECS := spec/common.yaml spec/notifications.yaml
SPECS       := $(filter-out $(SHARED_SPECS),$(wildcard spec/*.yaml))
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHTIME   ?= 2s
# Every fuzz target, as package:Target:executions. `make test` fuzzes each for
# its number of executions (about 3 s each on 2 cores), a count rather than a
# duration: at a duration's deadline Go 1.26's fuzzing coordinator can fail a
# run that found nothing (see scripts/fuzz.sh). FUZZ_SMOKE, when set, is the
# budget of every target instead (5000x, 3s); `make fuzz` gives each FUZZTIME.
FUZZ_TARGETS := \
	./wechatpay:FuzzVerify:4000 ./wechatpay:FuzzAPIError:8000 ./wechatpay:FuzzFillPath:5000 \
	./wechatpay:FuzzLoadConfig:1500 ./wechatpay:FuzzParseCertificates:3000 ./wechatpay:FuzzCertificateEntry:150 \
	./wechatpay:FuzzUploadBody:10000 ./wechatpay:FuzzDownloadBill:2000 \
	./e2e:FuzzTerminateValidate:10000 ./e2e:FuzzDecodeQueryResponse:8000 ./e2e:FuzzDecodeNotifications:5000 \
	./generator:FuzzGenerate:300 ./generator/internal/emit:FuzzEmitProse:150 \
	./wechatpay/wechatpaytest:FuzzParseAuthorization:15000 ./wechatpay/wechatpaytest:FuzzRouteValue:10000 \
	./wechatpay/wechatpaytest:FuzzImageUpload:10000 ./wechatpay/wechatpaytest:FuzzBillQuery:10000 \
	./wechatpay/wechatpaytest:FuzzSpecRef:5000 ./wechatpay/wechatpaytest/payments:FuzzTradeBill:6000 \
	./wechatpay/validate:FuzzMembers:10000 ./wechatpay/wechatpaytest:FuzzAuthorizationFields:10000
FUZZ_SMOKE  ?=
FUZZTIME    ?= 2m
# TestPublicSpecs (generator/publicspecs_test.go) also tries ogen's test specs;
# the module is not a dependency, so deps fetches it into the module cache.
OGEN_MODULE := github.com/ogen-go/ogen@v1.24.0

.PHONY: all generate test deps vet fmt-check staticcheck gen-check unit fuzz-smoke fuzz reliability bench bench-deps demo clean

all: generate test

## generate: regenerate every client package in gen/ from spec/
generate:
	$(GO) generate ./gen/...

## test: everything CI runs
test: deps vet fmt-check staticcheck gen-check unit fuzz-smoke

## deps: what the tests need besides Go: the openssl command line (the crypto
## tests' oracle), curl (the sandbox's non-Go client test), a C compiler and
## libcrypto's headers (wechatpay/opensslsigner, built with -tags openssl), and
## node (its crypto module, the second oracle of the AES-GCM and OAEP tests), all
## installed from Debian when absent; and ogen's module, for TestPublicSpecs.
## Nothing is optional: a test that lacks what it needs fails.
deps:
	@missing=""; for t in openssl curl gcc; do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	[ -f /usr/include/openssl/evp.h ] || missing="$$missing libssl-dev"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download $(OGEN_MODULE)

vet:
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) vet -tags openssl ./wechatpay/opensslsigner

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

## unit: every test of both modules. The OpenSSL signer's tests and the bench
## module's (its clients against the sandbox, with and without OpenSSL) build
## with -tags openssl; CGO_ENABLED=1 makes a missing C compiler an error
## rather than a silent build without them.
## The generator's own package runs without -race: the generator starts no
## goroutine, and under the race detector its public-specs and mutation tests
## take five times as long (about 3 minutes of CPU instead of 35 s).
unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -vx 'github.com/payforge/wechatpay/generator')
	$(GO) test -count=1 ./generator
	CGO_ENABLED=1 $(GO) test -race -count=1 -tags openssl ./wechatpay/opensslsigner
	cd bench && CGO_ENABLED=1 $(GO) test -race -count=1 -tags openssl ./...

## fuzz-smoke: each fuzz target briefly, beyond its seed corpus (which `unit`
## runs); each run's log goes to a fresh folder (mktemp), kept if it fails
fuzz-smoke:
	@GO="$(GO)" scripts/fuzz.sh $(if $(FUZZ_SMOKE),-budget $(FUZZ_SMOKE)) $(FUZZ_TARGETS)

## fuzz: each fuzz target for FUZZTIME (default 2m; a count such as 200000x
## works too); new failures land in testdata/fuzz
fuzz:
	@GO="$(GO)" scripts/fuzz.sh -budget $(FUZZTIME) $(FUZZ_TARGETS)

## reliability: the figures RELIABILITY.md quotes, printed by the tests
## themselves. Each test prints its figure only once the assertions behind it
## passed; any failing test, or a figure that was not printed, fails the target.
## Each group is one `go test` run: package, -run pattern, the figures it
## prints (|-separated), extra flags. The e2e/ package runs whole, so that its
## secrets scan (in TestMain) reads everything its tests log.
reliability: SHELL := /bin/bash
reliability:
	@set -euo pipefail; logs=$$(mktemp -d); trap 'rm -rf "$$logs"' EXIT; \
	group() { \
		local pkg=$$1 tests=$$2 figures=$$3; shift 3; \
		if ! $(GO) test -count=1 -v -run "$$tests" "$$@" $$pkg >$$logs/out 2>&1; then \
			cat $$logs/out; echo "reliability: go test -run '$$tests' $$pkg failed"; exit 1; \
		fi; \
		local IFS='|' figure; \
		for figure in $$figures; do \
			grep -E "^$$figure: " $$logs/out || { \
				cat $$logs/out; echo "reliability: $$pkg printed no \"$$figure\" figure"; exit 1; }; \
		done; \
	}; \
	group ./wechatpay '^TestNetworkFaults$$' 'network faults' -race; \
	group ./e2e . 'sandbox faults|hostile inputs|hostile inputs at the sandbox|concurrency|secrets scan' -race; \
	group ./generator '^(TestInvalidSpecs|TestKilledRunsLeaveNoHalfFile)$$' 'generator hardening|killed generator runs'
	@$(MAKE) --no-print-directory fuzz-smoke

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
## compiles against libcrypto's headers; deps installs them when absent.
bench-deps: deps

## demo: the sandbox in-process, one termination, then the typed error of a second
demo:
	$(GO) run ./cmd/wechatpay-demo

clean:
	$(GO) clean -testcache
