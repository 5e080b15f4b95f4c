"""历史导入: a city's years of demands from its old system, brought in as history for 主动治理's mining.

Two passes. The first reads the file (CSV in UTF-8 or GB18030, or the first sheet of an .xlsx), checks
every row the way intake checks a call (a time, a text, a phone number that is one, a street and a
category that exist) and writes the clean rows, encrypted, to a temporary file; it reports every bad
row with its line and reason. If any row is bad, nothing is written (unless `skip_invalid`). The second
pass, in one transaction, COPYs the clean rows into a temporary table and inserts those whose key is
not in the database yet: re-running a file adds nothing. The key is the old system's id
(`external_id`) or, without one, a fingerprint of the time, the text and the phone number.

Imported demands are history (Disposition.IMPORTED): no work order, no time limit, no message to the
caller; a missing category stays empty for the classifier."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.core.choices import UnitLevel
from hotline.core.models import Category, Unit
from hotline.core.pii import blind_index, encrypt
from intake.choices import Channel, DemandType, Disposition
from intake.geo import resolve
from intake.models import Demand
from intake.services import normalise_phone

COLUMNS = (
    "received_at",
    "content",
    "title",
    "caller_name",
    "caller_phone",
    "address",
    "street",
    "category",
    "channel",
    "demand_type",
    "external_id",
)
REQUIRED = ("received_at", "content")
# The headers of the common Chinese exports, for the same columns.
ALIASES = {
    "受理时间": "received_at",
    "来电时间": "received_at",
    "登记时间": "received_at",
    "诉求内容": "content",
    "内容": "content",
    "问题描述": "content",
    "标题": "title",
    "来电人": "caller_name",
    "姓名": "caller_name",
    "联系人": "caller_name",
    "来电号码": "caller_phone",
    "联系电话": "caller_phone",
    "电话": "caller_phone",
    "地址": "address",
    "事发地址": "address",
    "街道": "street",
    "街乡镇": "street",
    "所属街道": "street",
    "问题分类": "category",
    "分类": "category",
    "渠道": "channel",
    "来源渠道": "channel",
    "诉求类型": "demand_type",
    "类型": "demand_type",
    "工单编号": "external_id",
    "原编号": "external_id",
    "编号": "external_id",
}
CHANNEL_NAMES = {
    "电话": Channel.PHONE,
    "热线": Channel.PHONE,
    "12345": Channel.PHONE,
    "网站": Channel.WEB,
    "网络": Channel.WEB,
    "门户网站": Channel.WEB,
    "app": Channel.APP,
    "北京12345 app": Channel.APP,
    "客户端": Channel.APP,
    "微信": Channel.WECHAT,
    "微信公众号": Channel.WECHAT,
    "微博": Channel.WEIBO,
    "企业": Channel.ENTERPRISE,
    "企业服务专席": Channel.ENTERPRISE,
    "企业专线": Channel.ENTERPRISE,
}
TYPE_NAMES = {
    "咨询": DemandType.CONSULT,
    "求助": DemandType.HELP,
    "投诉": DemandType.COMPLAINT,
    "举报": DemandType.REPORT,
    "建议": DemandType.SUGGESTION,
    "意见建议": DemandType.SUGGESTION,
    "表扬": DemandType.PRAISE,
    "感谢": DemandType.PRAISE,
}
DEFAULT_TYPE = DemandType.COMPLAINT  # the old system said nothing: the commonest kind of demand
TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
)
# 2019/8/7 9:32:33, 2019-08-07 09:32, 2019.08.07, 2019年8月7日 9时32分: year, month, day[, hour, minute[, second]]
NUMERIC_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?)?[分秒]?)?$"
)
EARLIEST_YEAR = 1987  # Beijing's 12345 line opened in 1987: nothing older is a hotline record
MAX_CONTENT = 20000
MAX_LISTED = 1000  # problems listed in a report (the counts are always complete)
PROGRESS_EVERY = 10000
NO_PHONE = {"", "无", "匿名", "不详", "未知", "-", "—", "/", "null", "none", "n/a"}


@dataclass
class Problem:
    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0  # data rows read (blank rows not counted)
    valid: int = 0
    invalid: int = 0
    repeated: int = 0  # rows whose key an earlier row of the same file had (kept once)
    existing: int = 0  # valid rows already in the database (an earlier import)
    written: int = 0
    dry_run: bool = False
    errors: list[Problem] = field(default_factory=list)  # the first MAX_LISTED
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.invalid,
            "repeated": self.repeated,
            "existing": self.existing,
            "written": self.written,
            "dry_run": self.dry_run,
            "errors": [vars(p) for p in self.errors],
            "warnings": [vars(p) for p in self.warnings],
        }


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a CSV or workbook, no header, required columns missing)."""


