# coopatlas's application image: the web servers (`coopatlas serve --prod`) and the worker
# (`coopatlas worker`) of compose.yaml run it. Build: docker build -t coopatlas .

# The JavaScript libraries and the French administrative data, from the npm registry
# (package-lock.json), as `make install` installs them; no CDN at run time.
FROM node:22-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    COOPATLAS_VAR_DIR=/app/var
# WeasyPrint (the printable sheet) draws its PDF with Pango; DejaVu is the sheet's fallback font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 coopatlas
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY src ./src
COPY manage.py ./
# Installed in place (editable), as `make install` does: the settings find node_modules/ and the
# translations beside the code.
RUN pip install -e . && pybabel compile -d src/coopatlas/locale -D django
COPY --from=assets /app/node_modules ./node_modules
# The static files hashed and compressed once, in the image: a container's start finds them
# current (`serve` collects again only when a file changed). No secret is kept in the image.
RUN SECRET_KEY=image-build-only DJANGO_SETTINGS_MODULE=config.settings.base python -c \
    "import django; django.setup(); from coopatlas.cli import _collect_static_if_changed; print(_collect_static_if_changed())" \
    && rm -f var/secret_key var/*.sqlite3* \
    && mkdir -p /srv/uploads /srv/media \
    && chown -R coopatlas:coopatlas var /srv/uploads /srv/media
USER coopatlas
EXPOSE 8000
CMD ["coopatlas", "serve", "--prod", "--no-worker", "--bind", "0.0.0.0:8000"]
