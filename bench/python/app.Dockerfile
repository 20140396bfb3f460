# What an app using the ONBUILD base writes: one line (BASE is the base's
# name, which `make bench` passes).
ARG BASE
FROM ${BASE}
