"""Chart specifications of a report view: one small, renderer-neutral description per chart, drawn by
ECharts in the browser (static/js/reports.js) and as SVG by matplotlib for the PDF (reports/svg.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import Section


def _bar(
    chart_id: str, section: str, title: str, items: list[dict], *, compare: str | None = None, limit: int = 12
) -> dict:
    items = items[:limit]
    series = [{"name": _("This period"), "values": [i["value"] for i in items]}]
    if compare:
        series.append({"name": compare, "values": [i["prev"] for i in items]})
    return {
        "id": chart_id,
        "section": section,
        "type": "bar",
        "title": title,
        "labels": [i["label"] for i in items],
        "series": series,
    }


def _map(chart_id: str, section: str, title: str, values: dict[str, float], series_name: str) -> dict:
    return {
        "id": chart_id,
        "section": section,
        "type": "map",
        "title": title,
        "values": values,
        "series_name": series_name,
    }


def _line(chart_id: str, section: str, title: str, labels: list[str], series: list[dict]) -> dict:
    return {"id": chart_id, "section": section, "type": "line", "title": title, "labels": labels, "series": series}


def charts_for(view: dict, kind: str) -> list[dict]:
    sections, scope = view["sections"], view["scope"]
    previous = {"daily": _("The day before"), "weekly": _("The week before"), "monthly": _("The month before")}[kind]
    charts = []
    totals = sections.get(Section.TOTALS)
    if totals:
        charts.append(_bar("chart-channel", Section.TOTALS, _("By channel"), totals["channel"], compare=previous))
        charts.append(_bar("chart-category", Section.TOTALS, _("By category"), totals["category"], compare=previous))
        if scope.is_city:
            charts.append(
                _map(
                    "chart-district",
                    Section.TOTALS,
                    _("Demands by district"),
                    {i["label"]: i["value"] for i in totals["place"] if i["key"] != "-"},
                    _("Demands"),
                )
            )
        else:
            charts.append(_bar("chart-place", Section.TOTALS, _("By street"), totals["place"], compare=previous))
    trend = sections.get(Section.TREND)
    if trend:
        days = trend["days"]
        charts.append(
            _line(
                "chart-trend",
                Section.TREND,
                _("Demands per day"),
                [d["label"] for d in days],
                [{"name": _("Demands"), "values": [d["value"] for d in days]}],
            )
        )
    rates = sections.get(Section.RATES)
    if rates and len(rates["rows"]) > 1:
        rows = [r for r in rates["rows"][1:] if r["score"] is not None]
        if scope.is_city:
            charts.append(
                _map(
                    "chart-score-map",
                    Section.RATES,
                    _("Composite score by district"),
                    {r["name"]: float(r["score"]) for r in rows if r["code"]},
                    _("Score"),
                )
            )
        charts.append(
            {
                "id": "chart-rates",
                "section": Section.RATES,
                "type": "bar",
                "title": _("The three rates"),
                "labels": [r["name"] for r in rows[:16]],
                "series": [
                    {"name": name, "values": [float(r[field]) for r in rows[:16]]}
                    for name, field in (
                        (_("响应率"), "response_rate"),
                        (_("解决率"), "resolution_rate"),
                        (_("满意率"), "satisfaction_rate"),
                    )
                ],
            }
        )
    year = sections.get(Section.YEAR_TREND)
    if year:
        months = year["months"]
        charts.append(
            _line(
                "chart-year-demands",
                Section.YEAR_TREND,
                _("Demands per month"),
                [m["period"] for m in months],
                [{"name": _("Demands"), "values": [m["demands"] for m in months]}],
            )
        )
        charts.append(
            _line(
                "chart-year-score",
                Section.YEAR_TREND,
                _("Composite score per month"),
                [m["period"] for m in months],
                [{"name": _("Score"), "values": [None if m["score"] is None else float(m["score"]) for m in months]}],
            )
        )
    problems = sections.get(Section.PROBLEMS) or sections.get(Section.TOP)
    if problems and problems.get("categories"):
        section = Section.PROBLEMS if Section.PROBLEMS in sections else Section.TOP
        charts.append(
            _bar(
                "chart-top-categories", section, _("Top categories"), problems["categories"], compare=previous, limit=10
            )
        )
    return charts
