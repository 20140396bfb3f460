# The README's commands. Every target installs what it needs: a fresh Debian
# machine (as root) and a laptop with Docker both start from `make demo`.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

.PHONY: docker tools stacks buildpacks builder demo test unit integration lint bench clean

docker:
	@tools/docker.sh

tools: docker
	@tools/pack.sh >/dev/null
	@tools/lifecycle.sh >/dev/null

stacks: docker
	@stacks/build.sh

buildpacks:
	@tools/buildpacks.sh

builder: tools stacks buildpacks
	@stacks/builder.sh

demo: builder
	@tools/demo.sh

lint:
	go vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting" >&2; exit 1; }

unit: lint
	go test -count=1 $$(go list ./... | grep -v /integration)

# The integration suite drives real pack builds on the real builder.
integration: builder
	PACK="$$(tools/pack.sh)" go test -count=1 -timeout 60m -v ./integration/

test: unit integration

clean:
	rm -rf out .cache/tools .cache/stacks .cache/pyindex
