# The ONBUILD base image the old seed images were: the app's Dockerfile is
# one FROM line, and the triggers copy the whole app, then install its
# requirements with the venv's own pip, so any source change reruns pip.
# No cache mount, no ordering trick: that is the way onbuild replaces.
# `make bench` builds it from the flavour's BUILD_IMAGE, under a name of
# its own that it passes to app.Dockerfile as BASE.
ARG BUILD_IMAGE=onbuild/stack-build:trixie
FROM ${BUILD_IMAGE}
USER root
RUN mkdir /app && chown 1000:1000 /app
USER 1000:1000
WORKDIR /app
RUN python3 -m venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH
ONBUILD ARG PIP_INDEX_URL
ONBUILD ARG PIP_TRUSTED_HOST
ONBUILD COPY --chown=1000:1000 . /app
ONBUILD RUN pip install --no-input --disable-pip-version-check -r requirements.txt
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]
