GO ?= go
# Packages whose tests run under the race detector: all of the runtime, and
# the language server's goroutines.
RACE_PKGS := ./runtime/... ./internal/lsp/...

.PHONY: build test bench demo lint vet gopls golangci-lint test-golangci

# The gopls that asyncgo lsp's tests front (the newest that builds with Go 1.26).
GOPLS_VERSION := v0.23.0

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

gopls:
	$(GO) install golang.org/x/tools/gopls@$(GOPLS_VERSION)

# The golangci-lint that plugin/golangci's end-to-end test builds a custom binary of.
GOLANGCI_VERSION := v2.15.0

golangci-lint:
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

# The golangci-lint plugin's end-to-end test (docs/golangci.md), outside make test:
# it compiles golangci-lint twice (go install, then golangci-lint custom with the
# plugin), measured at 15 and 7 minutes with an empty cache on 2 shared cores.
test-golangci: golangci-lint
	ASYNCGO_GOLANGCI_TEST=1 $(GO) test -count=1 -run TestCustomGolangciLint -timeout 40m -v ./plugin/golangci

# Every test; the runtime's and the language server's under -race.
test: build vet gopls
	$(GO) test -race -timeout 15m $(RACE_PKGS)
	$(GO) test -timeout 15m $$($(GO) list ./... | grep -v -e '/runtime/' -e '/internal/lsp')
	# Each benchmark once, so that a broken one fails here and not in `make bench`.
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/...
	# The demo too: the real examples, rewritten, linted, run in both modes.
	$(GO) run ./cmd/asyncgo demo

# One run of every benchmark in bench/ and of the CPython scripts beside them,
# written up as docs/benchmarks.md and its chart docs/benchmarks.svg; each Go
# figure is the best of 3 runs (go test -count 3), as CPython's are the best of
# their repeats. BENCHTIME=2s passes -benchtime to go test.
bench:
	$(GO) run ./bench/cmd/benchpage -o docs/benchmarks.md $(if $(BENCHTIME),-benchtime $(BENCHTIME))

lint: build
	$(GO) run ./cmd/asyncgo lint ./...

demo: build
	$(GO) run ./cmd/asyncgo demo