# --- reading ----------------------------------------------------------------------------------------------


def _header(cells) -> list[str]:
    names = []
    for cell in cells:
        text = re.sub(r"\s+", "", str(cell or "")).strip().lower()
        names.append(ALIASES.get(text, text))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns; missing: %(names)s.") % {"names": ", ".join(missing)}
        )
    return names


def _csv_text(path: Path) -> io.TextIOWrapper:
    """The CSV as text: UTF-8 (with or without a BOM), or GB18030 (Chinese Excel's CSV export, a superset
    of GBK). A UTF-8 file with a few bad bytes stays UTF-8 — its bad characters make those rows invalid
    (reported, not imported garbled) — rather than being read whole as GB18030, which decodes almost any
    bytes into the wrong characters. A file that is neither is refused."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad:
        foreign = sum(1 for ch in text if ord(ch) > 127)
        if bad > max(3, foreign // 20):  # mostly not UTF-8: GB18030, strictly
            try:
                data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    _("The file is neither UTF-8 nor GB18030 text (save it as CSV UTF-8, or as .xlsx).")
                ) from exc
            return open(path, encoding="gb18030", newline="")  # noqa: SIM115 (the caller closes it)
    return open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115


def read_rows(
    path: Path, fmt: str, progress: Callable[[str, int, float], None] | None = None
) -> Iterator[tuple[int, dict]]:
    """(line, {column: value}) for every non-blank data row; the header is line 1."""
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a file that is not a (sound) workbook
            raise ImportFileError(_("This is not an Excel workbook (.xlsx).")) from exc
        sheet = book.worksheets[0]
        total = max(1, (sheet.max_row or 1) - 1)
        rows = sheet.iter_rows(values_only=True)
        try:
            names = _header(next(rows, ()))
            for line, cells in enumerate(rows, start=2):
                if progress and line % PROGRESS_EVERY == 0:
                    progress("reading", line - 1, min(1.0, (line - 1) / total))
                if cells and any(c not in (None, "") for c in cells):
                    yield line, dict(zip(names, cells))
        finally:
            book.close()
        return
    size = max(1, path.stat().st_size)
    try:
        text = _csv_text(path)
    except OSError as exc:
        raise ImportFileError(str(exc)) from exc
    with text:
        reader = csv.reader(text)
        try:
            names = _header(next(reader, []))
            line = reader.line_num + 1  # a record's first line (a quoted text may span several)
            for cells in reader:
                if progress and line % PROGRESS_EVERY == 0:
                    progress("reading", line - 1, min(1.0, text.buffer.tell() / size))
                if any(c.strip() for c in cells):
                    yield line, dict(zip(names, cells))
                line = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(_("Line %(n)s: %(error)s") % {"n": reader.line_num, "error": exc}) from exc


# --- checking ---------------------------------------------------------------------------------------------


def clean_text(value) -> str:
    """Text of the old system as plain text: tags dropped (<br> and </p> become line breaks), entities
    decoded, runs of spaces (full-width ones too) made one, blank lines dropped."""
    text = "" if value is None else str(value).replace("\x00", "")  # NUL cannot reach PostgreSQL
    if text.isprintable() and "  " not in text and "<" not in text and "&" not in text:
        return text.strip()  # most cells: nothing to clean (isprintable is False for tabs, breaks, U+3000)
    if "<" in text or "&" in text:
        text = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>", "\n", text)
        text = html.unescape(strip_tags(text))
    lines = (re.sub(r"[ \t\u3000\xa0\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def parse_time(value, zone: ZoneInfo) -> dt.datetime:
    """A time in one of the common Chinese export formats (or a workbook's date cell), in `zone` unless
    it names its own offset."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = re.sub(r"\s+", " ", str(value or "")).strip()
        if not text:
            raise ValueError(_("no time"))
        moment = None
        if match := NUMERIC_TIME.match(text):  # the common exports, without strptime's cost
            try:
                moment = dt.datetime(*(int(part) for part in match.groups() if part is not None))
            except ValueError:
                raise ValueError(
                    _("%(value)s is not a time (e.g. 2019/8/7 9:32:33 or 2019-08-07 09:32)") % {"value": text}
                ) from None
        try:
            moment = moment or dt.datetime.fromisoformat(text)
        except ValueError:
            for pattern in TIME_FORMATS:
                try:
                    moment = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if moment is None:
            raise ValueError(_("%(value)s is not a time (e.g. 2019/8/7 9:32:33 or 2019-08-07 09:32)") % {"value": text})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


class Reference:
    """What a row's names resolve to: streets by code, name or "district street", categories by code, name
    or path; names that two streets or categories share are ambiguous, not guessed."""

    def __init__(self):
        self.resolve = lru_cache(maxsize=200_000)(resolve)  # history repeats its addresses
        streets = list(Unit.objects.filter(level=UnitLevel.STREET).select_related("parent"))
        self.streets: dict[str, Unit | None] = {}
        for street in streets:
            self.streets[street.code] = street
            district = street.parent.name if street.parent else ""
            for name in (
                street.name,
                f"{district}{street.name}",
                f"{district} {street.name}",
                f"{district}/{street.name}",
            ):
                self._add(self.streets, name, street)
        self.categories: dict[str, Category | None] = {}
        by_pk = {c.pk: c for c in Category.objects.filter(is_active=True)}
        for category in by_pk.values():
            self.categories[category.code] = category
            self._add(self.categories, category.name, category)
            names, node = [], category
            while node is not None:
                names.append(node.name)
                node = by_pk.get(node.parent_id) if node.parent_id else None
            for separator in ("/", "-", "→", ">", " "):
                self._add(self.categories, separator.join(reversed(names)), category)

    @staticmethod
    def _add(table: dict, name: str, value) -> None:
        key = re.sub(r"\s+", " ", name).strip()
        if key in table and table[key] is not None and table[key] != value:
            table[key] = None  # two share the name: ambiguous
        else:
            table.setdefault(key, value)

    def street(self, text: str) -> Unit:
        key = re.sub(r"\s+", " ", text).strip()
        if key not in self.streets:
            raise ValueError(_("no street or township %(value)s") % {"value": text})
        street = self.streets[key]
        if street is None:
            raise ValueError(
                _("%(value)s names more than one street: give its code or its district too") % {"value": text}
            )
        return street

    def category(self, text: str) -> Category:
        key = re.sub(r"\s+", " ", text).strip()
        token = key.split(" ")[0]
        category = self.categories.get(key) or (self.categories.get(token) if token.isdigit() else None)
        if key not in self.categories and category is None:
            raise ValueError(_("no matter category %(value)s") % {"value": text})
        if category is None:
            raise ValueError(_("%(value)s names more than one category: give its code") % {"value": text})
        return category


CHANNELS = {**{v: v for v in Channel.values}, **{k.lower(): v for k, v in CHANNEL_NAMES.items()}}
TYPES = {**{v: v for v in DemandType.values}, **{k.lower(): v for k, v in TYPE_NAMES.items()}}


def _choice(text: str, table: dict, default: str, what) -> str:
    key = text.strip().lower()
    if not key:
        return default
    if key in table:
        return table[key]
    raise ValueError(_("unknown %(what)s %(value)s") % {"what": what, "value": text})


@dataclass
class Row:
    key: str
    received_at: dt.datetime
    title: str
    content: str
    caller_name: str
    caller_phone: str
    address: str
    street: Unit | None
    district_id: int | None
    category_id: int | None
    channel: str
    demand_type: str


def check_row(values: dict, ref: Reference, *, zone: ZoneInfo, now: dt.datetime) -> tuple[Row | None, list[Problem]]:
    """One row checked: the row, or the problems that make it bad (each with its column)."""
    problems: list[Problem] = []
    broken = [name for name, value in values.items() if isinstance(value, str) and "\ufffd" in value]
    if broken:  # bytes that were not UTF-8 in a UTF-8 file (see _csv_text)
        return None, [Problem(0, name, _("this cell is not valid UTF-8 text")) for name in broken]

    def text(name: str) -> str:
        value = values.get(name)
        if isinstance(value, float) and value.is_integer():  # a workbook's number cell: 13800138000.0
            value = int(value)
        return clean_text(value)

    received_at = None
    try:
        received_at = parse_time(values.get("received_at"), zone)
        if received_at.year < EARLIEST_YEAR or received_at > now + dt.timedelta(days=1):
            raise ValueError(_("%(value)s is not a plausible time of a call") % {"value": received_at.date()})
    except ValueError as exc:
        problems.append(Problem(0, "received_at", str(exc)))
    content = text("content")
    if not content:
        problems.append(Problem(0, "content", _("the text of the demand is empty")))
    elif len(content) > MAX_CONTENT:
        problems.append(Problem(0, "content", _("longer than %(n)s characters") % {"n": MAX_CONTENT}))
    title = text("title")[:200]
    name = text("caller_name")
    if len(name) > 64:
        problems.append(Problem(0, "caller_name", _("longer than %(n)s characters") % {"n": 64}))
    raw_phone = text("caller_phone")
    phone = "" if raw_phone.lower() in NO_PHONE or not re.search(r"\d", raw_phone) else normalise_phone(raw_phone)
    if phone and not 5 <= len(phone.lstrip("+")) <= 20:
        problems.append(Problem(0, "caller_phone", _("%(value)s is not a phone number") % {"value": raw_phone}))
    address = text("address")[:255]
    street = district_id = None
    if street_text := text("street"):
        try:
            street = ref.street(street_text)
            district_id = street.parent_id
        except ValueError as exc:
            problems.append(Problem(0, "street", str(exc)))
    elif address:
        resolution = ref.resolve(address)
        street = resolution.street
        district_id = resolution.district.pk if resolution.district else None
    category_id = None
    if category_text := text("category"):
        try:
            category_id = ref.category(category_text).pk
        except ValueError as exc:
            problems.append(Problem(0, "category", str(exc)))
    channel = demand_type = ""
    try:
        channel = _choice(text("channel"), CHANNELS, Channel.PHONE, gettext_lazy("channel"))
    except ValueError as exc:
        problems.append(Problem(0, "channel", str(exc)))
    try:
        demand_type = _choice(text("demand_type"), TYPES, DEFAULT_TYPE, gettext_lazy("demand type"))
    except ValueError as exc:
        problems.append(Problem(0, "demand_type", str(exc)))
    external_id = text("external_id")
    if len(external_id) > 64:
        problems.append(Problem(0, "external_id", _("longer than %(n)s characters") % {"n": 64}))
    if problems or received_at is None:
        return None, problems
    if external_id:
        key = f"ext:{external_id}"
    else:
        digest = hashlib.sha256(f"{received_at.isoformat()}\x1f{content}\x1f{phone}".encode()).hexdigest()
        key = f"fp:{digest[:40]}"
    return Row(
        key, received_at, title, content, name, phone, address, street, district_id, category_id, channel, demand_type
    ), []


# --- writing ----------------------------------------------------------------------------------------------

STAGED = (  # the temporary table's columns, in COPY order
    ("line", "integer"),
    ("import_key", "varchar(80)"),
    ("received_at", "timestamptz"),
    ("title", "varchar(200)"),
    ("content", "text"),
    ("caller_name", "text"),
    ("caller_phone", "text"),
    ("caller_phone_index", "varchar(32)"),
    ("address", "varchar(255)"),
    ("street_id", "bigint"),
    ("district_id", "bigint"),
    ("category_id", "bigint"),
    ("channel", "varchar(16)"),
    ("demand_type", "varchar(16)"),
)


def _staged(line: int, row: Row) -> list:
    """The row as the temporary table holds it: personal information encrypted (hotline.core.pii)."""
    return [
        line,
        row.key,
        row.received_at.isoformat(),
        row.title,
        row.content,
        encrypt(row.caller_name) or "",
        encrypt(row.caller_phone) or "",
        blind_index(row.caller_phone),
        row.address,
        row.street.pk if row.street else None,
        row.district_id,
        row.category_id,
        row.channel,
        row.demand_type,
    ]


def _insert_sql(by_id: int | None) -> tuple[str, list]:
    """INSERT … SELECT of the staged rows not yet in the database, every other column of the demand at its
    model default; the number is H + the day + the history sequence (apart from the hotline's own)."""
    staged = {name for name, _type in STAGED} - {"line"}
    columns, values, params = ["number"], [], []
    values.append(
        "'H' || to_char(s.received_at AT TIME ZONE %s, 'YYYYMMDD') || lpad(s.n::text, greatest(7, length(s.n::text)), '0')"
    )
    params.append(settings.TIME_ZONE)
    for model_field in Demand._meta.concrete_fields:
        column = model_field.column
        if column in ("id", "number"):
            continue
        columns.append(column)
        if column in staged:
            values.append(f"s.{column}")
        elif column == "disposition":
            values.append("%s")
            params.append(Disposition.IMPORTED.value)
        elif column == "created_by_id":
            values.append("%s")
            params.append(by_id)
        else:
            values.append("%s")
            params.append(model_field.get_db_prep_save(model_field.get_default(), connection))
    sql = (
        f"INSERT INTO intake_demand ({', '.join(columns)}) SELECT {', '.join(values)} FROM ("
        "SELECT t.*, nextval('intake_history_number') AS n FROM history_import t "
        "WHERE NOT EXISTS (SELECT 1 FROM intake_demand d WHERE d.import_key > '' AND d.import_key = t.import_key) "
        "ORDER BY t.received_at, t.line) s ON CONFLICT DO NOTHING"
    )
    return sql, params


def demands_import(
    *,
    path: Path,
    fmt: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    by=None,
    progress: Callable[[str, int, float], None] | None = None,
) -> ImportReport:
    """Import a file of history (see the module docstring). Raises ImportFileError when the file cannot
    be read at all; otherwise the report says what was (or, with `dry_run`, would be) written."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt not in ("csv", "xlsx"):
        raise ImportFileError(_("The format is csv or xlsx."))
    report = ImportReport(dry_run=dry_run)
    ref = Reference()
    zone, now = ZoneInfo(settings.TIME_ZONE), timezone.now()
    seen: dict[str, int] = {}
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as staging:
        writer = csv.writer(staging)
        for line, values in read_rows(path, fmt, progress):
            report.rows += 1
            row, problems = check_row(values, ref, zone=zone, now=now)
            if row is None:
                report.invalid += 1
                for problem in problems:
                    problem.line = line
                    if len(report.errors) < MAX_LISTED:
                        report.errors.append(problem)
                continue
            report.valid += 1
            if row.key in seen:
                report.repeated += 1
                if len(report.warnings) < MAX_LISTED:
                    report.warnings.append(
                        Problem(
                            line, "external_id", _("the same demand as line %(n)s: kept once") % {"n": seen[row.key]}
                        )
                    )
                continue
            seen[row.key] = line
            writer.writerow(["\\N" if v is None else v for v in _staged(line, row)])
        if report.invalid and not skip_invalid:
            return report  # nothing written: the report says why
        if not seen:
            return report
        staging.seek(0)
        if progress:
            progress("writing", report.valid, 0.0)
        _write(staging, report, by_id=getattr(by, "pk", None), dry_run=dry_run)
    if report.written >= 10000:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE intake_demand")  # the planner learns the new rows now
    return report


def _write(staging, report: ImportReport, *, by_id: int | None, dry_run: bool) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE history_import ({', '.join(f'{n} {t}' for n, t in STAGED)}) ON COMMIT DROP")
        cursor.copy_expert(
            f"COPY history_import ({', '.join(n for n, _t in STAGED)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            staging,
        )
        cursor.execute(
            "SELECT count(*) FROM history_import t WHERE EXISTS "
            "(SELECT 1 FROM intake_demand d WHERE d.import_key > '' AND d.import_key = t.import_key)"
        )
        report.existing = cursor.fetchone()[0]
        if not dry_run:
            sql, params = _insert_sql(by_id)
            cursor.execute(sql, params)
            report.written = cursor.rowcount
        cursor.execute("DROP TABLE history_import")  # now: the caller's transaction may import again
