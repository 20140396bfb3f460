# The README's commands. Every target installs what it needs: a fresh Debian
# machine (as root) and a laptop with Docker both start from `make demo`.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

.PHONY: fuzz docker tools stacks buildpacks builder builder-registry publish kpack-e2e demo test test-arm64 bench-arm64 emulation unit integration lint bench clean

# The stack flavour (docs/stacks.md): trixie (Debian 13, the default) or
# bookworm (Debian 12). `make stacks STACK=bookworm`, `make builder
# STACK=bookworm` (onbuild/builder:bookworm).
STACK ?= trixie
export STACK

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
# git/hg .debs and Go toolchains (builder/builder.sh, tools/offline-deps.sh).
builder: tools stacks buildpacks
	@builder/builder.sh

# Experiment (#5): the builder with the onbuild/run-image extension, which
# puts Go apps on the tiny run image. pack runs extensions only with
# --pull-policy always, so it and the stacks go to a loopback registry
# (tools/registry.sh); prints the pack build command to use.
builder-registry: builder
	@builder/builder-registry.sh

# Platform teams (#9): the stacks of every flavour (PUBLISH_STACKS), one
# buildpackage per buildpack, a builder per flavour and the kpack resources,
# published to REGISTRY=host:port/prefix (docs/publishing.md). REGISTRY is
# checked first, so a typo fails in a second, not after the builders.
# PUBLISH_ARCHES="amd64 arm64" publishes each as a multi-arch image index
# (the other architecture's images are built under emulation).
publish:
	@REGISTRY="$(REGISTRY)" builder/publish.sh --check >/dev/null
	@for arch in $$(REGISTRY="$(REGISTRY)" builder/publish.sh --check-arches); do \
	  for flavour in $$(REGISTRY="$(REGISTRY)" builder/publish.sh --check); do \
	  $(MAKE) --no-print-directory builder STACK=$$flavour STACK_ARCH=$$arch || exit 1; done; done
	@REGISTRY="$(REGISTRY)" builder/publish.sh

# Issue #24: a single-node Kubernetes and kpack on this machine (root,
# Linux), `make publish` to a loopback registry, the samples built by kpack,
# probed and rebased, then everything stopped and the host put back
# (tools/kpack/e2e.sh, docs/publishing.md). Not part of `make test`: the
# first run compiles Kubernetes and kpack (cached under .cache/kpack/).
kpack-e2e: docker
	@tools/kpack/e2e.sh

# Runs every step itself (Docker, tools, stacks, buildpacks, builder), timed.
demo:
	@tools/demo.sh

# Every fuzz target for FUZZTIME (10s by default; docs/fuzzing.md).
fuzz:
	@tools/fuzz.sh

lint:
	go vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting" >&2; exit 1; }

# builder/kpackcheck is a module of its own (kpack's Kubernetes dependencies
# stay out of the product's): kpack's admission code on what publish writes.
unit: lint
	go test -count=1 $$(go list ./... | grep -v /integration)
	cd builder/kpackcheck && go vet ./... && go test -count=1 ./...
	@tools/fuzz.sh

# The integration suite drives real pack builds on the real builder
# (ONBUILD_BUILDER, default onbuild/builder) and checks the bookworm flavour
# on ONBUILD_BOOKWORM_BUILDER (default onbuild/builder:bookworm); its git and
# hg servers need both tools here, its lock specs poetry and pipenv, its
# native libraries specs a PostgreSQL server, its bench spec wrk.
integration: builder
	@ONBUILD_BUILDER="$${ONBUILD_BOOKWORM_BUILDER:-onbuild/builder:bookworm}" $(MAKE) --no-print-directory builder STACK=bookworm
	@tools/vcs.sh
	@tools/locktools.sh
	@tools/postgresql.sh
	@tools/wrk.sh
	PACK="$$(tools/pack.sh)" go test -count=1 -timeout 75m -v ./integration/

test: unit integration

# linux/arm64 under emulation (docs/development.md; not part of `make test`:
# about 20 minutes on 2 cores once the arm64 stacks are cached, 90 more the
# first time): qemu-user-static registered
# with binfmt_misc, the arm64 stacks, buildpacks and builder beside this
# machine's, both published as one multi-arch builder to a loopback
# registry, and the Python and Go samples built from it with
# `pack build --platform linux/arm64`, run under emulation and probed over
# HTTP.
emulation:
	@tools/emulation.sh arm64

test-arm64: emulation builder
	@$(MAKE) --no-print-directory builder STACK_ARCH=arm64
	PACK="$$(tools/pack.sh)" go test -tags emulation -count=1 -timeout 120m -v -run TestArm64 ./integration/

# The emulated bench: only test-arm64's two sample specs, each building its
# sample cold and again after an app file change; the log ends with their
# times, labelled as emulated. `make bench` stays this machine's own.
bench-arm64: emulation builder
	@$(MAKE) --no-print-directory builder STACK_ARCH=arm64
	PACK="$$(tools/pack.sh)" go test -tags emulation -count=1 -timeout 120m -v -run 'TestArm64/arm64/(publishes_one_builder|builds_the_Python_sample)' ./integration/

# Speed and size against the Dockerfile ways (careful ones with BuildKit
# cache mounts, on the builder's stack flavour), printed as markdown tables
# and written to bench/RESULTS.md (docs/benchmark.md reads them).
# BENCH_RUNS=N runs each scenario N times; ONBUILD_BUILDER=NAME builds and
# measures that builder instead of onbuild/builder; BENCH_QUICK=1 runs
# every scenario once, small, writing nothing (the integration suite does).
# The serving rows load each image with wrk (tools/wrk.sh).
bench: builder
	@tools/locktools.sh
	@tools/wrk.sh
	PACK="$$(tools/pack.sh)" go run ./bench

clean:
	rm -rf out .cache/tools .cache/stacks .cache/pyindex
