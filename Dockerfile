FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/opt/matplotlib PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# procps for the beat's healthcheck; Pango/HarfBuzz and the Noto CJK font for the report PDFs (what
# bin/ensure-pdf installs on a developer's machine).
RUN apt-get update && apt-get install -y --no-install-recommends \
        procps libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The versions CI tested: the hash-checked lock (make lock), then the project itself without resolving.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt
COPY . .
RUN pip install --no-deps . \
    && DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    # matplotlib's font cache, built after the CJK font is installed, readable by the app's user.
    && python -c "import matplotlib.font_manager" && chmod -R a+rX /opt/matplotlib \
    && mkdir -p /app/media /app/var && chown nobody:nogroup /app/media /app/var /app/staticfiles
EXPOSE 8000
USER nobody
