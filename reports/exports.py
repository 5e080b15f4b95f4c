"""Exports of a report view: PDF (WeasyPrint, charts as server-side SVG, Noto CJK font) and Excel
(openpyxl, one sheet per section). Both read the same view as the page; caller names stay masked in
files, which travel further than a screen."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessment.models import Tier
from hotline.core import spreadsheets

from .charts import charts_for
from .choices import Section
from .models import Report
from .selectors import localise, report_view, rows_of
from .svg import chart_svg


def report_title(report: Report, scope_name: str) -> str:
    return _("《市民热线反映》 %(kind)s · %(period)s · %(scope)s") % {
        "kind": report.get_kind_display(),
        "period": period_label(report),
        "scope": scope_name,
    }


def period_label(report: Report) -> str:
    if report.period_start == report.period_end:
        return f"{report.period_start:%Y-%m-%d}"
    if report.kind == "monthly":
        return f"{report.period_start:%Y-%m}"
    return f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d}"


def pdf_bytes(report: Report, user) -> bytes:
    from weasyprint import HTML

    view = report_view(report, user)
    charts = [{**spec, "svg": chart_svg(spec)} for spec in charts_for(view, report.kind)]
    html = render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "view": view,
            "sections": view["sections"],
            "charts": charts,
            "title": report_title(report, view["scope"].name),
            "section_choices": Section.choices,
        },
    )
    return HTML(string=html).write_pdf()


def _autosize(sheet) -> None:
    for column in sheet.columns:
        width = max((len(str(c.value)) if c.value is not None else 0) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))


def _counts(sheet, items: list[dict], headers: list[str], with_base: bool) -> None:
    spreadsheets.append(sheet, headers)
    for i in items:
        row = [i["label"], i["value"], i["prev"], i["change"]]
        if with_base:
            row += [i["base"], i["change_base"]]
        spreadsheets.append(sheet, row)


def xlsx_bytes(report: Report, user) -> bytes:
    """One sheet per section, listed sections in full (not only the rows the page shows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    view = report_view(report, user)
    scope, sections = view["scope"], view["sections"]
    daily = report.kind == "daily"
    count_headers = [_("Item"), _("Count"), _("Previous period"), _("Change %")]
    if daily:
        count_headers += [_("Same weekday last week"), _("Change against last week %")]
    workbook = Workbook()
    cover = workbook.active
    cover.title = pgettext("sheet", "Report")
    spreadsheets.append(cover, [report_title(report, scope.name)])
    cover["A1"].font = Font(bold=True, size=14)
    spreadsheets.append(cover, [_("Revision"), report.revision])
    spreadsheets.append(cover, [_("Built at"), report.built_at.strftime("%Y-%m-%d %H:%M") if report.built_at else ""])
    for key, section in sections.items():
        sheet = workbook.create_sheet(str(Section(key).label)[:31])
        if key == Section.TOTALS:
            total = section["total"]
            spreadsheets.append(
                sheet,
                [_("All demands"), total["value"], total["prev"], total["change"]]
                + ([total["base"], total["change_base"]] if daily else []),
            )
            for dimension, heading in (
                ("channel", _("By channel")),
                ("demand_type", _("By demand type")),
                ("category", _("By category")),
                ("place", _("By district or street")),
            ):
                spreadsheets.append(sheet, [])
                spreadsheets.append(sheet, [heading])
                _counts(sheet, section[dimension], count_headers, daily)
        elif key in (Section.HOTSPOTS, Section.KEY_CASES, Section.ALERTS, Section.PROBLEMS):
            _rows_sheet(sheet, key, rows_of(report, scope, key))
        elif key == Section.TREND:
            spreadsheets.append(sheet, [_("Day"), _("Demands")])
            for d in section["days"]:
                spreadsheets.append(sheet, [d["key"], d["value"]])
        elif key == Section.TOP:
            spreadsheets.append(sheet, [_("Top categories")])
            _counts(sheet, section["categories"], count_headers[:4], False)
            spreadsheets.append(sheet, [])
            spreadsheets.append(sheet, [_("Top streets")])
            _counts(sheet, section["streets"], count_headers[:4], False)
        elif key == Section.HANDLING:
            _counts(sheet, section["items"], count_headers[:4], False)
        elif key == Section.RATES:
            _rates_sheet(sheet, section["rows"])
        elif key == Section.RANKING:
            _ranking_sheet(sheet, section["rows"])
        elif key == Section.DEPARTMENTS:
            _ranking_sheet(sheet, section["rows"])
        elif key == Section.YEAR_TREND:
            spreadsheets.append(
                sheet,
                [_("Month"), _("Demands"), _("Counted orders"), _("响应率"), _("解决率"), _("满意率"), _("Composite")],
            )
            for m in section["months"]:
                spreadsheets.append(
                    sheet,
                    [
                        m["period"],
                        m["demands"],
                        m["assessed"],
                        _num(m["response_rate"]),
                        _num(m["resolution_rate"]),
                        _num(m["satisfaction_rate"]),
                        _num(m["score"]),
                    ],
                )
        elif key == Section.GOVERNANCE:
            spreadsheets.append(
                sheet,
                [
                    _("Topic"),
                    _("Kind"),
                    _("Lead unit"),
                    _("Status"),
                    _("Milestones done"),
                    _("Overdue"),
                    _("Change of demands"),
                ],
            )
            for t in section["topics"]:
                spreadsheets.append(
                    sheet,
                    [
                        t["title"],
                        t["kind_label"],
                        t["owner"],
                        t["status_label"],
                        f"{t['milestones_done']}/{t['milestones_total']}",
                        t["milestones_overdue"],
                        t["change"],
                    ],
                )
            spreadsheets.append(sheet, [])
            spreadsheets.append(sheet, [_("Unit"), _("Category"), _("What was done"), _("People affected")])
            for a in section["actions"]:
                spreadsheets.append(sheet, [a["unit"], a["category"], a["what"], a["people"]])
        _autosize(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _num(value):
    return None if value is None else float(value)


def _rates_sheet(sheet, rows: list[dict]) -> None:
    spreadsheets.append(sheet, [_("Unit"), _("Counted orders"), _("响应率"), _("解决率"), _("满意率"), _("Composite")])
    for r in rows:
        spreadsheets.append(
            sheet,
            [
                r["name"],
                r["assessed"],
                _num(r["response_rate"]),
                _num(r["resolution_rate"]),
                _num(r["satisfaction_rate"]),
                _num(r["score"]),
            ],
        )


def _ranking_sheet(sheet, rows: list[dict]) -> None:
    # The rates are the scheme's scores (partial credit); the shares are plain % of the counted orders.
    spreadsheets.append(
        sheet,
        [
            _("Rank"),
            _("Unit"),
            _("District"),
            _("Tier"),
            _("Demands"),
            _("Counted orders"),
            _("Not answered in time"),
            _("响应率 (scheme score)"),
            _("解决率 (scheme score)"),
            _("满意率 (scheme score)"),
            _("已解决, plain share (%)"),
            _("满意, plain share (%)"),
            _("Bonus"),
            _("Score"),
            pgettext("period over period", "Change"),
        ],
    )

    for r in rows:
        spreadsheets.append(
            sheet,
            [
                r["rank"],
                r["unit"],
                r["district"],
                str(Tier(r["tier"]).label),
                r["volume"],
                r["assessed"],
                r.get("no_reply"),
                _num(r["response_rate"]),
                _num(r["resolution_rate"]),
                _num(r["satisfaction_rate"]),
                _num(r.get("resolved_share")),
                _num(r.get("satisfied_share")),
                _num(r["bonus"]),
                _num(r["score"]),
                _num(r["change"]),
            ],
        )


ROW_COLUMNS = {
    Section.HOTSPOTS: [
        ("district", _("District")),
        ("street", _("Street")),
        ("category", _("Category")),
        ("count", _("Demands")),
        ("average", _("Usual for the period")),
    ],
    Section.KEY_CASES: [
        ("number", _("Number")),
        ("received_at", _("Received")),
        ("reason_labels", _("Why")),
        ("district", _("District")),
        ("street", _("Street")),
        ("address", _("Address")),
        ("category", _("Category")),
        ("content", _("Demand")),
        ("order_number", _("Order")),
        ("unit", _("Unit")),
        ("complainants", _("Complainants")),
    ],
    Section.ALERTS: [
        ("number", _("Order")),
        ("unit", _("Unit")),
        ("category", _("Category")),
        ("kind_label", _("What happened")),
        ("at", _("When")),
        ("deadline", _("Deadline")),
        ("status", _("Status now")),
    ],
    Section.PROBLEMS: [
        ("district", _("District")),
        ("street", _("Street")),
        ("category", _("Category")),
        ("count", _("Demands")),
        ("previous", _("The month before")),
    ],
}


def _rows_sheet(sheet, section: str, rows) -> None:
    columns = ROW_COLUMNS[section]
    spreadsheets.append(sheet, [label for _key, label in columns])
    for row in rows.iterator(chunk_size=2000):
        data = localise(row.data)
        values = []
        for key, _label in columns:
            value = data.get(key, "")
            if isinstance(value, list):
                value = "、".join(value)
            if isinstance(value, str) and key in ("received_at", "at", "deadline") and "T" in value:
                value = value[:16].replace("T", " ")
            values.append(value)
        spreadsheets.append(sheet, values)
