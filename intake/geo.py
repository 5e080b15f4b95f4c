"""Address → street (地址解析): resolve a free-text Beijing address to its district and street/township.

The names come from the organisation tree (districts and streets/townships, in full and without
their suffix: 朝阳区/朝阳, 望京街道/望京, 来广营地区/来广营) and from the admin-editable gazetteer of
places (intake.Place: landmarks, communities, roads). The address is scanned for every known name;
overlapping hits keep the longest (朝阳门 beats 朝阳); a district narrows the streets; one street left
is the answer, several are offered to the agent to choose from."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field

from hotline.core.choices import UnitLevel
from hotline.core.models import Unit

# Longest first: 于家务回族乡 → 于家务, 喇叭沟门满族乡 → 喇叭沟门.
STREET_SUFFIXES = ("街道办事处", "满族蒙古族乡", "回族乡", "满族乡", "蒙古族乡", "街道", "地区", "镇", "乡")
CACHE_SECONDS = 60

# Hit kinds, strongest first: a street named in full, a gazetteer place, a street named without its
# suffix. A district named in full or (only at the start) without 区.
STREET_FULL, PLACE, STREET_SHORT, DISTRICT_FULL, DISTRICT_SHORT = (
    "street",
    "place",
    "street_short",
    "district",
    "district_short",
)
STRENGTH = {STREET_FULL: 3, PLACE: 2, STREET_SHORT: 1}


@dataclass(frozen=True)
class Name:
    text: str
    kind: str
    unit_id: int  # the street (or, for districts, the district) it points at


@dataclass
class Resolution:
    district: Unit | None = None
    street: Unit | None = None
    candidates: list[Unit] = field(default_factory=list)  # several streets fit: the agent chooses
    matched: list[str] = field(default_factory=list)  # the names recognised in the address

    @property
    def is_ambiguous(self) -> bool:
        return self.street is None and len(self.candidates) > 1


@dataclass
class Gazetteer:
    names: list[Name]
    units: dict[int, Unit]
    pattern: re.Pattern | None
    by_text: dict[str, list[Name]]

    @classmethod
    def build(cls) -> Gazetteer:
        from .models import Place

        units = {
            u.pk: u
            for u in Unit.objects.filter(
                level__in=[UnitLevel.DISTRICT, UnitLevel.STREET], is_active=True
            ).select_related("parent")
        }
        names: list[Name] = []
        for unit in units.values():
            if unit.level == UnitLevel.DISTRICT:
                names.append(Name(unit.name, DISTRICT_FULL, unit.pk))
                short = unit.name.removesuffix("区")
                if len(short) >= 2 and short != unit.name:
                    names.append(Name(short, DISTRICT_SHORT, unit.pk))
                continue
            names.append(Name(unit.name, STREET_FULL, unit.pk))
            for suffix in STREET_SUFFIXES:
                if unit.name.endswith(suffix):
                    short = unit.name.removesuffix(suffix)
                    if len(short) >= 2:
                        names.append(Name(short, STREET_SHORT, unit.pk))
                    break
        # Only places in an active street or township (a bad entry must not break resolution).
        for place in Place.objects.filter(is_active=True, street__is_active=True, street__level=UnitLevel.STREET):
            for text in place.names():
                names.append(Name(normalise(text), PLACE, place.street_id))
        by_text: dict[str, list[Name]] = {}
        for name in names:
            by_text.setdefault(name.text, []).append(name)
        texts = sorted(by_text, key=len, reverse=True)  # longest first: the regex prefers it
        pattern = re.compile("|".join(re.escape(t) for t in texts)) if texts else None
        return cls(names=names, units=units, pattern=pattern, by_text=by_text)

    def hits(self, text: str) -> list[tuple[int, Name]]:
        """Every name in `text`, scanning left to right, longest name first at each position, and
        non-overlapping (朝阳门外大街 yields 朝阳门, not 朝阳)."""
        if self.pattern is None:
            return []
        found = []
        pos = 0
        while pos < len(text):
            match = self.pattern.search(text, pos)
            if match is None:
                break
            for name in self.by_text[match.group()]:
                found.append((match.start(), name))
            pos = match.end()
        return found


_cache: dict[str, tuple[float, Gazetteer]] = {}
_lock = threading.Lock()


def gazetteer() -> Gazetteer:
    """The gazetteer of this process, rebuilt every minute and whenever a place or unit changes here."""
    with _lock:
        entry = _cache.get("g")
        if entry is None or time.monotonic() - entry[0] > CACHE_SECONDS:
            entry = (time.monotonic(), Gazetteer.build())
            _cache["g"] = entry
        return entry[1]


def invalidate(**_kwargs) -> None:
    with _lock:
        _cache.clear()


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces, lower case, no leading 北京市/北京."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"\s+", "", text)
    for prefix in ("中国", "北京市", "北京"):
        text = text.removeprefix(prefix)
    return text


def resolve(address: str) -> Resolution:
    text = normalise(address)
    if not text:
        return Resolution()
    g = gazetteer()
    districts: list[int] = []
    streets: dict[int, int] = {}  # street id → best strength
    matched: list[str] = []
    hits = g.hits(text)
    # A leading name that is both a district and one of its towns (延庆, 密云) means the district.
    leading_district = {n.text for p, n in hits if p == 0 and n.kind == DISTRICT_SHORT}
    for position, name in hits:
        if name.kind == STREET_SHORT and position == 0 and name.text in leading_district:
            continue
        if name.kind == DISTRICT_FULL or (name.kind == DISTRICT_SHORT and position == 0):
            if name.unit_id not in districts:
                districts.append(name.unit_id)
            matched.append(name.text)
        elif name.kind in STRENGTH:
            streets[name.unit_id] = max(streets.get(name.unit_id, 0), STRENGTH[name.kind])
            matched.append(name.text)
    district = g.units[districts[0]] if len(districts) == 1 else None
    if district is not None:
        inside = {sid: s for sid, s in streets.items() if g.units[sid].parent_id == district.pk}
        # A street named in another district than the one stated: trust neither alone.
        streets = inside or streets
    best = max(streets.values(), default=0)
    top = [g.units[sid] for sid, strength in streets.items() if strength == best]
    result = Resolution(matched=list(dict.fromkeys(matched)))
    if len(top) == 1:
        street = top[0]
        result.street = street
        result.district = g.units.get(street.parent_id)
        if district is not None and street.parent_id != district.pk:
            # The address names a district and a street of another: let the agent choose.
            result.street = None
            result.district = district
            result.candidates = top
        return result
    result.candidates = sorted(top, key=lambda u: u.code)
    if district is not None:
        result.district = district
    else:
        parents = {u.parent_id for u in top}
        if len(parents) == 1:
            result.district = g.units.get(parents.pop())
    return result
