# The careful multi-stage Dockerfile: requirements installed in their own
# layer on the build image, the venv and app copied onto the run image.
FROM onbuild/stack-build:trixie AS build
USER root
RUN mkdir /app && chown 1000:1000 /app
USER 1000:1000
WORKDIR /app
RUN python3 -m venv /app/.venv
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST
COPY --chown=1000:1000 requirements.txt .
RUN /app/.venv/bin/pip install --no-input --disable-pip-version-check -r requirements.txt
COPY --chown=1000:1000 . .

FROM onbuild/stack-run-python:trixie
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]
