# syntax=docker/dockerfile:1
# Intake: one image for the web service, the workers and the one-off commands.

FROM python:3.11-slim AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY service service
COPY workers workers
COPY search search
COPY web web
COPY graphql graphql
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN groupadd --system intake && useradd --system --gid intake --home /app intake \
    && mkdir -p /data && chown intake:intake /data
WORKDIR /app
COPY --from=build --chown=intake:intake /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    INTAKE_ENVIRONMENT=production \
    INTAKE_DATA_DIR=/data
USER intake
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["intake", "serve", "--host", "0.0.0.0", "--port", "8000"]
