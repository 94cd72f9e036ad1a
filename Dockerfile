# freechoice: the HTTP service as a container image.
#   docker build -t freechoice .
#   docker run -e FREECHOICE_DATABASE_URL=postgresql+psycopg://... -p 8000:8000 freechoice
# See compose.yaml for PostgreSQL, several app replicas and a load balancer.

FROM python:3.11-slim-bookworm AS build
# durable-rules compiles a C extension
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY engine engine
COPY rules rules
COPY catalog catalog
COPY api api
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
RUN useradd --system --create-home --home-dir /app freechoice
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER freechoice
WORKDIR /app
ENV FREECHOICE_DATABASE_URL=sqlite:////app/data/freechoice.db
RUN mkdir -p /app/data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["freechoice", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
