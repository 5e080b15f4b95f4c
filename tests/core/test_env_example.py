"""`.env.example` says it lists every environment variable the platform reads: an operator setting up a server
copies it and must not discover a setting only by reading the code. Every variable the platform's code reads
(django-environ's env(...), os.environ) is named there, set or commented out."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PACKAGES = ["hotline", "knowledge_base", "intake", "dispatch", "feedback", "assessment", "governance", "reports"]
PACKAGES += ["public", "demo"]
READS = [
    re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""os\.environ(?:\.get|\.setdefault)?\s*[\(\[]\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
]
# Set by the platform for its own child processes, not by an operator.
INTERNAL = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def variables_read() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in (BASE / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in READS:
                for name in pattern.findall(text):
                    found.setdefault(name, str(path.relative_to(BASE)))
    return found


def test_every_variable_the_platform_reads_is_in_env_example():
    example = (BASE / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    read = variables_read()
    assert len(read) > 30  # the scan finds the settings' reads at all
    missing = {name: where for name, where in read.items() if name not in named and name not in INTERNAL}
    assert not missing, f"read but not in .env.example: {missing}"
