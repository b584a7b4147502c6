# The two commands a newcomer runs: `make generate` and `make test`.
# Only Go (1.26) and the module proxy are needed; tools run through `go run`
# at the versions pinned in go.mod (see tools.go).

GO          ?= go
SPECS       := $(wildcard spec/*.yaml)
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHTIME   ?= 2s

.PHONY: all generate test deps vet fmt-check staticcheck gen-check unit bench demo clean

all: generate test

## generate: regenerate every client package in gen/ from spec/
generate:
	$(GO) generate ./gen/...

## test: everything CI runs
test: deps vet fmt-check staticcheck gen-check unit

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

## gen-check: regenerate into a temporary folder and compare with what is committed
gen-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for spec in $(SPECS); do \
		pkg=$$(basename $$spec .yaml | tr -cd 'a-z0-9'); \
		$(GO) run ./generator -spec $$spec -out $$tmp/$$pkg; \
		diff -r gen/$$pkg $$tmp/$$pkg || { echo "gen/$$pkg is stale: run make generate"; exit 1; }; \
		$(GO) run ./generator -spec $$spec -out gen/$$pkg -check; \
	done; echo "gen/ matches spec/"

unit:
	$(GO) test -race -count=1 ./...

## bench: signing, verification and a full call, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## demo: the sandbox in-process, one termination, then the typed error of a second
demo:
	$(GO) run ./cmd/wechatpay-demo

clean:
	$(GO) clean -testcache
