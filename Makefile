GO ?= go
# Packages whose tests run under the race detector: all of the runtime.
RACE_PKGS := ./runtime/...

.PHONY: build test bench demo lint vet

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

# Every test; the runtime's under -race.
test: build vet
	$(GO) test -race -timeout 15m $(RACE_PKGS)
	$(GO) test -timeout 15m $$($(GO) list ./... | grep -v '/runtime/')
	# Each benchmark once, so that a broken one fails here and not in `make bench`.
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/...
	# The demo too: the real examples, rewritten, linted, run in both modes.
	$(GO) run ./cmd/asyncgo demo

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/...

lint: build
	$(GO) run ./cmd/asyncgo lint ./...

demo: build
	$(GO) run ./cmd/asyncgo demo
