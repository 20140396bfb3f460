# The careful multi-stage Dockerfile: modules in their own layer, a static
# binary copied onto the tiny run image.
FROM onbuild/bench-go-base AS build
ARG GOPROXY
WORKDIR /home/cnb/src
COPY --chown=1000:1000 go.mod go.sum ./
RUN go mod download
COPY --chown=1000:1000 . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /home/cnb/app .

FROM onbuild/stack-run-tiny:trixie
COPY --from=build /home/cnb/app /app
CMD ["/app"]
