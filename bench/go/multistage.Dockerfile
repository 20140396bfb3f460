# The multi-stage Dockerfile a careful engineer writes: go.mod and go.sum
# copied before the source, the module cache and the build cache as BuildKit
# cache mounts (a one-file change recompiles that package only, and nothing
# is downloaded again), a static binary copied onto the tiny run image.
# `make bench` passes the Go base built on the flavour (BASE) and the
# flavour's RUN_IMAGE.
ARG BASE
ARG RUN_IMAGE=onbuild/stack-run-tiny:trixie

FROM ${BASE} AS build
ARG GOPROXY
WORKDIR /home/cnb/src
COPY --chown=1000:1000 go.mod go.sum ./
RUN --mount=type=cache,target=/home/cnb/go/pkg/mod,uid=1000,gid=1000 go mod download
COPY --chown=1000:1000 . .
RUN --mount=type=cache,target=/home/cnb/go/pkg/mod,uid=1000,gid=1000 \
    --mount=type=cache,target=/home/cnb/.cache/go-build,uid=1000,gid=1000 \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /home/cnb/app .

FROM ${RUN_IMAGE}
COPY --from=build /home/cnb/app /app
CMD ["/app"]
