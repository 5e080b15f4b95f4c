"""The reference data a deployment needs (what `bootstrap` and `seeddemo` load): core's own (the
organisation tree, categories, calendar: `services.reference_data_load`) and what each app above core
adds through `register()` from its AppConfig.ready() — dispatch's catalogue and time-limit policies,
intake's address gazetteer. Core never imports those apps; the steps run in the order of
INSTALLED_APPS, each idempotent, each returning a line for the command's report."""

from __future__ import annotations

from collections.abc import Callable

STEPS: dict[str, Callable[[], str]] = {}


def register(name: str, step: Callable[[], str]) -> None:
    STEPS[name] = step


def load_reference_data() -> list[str]:
    """Core's reference data, then every registered step; the report lines."""
    from .services import reference_data_load

    reference_data_load()
    return [step() for step in STEPS.values()]
