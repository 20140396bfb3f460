# The ONBUILD way onbuild replaces: a base image whose ONBUILD triggers copy
# the whole app and then install its requirements, so any source change
# invalidates the pip layer. Built by `make bench` as onbuild/bench-python-onbuild.
FROM onbuild/stack-build:trixie
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
