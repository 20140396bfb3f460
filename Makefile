# The README's commands. Every target installs what it needs: a fresh Debian
# machine (as root) and a laptop with Docker both start from `make demo`.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

.PHONY: docker tools stacks buildpacks builder builder-registry publish demo test unit integration lint bench clean

docker:
	@tools/docker.sh

tools: docker
	@tools/pack.sh >/dev/null
	@tools/lifecycle.sh >/dev/null

stacks: docker
	@stacks/build.sh

buildpacks:
	@tools/buildpacks.sh

# OFFLINE=1 makes onbuild/builder-offline instead: its buildpacks carry the
# git/hg .debs and Go toolchains (stacks/builder.sh, tools/offline-deps.sh).
builder: tools stacks buildpacks
	@stacks/builder.sh

# Experiment (#5): the builder with the onbuild/run-image extension, which
# puts Go apps on the tiny run image. pack runs extensions only with
# --pull-policy always, so it and the stacks go to a loopback registry
# (tools/registry.sh); prints the pack build command to use.
builder-registry: builder
	@stacks/builder-registry.sh

# Platform teams (#9): the stacks, one buildpackage per buildpack, the
# builder and the kpack resources, published to REGISTRY=host:port/prefix
# (README.md, Publishing to a registry). REGISTRY is checked first, so a
# typo fails in a second, not after the builder.
publish:
	@REGISTRY="$(REGISTRY)" stacks/publish.sh --check
	@$(MAKE) --no-print-directory builder
	@REGISTRY="$(REGISTRY)" stacks/publish.sh

demo: builder
	@tools/demo.sh

lint:
	go vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting" >&2; exit 1; }

unit: lint
	go test -count=1 $$(go list ./... | grep -v /integration)

# The integration suite drives real pack builds on the real builder; its
# git and hg servers need both tools here.
integration: builder
	@tools/vcs.sh
	PACK="$$(tools/pack.sh)" go test -count=1 -timeout 60m -v ./integration/

test: unit integration

# Speed and size against the Dockerfile ways, printed as markdown tables and
# written to bench/RESULTS.md (docs/benchmark.md reads them). BENCH_RUNS=N
# runs each scenario N times; ONBUILD_BUILDER=NAME builds and measures that
# builder instead of onbuild/builder.
bench: builder
	PACK="$$(tools/pack.sh)" go run ./bench

clean:
	rm -rf out .cache/tools .cache/stacks .cache/pyindex
