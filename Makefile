# The two commands a newcomer runs: `make generate` and `make test`.
# Only Go (1.26) and the module proxy are needed; tools run through `go run`
# at the versions pinned in go.mod (see tools.go).

GO          ?= go
SPECS       := $(wildcard spec/*.yaml)
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
BENCHTIME   ?= 2s

.PHONY: all generate test vet fmt-check staticcheck gen-check unit bench demo clean

all: generate test

## generate: regenerate every client package in gen/ from spec/
generate:
	$(GO) generate ./gen/...

## test: everything CI runs
test: vet fmt-check staticcheck gen-check unit

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

clean:
	$(GO) clean -testcache
