# 海宁市食品安全监管平台 — production image (docker-compose.yml; docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TZ=Asia/Shanghai \
    LANG=C.UTF-8 \
    DJANGO_SETTINGS_MODULE=haining_foodsafety.settings.production

# fonts-noto-cjk: Chinese glyphs for the PDF records; pango + harfbuzz-subset: WeasyPrint; tzdata: Asia/Shanghai.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time (the settings only check that the values look right, nothing connects);
# the compose `init` service collects again into the shared `static` volume on every start.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL=postgres://build@localhost:5432/build \
    REDIS_URL=redis://localhost:6379/0 \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /app/media \
    && chown -R app:app /app/media /app/staticfiles
USER app

EXPOSE 8000
CMD ["gunicorn", "haining_foodsafety.wsgi:application", "--bind=0.0.0.0:8000", "--workers=5", "--access-logfile=-"]
