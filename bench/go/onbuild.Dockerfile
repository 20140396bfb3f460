# The golang:onbuild way the old seed images were: copy the whole app,
# download and build in one go, ship the build image with the toolchain.
# `make bench` builds it FROM its Go base (BASE) under a name of its own.
ARG BASE
FROM ${BASE}
ONBUILD ARG GOPROXY
ONBUILD COPY --chown=1000:1000 . /home/cnb/src
ONBUILD RUN cd /home/cnb/src && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /home/cnb/app .
CMD ["/home/cnb/app"]
