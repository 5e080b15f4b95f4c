"""Settings for benchmarks: the platform's own settings plus the bare DRF endpoints used as ceilings."""

from hotline.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.bench_urls"
