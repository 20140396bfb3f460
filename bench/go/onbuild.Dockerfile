# The golang:onbuild way: copy the whole app, download and build in one go,
# ship the build image. Built as onbuild/bench-go-onbuild.
FROM onbuild/bench-go-base
ONBUILD ARG GOPROXY
ONBUILD COPY --chown=1000:1000 . /home/cnb/src
ONBUILD RUN cd /home/cnb/src && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /home/cnb/app .
CMD ["/home/cnb/app"]
