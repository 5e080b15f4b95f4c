"""Routing through the dispatch catalogue (派单目录): matter category × territory → units."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.core.models import Category, Unit
from hotline.core.reference import reference

from .choices import Role, TargetKind
from .models import CatalogueRule, CatalogueVersion


@dataclass
class Route:
    """What the catalogue says for one demand. `main` is set when ownership is clear (直派);
    otherwise `reason` says why a dispatcher must decide."""

    main: Unit | None = None
    assisting: list[Unit] = field(default_factory=list)
    candidates: list[Unit] = field(default_factory=list)
    reason: str = ""

    @property
    def is_direct(self) -> bool:
        return self.main is not None


def active_catalogue() -> CatalogueVersion | None:
    return reference().catalogue


def _category_chain(category: Category, categories: dict) -> list[Category]:
    chain, node = [], categories.get(category.pk, category)
    while node is not None:
        chain.append(node)
        node = categories[node.parent_id] if node.parent_id else None
    return chain  # most specific first


def _resolve(rule: CatalogueRule, street: Unit | None, district: Unit | None, units_by_code: dict) -> Unit | None:
    if rule.target_kind == TargetKind.UNIT:
        return rule.unit
    if rule.target_kind == TargetKind.STREET:
        # Unidentifiable street: the district of the address takes it.
        return street or district
    if rule.target_kind == TargetKind.DISTRICT:
        return district
    if rule.target_kind == TargetKind.DISTRICT_DEPARTMENT and district is not None:
        department = units_by_code.get(f"{district.code}{rule.department_suffix}")
        return department if department is not None and department.is_active else None
    return None


def route(*, category: Category, street: Unit | None, district: Unit | None = None) -> Route:
    """Apply the active catalogue. The most specific category with rules wins; within it, rules of
    the address's district beat city-wide ones. One main unit → direct dispatch with the assisting
    units; no rule, no resolvable unit or several main units → the dispatcher's queue."""
    ref = reference()
    if district is None and street is not None:
        district = ref.units[street.pk].district if street.pk in ref.units else street.district
    if ref.catalogue is None:
        return Route(reason="no_active_catalogue")
    for node in _category_chain(category, ref.categories):
        at_level = ref.rules.get(node.pk, [])
        local = [r for r in at_level if district is not None and r.district_id == district.pk]
        citywide = [r for r in at_level if r.district_id is None]
        applicable = local or citywide
        if applicable:
            break
    else:
        return Route(reason="no_rule")

    mains, assists = [], []
    for rule in applicable:
        unit = _resolve(rule, street, district, ref.unit_by_code)
        if unit is None:
            continue
        target = mains if rule.role == Role.MAIN else assists
        if unit not in target:
            target.append(unit)
    if len(mains) == 1:
        return Route(main=mains[0], assisting=[u for u in assists if u != mains[0]])
    if not mains:
        return Route(candidates=assists, reason="no_unit_for_territory")
    return Route(candidates=mains + assists, reason="several_units")
