# What a Dockerfile user needs first on our build image, which has no Go: the
# same toolchain zip onbuild fetches, unpacked, and the machine's CAs for the
# module proxy. `make bench` builds it from the flavour's BUILD_IMAGE, from a
# context it fills at run time (out/bench-go/: go.zip and ca.pem, never
# committed), before any clock starts: the Dockerfiles' cold builds do not
# pay for the toolchain, onbuild's do.
ARG BUILD_IMAGE=onbuild/stack-build:trixie
FROM ${BUILD_IMAGE}
USER root
COPY go.zip ca.pem /tmp/
RUN python3 -m zipfile -e /tmp/go.zip /tmp/go \
 && mv /tmp/go/golang.org/toolchain@*/ /usr/local/go \
 && chmod -R a+rX /usr/local/go && chmod a+x /usr/local/go/bin/* /usr/local/go/pkg/tool/*/* \
 && cp /tmp/ca.pem /etc/onbuild-bench-ca.pem && rm -rf /tmp/go /tmp/go.zip /tmp/ca.pem
ENV PATH=/usr/local/go/bin:$PATH SSL_CERT_FILE=/etc/onbuild-bench-ca.pem GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    GOCACHE=/home/cnb/.cache/go-build GOMODCACHE=/home/cnb/go/pkg/mod
USER 1000:1000
WORKDIR /home/cnb
