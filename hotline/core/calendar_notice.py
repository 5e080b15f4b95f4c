"""Next year's holidays and 调休 days as people have them (节假日安排): the text of the State Council's notice
pasted as it is published, or one day per line (a CSV), read into {date: (kind, name)}. Pure: no database.

The notice says, per holiday, "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。" and "2月7日（周日）、2月20日
（周六）上班。" — a clause with 放假 gives the days off (a range counts every day in it), a clause with 上班
gives the worked weekend days. Lines such as "2027-01-01,holiday,元旦" or "2027-02-07 上班" work too."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

HOLIDAY, WORKDAY = "holiday", "workday"
HOLIDAY_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

# Asides in brackets — （周五）, （农历腊月二十八）, （农历除夕、周二） — say nothing the dates do not.
_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")
_ISO = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
_ISO_DAY = re.compile(_ISO)
_CN_RANGE = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*(?:至|到|—|-|~)\s*(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日)?"
)
_ISO_RANGE = re.compile(_ISO + r"(?:\s*(?:至|到|~|—)\s*" + _ISO + r")?")
OFF_WORDS = ("放假", "休息", "休", "holiday", "off")
WORK_WORDS = ("上班", "补班", "班", "workday", "work")


@dataclass
class Notice:
    days: dict[dt.date, tuple[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first or (last - first).days > 40:
        raise ValueError(f"{first}–{last}")
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _dates(clause: str, year: int) -> list[dt.date]:
    found: list[dt.date] = []
    for m in _ISO_RANGE.finditer(clause):
        first = dt.date(int(m[1]), int(m[2]), int(m[3]))
        last = dt.date(int(m[4]), int(m[5]), int(m[6])) if m[4] else first
        found += _span(first, last)
    if found:
        return found
    for m in _CN_RANGE.finditer(clause):
        y1 = int(m[1]) if m[1] else year
        first = dt.date(y1, int(m[2]), int(m[3]))
        if m[6]:
            # "12月31日至1月2日" runs into the next year; "1月1日至3日" stays in its month.
            month = int(m[5]) if m[5] else first.month
            y2 = int(m[4]) if m[4] else (y1 + 1 if month < first.month else y1)
            last = dt.date(y2, month, int(m[6]))
        else:
            last = first
        found += _span(first, last)
    return found


def parse_notice(text: str, year: int) -> Notice:
    """Every day the text names, with its kind and the holiday's name; what could not be read is said in
    `problems` (the line), never guessed."""
    notice = Notice()
    for raw_line in text.splitlines():
        line = _ASIDE.sub("", raw_line.strip())
        if not line:
            continue
        csv = [part.strip() for part in line.split(",")]
        iso = _ISO_DAY.fullmatch(csv[0]) if len(csv) >= 2 else None
        if iso:
            kind = HOLIDAY if csv[1].lower() in OFF_WORDS else WORKDAY if csv[1].lower() in WORK_WORDS else ""
            try:
                day = dt.date(*(int(x) for x in iso.groups()))
            except ValueError:
                kind = ""
            if not kind:
                notice.problems.append(raw_line.strip())
                continue
            notice.days[day] = (kind, csv[2] if len(csv) > 2 else "")
            continue
        # The holiday a line is about (国庆节、中秋节 together), named on the line itself.
        name = "、".join(sorted((h for h in HOLIDAY_NAMES if h in line), key=line.index))
        read_any = False
        for clause in re.split(r"[。；;]", line):
            off = any(word in clause for word in ("放假", "休息")) or re.search(r"\b(holiday|off)\b", clause)
            work = any(word in clause for word in ("上班", "补班")) or re.search(r"\b(workday|work)\b", clause)
            if not (off or work):
                continue
            try:
                days = _dates(clause, year)
            except ValueError:
                notice.problems.append(raw_line.strip())
                read_any = True
                continue
            total = re.search(r"共(\d+)天", clause)
            if off and not work and total and int(total[1]) != len(days):
                # "共8天" and a range of another length: read wrongly, said rather than stored.
                notice.problems.append(raw_line.strip())
                read_any = True
                continue
            for day in days:
                kind = WORKDAY if work and not off else HOLIDAY
                notice.days[day] = (kind, name)
                read_any = True
        if not read_any and re.search(r"\d", line) and "通知" not in line:  # not the notice's title
            notice.problems.append(raw_line.strip())
    return notice


def changes(notice: Notice, year: int, current: dict[dt.date, str]) -> list[tuple[dt.date, bool, bool, str]]:
    """(date, worked before, worked after, name) for every day of `year` whose working status the notice
    changes. Before: the calendar loaded now (`current`: its exceptions), or Monday–Friday without one."""

    def worked(day: dt.date, kinds: dict) -> bool:
        kind = kinds.get(day)
        return kind == WORKDAY if kind else day.weekday() < 5

    after_kinds = {day: kind for day, (kind, _name) in notice.days.items()}
    out = []
    for day in sorted({d for d in (*after_kinds, *current) if d.year == year}):
        before, after = worked(day, current), worked(day, after_kinds)
        if before != after:
            out.append((day, before, after, notice.days.get(day, ("", ""))[1]))
    return out
