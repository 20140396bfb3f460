# The multi-stage Dockerfile a careful engineer writes: requirements copied
# before the source, so a source change reuses the install; pip's cache as a
# BuildKit cache mount, so a changed requirement downloads only what changed;
# the venv made without pip and filled by the build image's pip, as onbuild
# does (no ensurepip); only the venv and the app copied onto the run image.
# `make bench` passes the flavour's images as BUILD_IMAGE and RUN_IMAGE.
ARG BUILD_IMAGE=onbuild/stack-build:trixie
ARG RUN_IMAGE=onbuild/stack-run-python:trixie

FROM ${BUILD_IMAGE} AS build
USER root
RUN mkdir /app && chown 1000:1000 /app
USER 1000:1000
WORKDIR /app
RUN python3 -m venv --without-pip /app/.venv
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST
COPY --chown=1000:1000 requirements.txt .
RUN --mount=type=cache,target=/home/cnb/.cache/pip,uid=1000,gid=1000 \
    PIP_CACHE_DIR=/home/cnb/.cache/pip python3 -m pip --python /app/.venv/bin/python install \
      --no-input --disable-pip-version-check --progress-bar off -r requirements.txt
COPY --chown=1000:1000 . .

FROM ${RUN_IMAGE}
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]
