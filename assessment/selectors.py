"""Reads of the assessment that more than one module shares."""

from django.db.models import F, Q

from hotline.core.models import Category, CategoryTag

from .models import Guidance, Instruction, Rectification, Referral, Snapshot, SnapshotOrder


def items_of(snapshot: Snapshot):
    """The item rows of a revision: its freeze's rows (its base), and the rows each revision up to it wrote,
    less those a revision up to it replaced. A freeze without revisions: its own rows."""
    base_id = snapshot.base_id or snapshot.pk
    chain = (
        [
            base_id,
            *Snapshot.objects.filter(base_id=base_id, revision__lte=snapshot.revision).values_list("pk", flat=True),
        ]
        if not snapshot.is_preview
        else [snapshot.pk]
    )
    rows = SnapshotOrder.objects.filter(snapshot_id__in=chain)
    return rows.filter(Q(replaced_in__isnull=True) | Q(replaced_in__gt=snapshot.revision)) if len(chain) > 1 else rows


# What the public ranking shows (排名结果向社会公布): units and rates only, never an order or a person.
PUBLIC_FIELDS = (
    "unit__code",
    "unit__name",
    "unit__parent__name",
    "level",
    "rank",
    "tier",
    "score",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "resolved_share",
    "satisfied_share",
    "volume",
    "per_10k",
    "due",
    "no_reply",
)
PUBLIC_NAMES = (
    "unit",
    "name",
    "district",
    "level",
    "rank",
    "tier",
    "score",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "resolved_share",
    "satisfied_share",
    "volume",
    "per_10k",
    "due",
    "no_reply",
)


def public_ranking(snapshot: Snapshot, level: str) -> list[dict]:
    """A frozen month's ranking of one level as the public reads it (decimals as strings)."""
    rows = snapshot.units.filter(level=level).order_by(
        F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "unit__code"
    )
    result = []
    for values in rows.values_list(*PUBLIC_FIELDS):
        row = dict(zip(PUBLIC_NAMES, values))
        for name in (
            "score",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "resolved_share",
            "satisfied_share",
            "per_10k",
        ):
            if row[name] is not None:
                row[name] = f"{row[name]:f}"
        result.append(row)
    return result


def categories_tagged(tag: str) -> list[int]:
    """The categories a 七有五性 tag covers: those tagged and everything below them."""
    tagged = set(CategoryTag.objects.filter(tag=tag).values_list("category_id", flat=True))
    parents = dict(Category.objects.values_list("id", "parent_id"))
    covered = []
    for category_id in parents:
        node = category_id
        while node is not None and node not in tagged:
            node = parents.get(node)
        if node is not None:
            covered.append(category_id)
    return covered


def instructions_visible_to(user):
    """批示 hops a user sees: every one for those who follow them (leaders, supervisors); else those
    addressed to the user's area, and those the user issued (a district leader's relays)."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path

    hops = Instruction.objects.select_related("unit", "leader", "responded_by", "parent")
    if may(user, "assessment.follow_instructions"):
        return hops
    path = visible_path(user)
    if path is None:
        return hops.none()
    return hops.filter(Q(unit__path__startswith=path) | Q(leader=user)) if path else hops


def _consequences_visible_to(user, rows, *, unit_field: str, also=None):
    """Leaders and supervisors follow every unit's consequences; a unit sees its own area's (and `also`)."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path

    if may(user, "assessment.follow_consequences"):
        return rows
    path = visible_path(user)
    if path is None:
        return rows.none()
    if not path:
        return rows
    mine = Q(**{f"{unit_field}__path__startswith": path})
    return rows.filter(mine | also) if also is not None else rows.filter(mine)


def rectifications_visible_to(user):
    """整改: a unit's own, the district's that it reviews, every one for those who follow them."""
    rows = Rectification.objects.select_related("unit", "reviewer_unit", "submitted_by", "reviewed_by")
    return _consequences_visible_to(user, rows, unit_field="unit", also=Q(reviewer_unit_id=user.unit_id))


def guidance_visible_to(user):
    """督导: the street's, and the helping department's."""
    rows = Guidance.objects.select_related("street", "department")
    path = getattr(getattr(user, "unit", None), "path", None)
    also = Q(department__path__startswith=path) if path else None
    return _consequences_visible_to(user, rows, unit_field="street", also=also)


def referrals_visible_to(user):
    return _consequences_visible_to(user, Referral.objects.select_related("unit"), unit_field="unit")


def street_instructions(streets, now) -> dict[int, int]:
    """Counter of hotline.core.watch (包点): the 批示 hops addressed to the street's area, not yet answered."""
    from hotline.core.watch import street_counts

    return street_counts(Instruction.objects.filter(status=Instruction.Status.OPEN), streets)
