"""Server-side SVG of the report charts, for the PDF (WeasyPrint runs no JavaScript). matplotlib draws
the same chart specifications as ECharts in the browser; text stays text (svg.fonttype "none"), so
the PDF's Chinese is real, extractable text set in the CJK font."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from hotline.core.geo import geojson

FONT = ["Noto Sans CJK SC", "DejaVu Sans"]  # fonts-noto-cjk (bin/ensure-pdf)
COLOURS = ["#0d6efd", "#adb5bd", "#198754", "#fd7e14", "#6f42c1"]


FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]


def register_cjk_font() -> list[str]:
    """Add the CJK font files to matplotlib's font list explicitly: a font cache built before the font
    was installed does not know them, and the charts then fall back to a font without Chinese glyphs
    (and every export searches for the missing glyphs for a minute). Returns the files added."""
    from matplotlib import font_manager

    if any(f.name == FONT[0] for f in font_manager.fontManager.ttflist):
        return []
    added = []
    for folder in FONT_DIRS:
        for path in sorted(folder.rglob("NotoSansCJK*.tt[cf]")) if folder.is_dir() else []:
            font_manager.fontManager.addfont(str(path))
            added.append(str(path))
    return added


@lru_cache(maxsize=1)
def _matplotlib():
    import matplotlib

    matplotlib.use("svg")
    register_cjk_font()
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": FONT,
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    from matplotlib.collections import PatchCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon

    return Figure, Polygon, PatchCollection, matplotlib


@lru_cache(maxsize=1)
def districts() -> list[dict]:
    return geojson()["features"]


def _svg(figure, prefix: str) -> str:
    """The figure as an inline <svg>; its element ids prefixed, since several charts share one page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r'(id="|url\(#|href="#)', lambda m: f"{m.group(1)}{prefix}-", text)


def _bar(spec: dict, figure) -> None:
    ax = figure.add_subplot()
    labels, series = spec["labels"], spec["series"]
    width = 0.8 / max(1, len(series))
    for i, s in enumerate(series):
        ax.bar(
            [x + i * width for x in range(len(labels))],
            [v or 0 for v in s["values"]],
            width=width,
            label=s["name"],
            color=COLOURS[i % len(COLOURS)],
        )
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))], labels, rotation=30, ha="right")
    if len(series) > 1:
        ax.legend(frameon=False)


def _line(spec: dict, figure) -> None:
    ax = figure.add_subplot()
    for i, s in enumerate(spec["series"]):
        points = [(x, v) for x, v in enumerate(s["values"]) if v is not None]
        ax.plot(
            [p[0] for p in points], [p[1] for p in points], marker="o", label=s["name"], color=COLOURS[i % len(COLOURS)]
        )
    ax.set_xticks(range(len(spec["labels"])), spec["labels"], rotation=30, ha="right")
    ax.set_ylim(bottom=0)


def _map(spec: dict, figure) -> None:
    Figure, Polygon, PatchCollection, matplotlib = _matplotlib()
    ax = figure.add_subplot()
    values = spec["values"]
    top = max([v for v in values.values() if v is not None] or [1]) or 1
    cmap = matplotlib.colormaps["Blues"]
    for feature in districts():
        name = feature["properties"]["name"]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        value = values.get(name)
        colour = cmap(0.15 + 0.85 * value / top) if value else "#f1f3f5"
        patches = [Polygon(poly[0], closed=True) for poly in polygons]
        ax.add_collection(PatchCollection(patches, facecolor=colour, edgecolor="#495057", linewidth=0.4))
        lon, lat = feature["properties"].get("cp") or _centre(polygons[0][0])
        ax.annotate(f"{name}\n{_fmt(value)}", (lon, lat), ha="center", va="center", fontsize=5)
    ax.autoscale_view()
    ax.set_aspect(1.3)
    ax.axis("off")


def _centre(ring: list[list[float]]) -> tuple[float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


DRAW = {"bar": _bar, "line": _line, "map": _map}


def chart_svg(spec: dict) -> str:
    """One chart as an inline <svg> element."""
    Figure = _matplotlib()[0]
    figure = Figure(figsize=(6.4, 4.2) if spec["type"] == "map" else (6.4, 2.8))
    DRAW[spec["type"]](spec, figure)
    figure.suptitle(spec["title"], fontsize=9)
    return _svg(figure, spec["id"])
