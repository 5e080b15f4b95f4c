"""Shared by the benchmark scripts."""


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) of the values, nearest rank."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
