"""Routing through the dispatch catalogue (派单目录): matter category × territory → units."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.core.models import Category, Unit

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
    return CatalogueVersion.objects.filter(is_active=True).first()


def _category_chain(category: Category) -> list[Category]:
    chain, node = [], category
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain  # most specific first


def _resolve(rule: CatalogueRule, street: Unit | None, district: Unit | None) -> Unit | None:
    if rule.target_kind == TargetKind.UNIT:
        return rule.unit
    if rule.target_kind == TargetKind.STREET:
        # Unidentifiable street: the district of the address takes it.
        return street or district
    if rule.target_kind == TargetKind.DISTRICT:
        return district
    if rule.target_kind == TargetKind.DISTRICT_DEPARTMENT and district is not None:
        return Unit.objects.filter(code=f"{district.code}{rule.department_suffix}", is_active=True).first()
    return None


def route(*, category: Category, street: Unit | None, district: Unit | None = None) -> Route:
    """Apply the active catalogue. The most specific category with rules wins; within it, rules of
    the address's district beat city-wide ones. One main unit → direct dispatch with the assisting
    units; no rule, no resolvable unit or several main units → the dispatcher's queue."""
    if district is None and street is not None:
        district = street.district
    catalogue = active_catalogue()
    if catalogue is None:
        return Route(reason="no_active_catalogue")
    chain = _category_chain(category)
    rules = list(
        CatalogueRule.objects.filter(version=catalogue, category__in=chain).select_related("unit", "category")
    )
    for node in chain:
        at_level = [r for r in rules if r.category_id == node.pk]
        local = [r for r in at_level if district is not None and r.district_id == district.pk]
        citywide = [r for r in at_level if r.district_id is None]
        applicable = local or citywide
        if applicable:
            break
    else:
        return Route(reason="no_rule")

    mains, assists = [], []
    for rule in applicable:
        unit = _resolve(rule, street, district)
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
