"""Spreadsheet exports that never turn user text into a live formula. openpyxl stores every string
that starts with "=" as a formula, so an anonymous portal demand "=HYPERLINK(…)" became a working link
(or worse) in a leader's Excel. Every exported row goes through `append`: such text is stored as text,
exactly as typed (no added apostrophe), and Excel shows it without evaluating it."""

from __future__ import annotations


def append(sheet, row) -> None:
    """`sheet.append(row)`, with each text cell kept as text even when it looks like a formula."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
