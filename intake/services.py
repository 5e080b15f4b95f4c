"""Writes of intake (信息发现): demands checked, numbered and recorded, callers' identity revealed with a
log, idempotent submission, partners' keys, the gazetteer. Intake knows nothing of orders: dispatch takes
a recorded demand on (dispatch.services.demand_take)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.access import may
from hotline.core.choices import UnitLevel
from hotline.core.exceptions import Forbidden, InvalidInput, NotFound, StateConflict, Unprocessable
from hotline.core.geo import district_at
from hotline.core.models import Category, Unit, User
from hotline.core.reference import reference
from knowledge_base.models import Article
from knowledge_base.services import article_used

from .choices import (
    Action,
    Channel,
    DemandType,
    Disposition,
    RefusalReason,
    SuggestionOutcome,
    SuggestionStage,
    Urgency,
)
from .geo import resolve
from .models import (
    ApiKey,
    AutoDispatchPolicy,
    CategorySuggestion,
    ClassifierModel,
    DailyCounter,
    Demand,
    IdempotencyRecord,
    OutgoingMessage,
    Place,
    RecordTemplate,
    RevealLog,
)

logger = logging.getLogger(__name__)


def next_number(*, scope: str, day: dt.date) -> int:
    """The next sequential number of `scope` on `day`. The counter row is updated in place, so
    concurrent callers queue on its row lock and never get the same number."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_dailycounter SET value = value + 1 WHERE scope = %s AND day = %s RETURNING value",
            [scope, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
        if row is not None:
            return row[0]
        try:
            with transaction.atomic():
                DailyCounter.objects.create(scope=scope, day=day, value=1)
                return 1
        except IntegrityError:  # another caller created the day's row first
            DailyCounter.objects.filter(scope=scope, day=day).update(value=F("value") + 1)
        return DailyCounter.objects.get(scope=scope, day=day).value


def demand_number(received_at: dt.datetime) -> str:
    day = timezone.localdate(received_at)
    return f"{day:%Y%m%d}{next_number(scope='demand', day=day):05d}"


def normalise_phone(raw: str) -> str:
    """The form every phone number is stored and looked up in: digits only (a leading + kept for
    foreign numbers), without China's +86 on mobiles, so 138-0013-8000 and +86 13800138000 are
    the same caller."""
    text = (raw or "").strip()
    plus = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 15 and digits.startswith("00861"):  # 0086 138…: the international prefix dialled
        return digits[4:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    if plus and digits.startswith("86") and len(digits) > 11:
        return digits[2:]
    return ("+" if plus and not digits.startswith("86") else "") + digits


MOBILE = re.compile(r"1[3-9]\d{9}")  # 中国大陆手机号: 11 digits
LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # 固定电话 with its area code (010 + 8 digits, 0xxx + 7–8 digits)
LOCAL = re.compile(r"[2-9]\d{7}")  # a Beijing landline said without its area code (6512 3456)
SERVICE = re.compile(r"(400|800)\d{7}|95\d{3,6}|1[0-2]\d{3}")  # companies, 95xxx, 110/12345-style numbers


def phone_kind(phone: str) -> str:
    """What a normalised number looks like: "mobile", "landline" (with its area code, or a Beijing 8-digit
    number without it), "service" (400/800, 95xxx, 12345-style), "foreign" (+…), or "other" — a number the
    forms ask the person to confirm."""
    if phone.startswith("+"):
        return "foreign"
    for kind, pattern in (("mobile", MOBILE), ("landline", LANDLINE), ("landline", LOCAL), ("service", SERVICE)):
        if pattern.fullmatch(phone):
            return kind
    return "other"


def check_phone(raw: str) -> str:
    phone = normalise_phone(raw)
    if not 5 <= len(phone.lstrip("+")) <= 20:
        raise InvalidInput(_("Enter the caller's phone number (5 to 20 digits)."), code="invalid_phone")
    return phone


def _check_choices(*, channel: str, demand_type: str, urgency: str, action: str, refusal_reason: str) -> None:
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), code="invalid_channel")
    if demand_type not in DemandType.values:
        raise InvalidInput(_("Unknown demand type."), code="invalid_demand_type")
    if urgency not in Urgency.values:
        raise InvalidInput(_("Unknown urgency."), code="invalid_urgency")
    if action not in Action.values:
        raise InvalidInput(_("Unknown action."), code="invalid_action")
    if action == Action.REFUSE and refusal_reason not in RefusalReason.values:
        raise InvalidInput(
            _("Choose why the demand is refused or where it is transferred."), code="refusal_reason_required"
        )


def demand_build(
    *,
    channel: str,
    demand_type: str,
    category: Category | None,
    content: str,
    caller_phone: str,
    caller_name: str = "",
    confidential: bool = False,
    address: str = "",
    street: Unit | None = None,
    urgency: str = Urgency.NORMAL,
    lat=None,
    long=None,
    media_url: str = "",
    action: str = Action.ROUTE,
    answer_article: Article | None = None,
    refusal_reason: str = "",
    api_key: ApiKey | None = None,
    received_at: dt.datetime | None = None,
    by: User | None = None,
    co_complainants: int = 0,
    problem_since: int | None = None,
    problem_since_source: str = "",
) -> Demand:
    """A demand checked and ready to record (受理), not yet saved, with what becomes of it at intake:
    - answer: a consultation answered on the call (直接答复, 即时), with the article read, if any;
    - refuse: emergencies transferred to 110/119/120/122; litigation, arbitration, 信访 and 纪检监察
      matters refused, with the reason;
    - route or merge: handed over (dispatch routes it, or merges a repeated call into an open order).
    Without a street, the address is resolved to one (地址解析) when it is unambiguous. The agent may
    record co-complainants (群体性) and the year an old problem began (历史遗留) with its source; the
    year earns a bonus only once a dispatcher verified it (demand_history_verify)."""
    if getattr(by, "pk", None) is not None and not may(by, "intake.record_demand"):
        # A person records a demand as the hotline; the portal and partner channels record none as a user.
        raise Forbidden(_("Only the hotline's agents and dispatchers record demands."), code="record_forbidden")
    if answer_article is not None and action == Action.ROUTE:
        action = Action.ANSWER
    _check_choices(
        channel=channel, demand_type=demand_type, urgency=urgency, action=action, refusal_reason=refusal_reason
    )
    if street is not None and street.level != UnitLevel.STREET:
        raise InvalidInput(_("The street must be a street or township."), code="invalid_street")
    if not content.strip():
        raise InvalidInput(_("Describe the demand."), code="content_required")
    if action == Action.ANSWER and demand_type != DemandType.CONSULT:
        raise InvalidInput(
            _("Only a consultation can be answered on the call; dispatch the other demand types."),
            code="answer_requires_consultation",
        )
    phone = check_phone(caller_phone)
    suggestions = None
    if category is None:  # 自动分类: the model chooses when it may, or says what a person should choose from
        category, suggestions = auto_category(content)
    received_at = received_at or timezone.now()
    co_complainants = _check_co_complainants(co_complainants)
    problem_since, problem_since_source = _check_history(problem_since, problem_since_source, received_at)
    district = reference().district_of(street) if street is not None else None
    if street is None and address.strip():
        resolution = resolve(address)
        street, district = resolution.street, resolution.district
    if district is None and lat is not None and long is not None:
        district = district_of_pin(lat, long)  # 地图定位: the pin tells the district the words did not
    disposition = {
        Action.ANSWER: Disposition.ANSWERED,
        Action.REFUSE: Disposition.REFUSED,
        Action.MERGE: Disposition.MERGED,
    }.get(action, Disposition.PENDING_DISPATCH)
    demand = Demand(
        channel=channel,
        demand_type=demand_type,
        category=category,
        category_auto=suggestions is not None,
        content=content.strip(),
        caller_name=caller_name.strip(),
        caller_phone=phone,
        confidential=confidential,
        address=address.strip(),
        street=street,
        district=district,
        lat=lat,
        long=long,
        media_url=media_url,
        urgency=urgency,
        received_at=received_at,
        disposition=disposition,
        answer_article=answer_article if action == Action.ANSWER else None,
        refusal_reason=refusal_reason if action == Action.REFUSE else "",
        api_key=api_key,
        created_by=by if getattr(by, "pk", None) else None,
        co_complainants=co_complainants,
        problem_since=problem_since,
        problem_since_source=problem_since_source,
    )
    demand.auto_suggestions = suggestions
    return demand


def district_of_pin(lat, long) -> Unit | None:
    """The district unit a map pin lies in (None outside Beijing, or when the tree lacks the district)."""
    shape = district_at(lat, long)
    if shape is None:
        return None
    unit = reference().unit_by_code.get(shape.code)
    return unit if unit is not None and unit.level == UnitLevel.DISTRICT else None


def demand_insert(demand: Demand, *, by: User | None = None) -> Demand:
    """Number and save a built demand, once: the number comes last, right before the INSERT, so that the
    day's counter row stays locked only for what the caller's transaction writes after it. An answer on
    the call counts as a use of its article (知识库)."""
    demand.number = demand_number(demand.received_at)
    demand.save(force_insert=True)
    suggestions = getattr(demand, "auto_suggestions", None)
    if demand.category_auto and suggestions:
        from .selectors import active_version

        _automatic_record(demand, active_version(), suggestions, at=demand.received_at)
    if demand.answer_article is not None:
        article_used(article=demand.answer_article, by=by, at=demand.received_at)
    return demand


@transaction.atomic
def demand_record(*, by: User | None = None, **fields) -> Demand:
    """Record a demand that intake settles alone (answered on the call or refused). A demand to route or
    merge goes through dispatch (dispatch.services.demand_take), which records it here and hands it on."""
    demand = demand_build(by=by, **fields)
    if demand.disposition not in (Disposition.ANSWERED, Disposition.REFUSED):
        raise InvalidInput(_("Intake alone answers or refuses a call; dispatch routes and merges."), code="not_intake")
    return demand_insert(demand, by=by)


MAX_CO_COMPLAINANTS = 9999
FIRST_HISTORY_YEAR = 1949


def _check_co_complainants(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CO_COMPLAINANTS:
        raise InvalidInput(
            _("Co-complainants: a number from 0 to %(n)s.") % {"n": MAX_CO_COMPLAINANTS}, code="invalid_co_complainants"
        )
    return value


def _check_history(year, source: str, at: dt.datetime) -> tuple[int | None, str]:
    """历史遗留: a year between 1949 and this year, with what shows it (a contract, a notice, a record)."""
    if year in (None, ""):
        return None, ""
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not FIRST_HISTORY_YEAR <= year <= timezone.localdate(at).year
    ):
        raise InvalidInput(
            _("The problem's first year must be between %(a)s and this year.") % {"a": FIRST_HISTORY_YEAR},
            code="invalid_problem_since",
        )
    if not (source or "").strip():
        raise InvalidInput(
            _("Say what shows the year the problem began (a document, a record, a notice)."),
            code="problem_since_source_required",
        )
    return year, source.strip()[:255]


@transaction.atomic
def demand_history_set(
    *, demand: Demand, by: User, problem_since: int | None, source: str = "", at: dt.datetime | None = None
) -> Demand:
    """Record (or correct, or clear) the year an old problem began (历史遗留) and its source, from the call
    or dispatch side. A change clears an earlier verification: the new year must be verified again."""
    if not may(by, "intake.record_history"):
        raise Forbidden(_("Only the hotline records the year a problem began."))
    at = at or timezone.now()
    year, source = _check_history(problem_since, source, at)
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    if (locked.problem_since, locked.problem_since_source) != (year, source):
        locked.problem_since, locked.problem_since_source = year, source
        locked.problem_since_verified_at = locked.problem_since_verified_by = None
        locked.save(
            update_fields=[
                "problem_since",
                "problem_since_source",
                "problem_since_verified_at",
                "problem_since_verified_by",
            ]
        )
    return locked


@transaction.atomic
def demand_history_verify(*, demand: Demand, by: User, at: dt.datetime | None = None) -> Demand:
    """A dispatcher checked the year against its source: from now it earns the 历史遗留 bonus when the
    matter is resolved. The person who recorded it on the call may not be the one who verifies it."""
    if not may(by, "intake.verify_history"):
        raise Forbidden(_("Only a dispatcher verifies the year a problem began."), code="verify_forbidden")
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    if locked.problem_since is None:
        raise StateConflict(_("No year is recorded for this demand."), code="no_problem_since")
    if locked.problem_since_verified_at is not None:
        raise StateConflict(_("The year was already verified."), code="already_verified")
    if locked.created_by_id == by.pk and not by.is_superuser:
        raise Forbidden(_("Someone other than the agent who recorded the year verifies it."), code="own_record")
    locked.problem_since_verified_at, locked.problem_since_verified_by = at or timezone.now(), by
    locked.save(update_fields=["problem_since_verified_at", "problem_since_verified_by"])
    return locked


# --- idempotent submission ----------------------------------------------------------------------


def fingerprint(data: dict) -> str:
    """A stable hash of what was submitted, to tell a retry from a different request with the same key."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent_create(*, scope: str, key: str, fingerprint: str, create: Callable[[], Demand]) -> tuple[Demand, bool]:
    """Run `create` once per (scope, key). A retry with the same key and body returns the first
    demand (and True); the same key with another body is a conflict. Concurrent retries wait on the
    key's unique index until the first commits (PostgreSQL), so exactly one demand is created."""
    if not key:
        return create(), False
    if len(key) > 128:
        raise InvalidInput(_("The Idempotency-Key is longer than 128 characters."), code="invalid_idempotency_key")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = IdempotencyRecord.objects.select_related("demand").get(scope=scope, key=key)
            if record.fingerprint != fingerprint:
                raise Unprocessable(  # CONTRACT.md: 422 idempotency_mismatch
                    _("This Idempotency-Key was already used for a different request."),
                    code="idempotency_mismatch",
                ) from None
            return record.demand, True
        demand = create()
        record.demand = demand
        record.save(update_fields=["demand"])
        return demand, False


# --- API keys and reveals -----------------------------------------------------------------------


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_issue(*, name: str, channel: str, raw: str | None = None) -> tuple[ApiKey, str]:
    """Issue a key for a partner channel; the raw key is returned once and only its hash is kept.
    Issuing a key that exists changes nothing: a key an admin deactivated stays deactivated."""
    raw = raw or secrets.token_urlsafe(24)
    key, _created = ApiKey.objects.get_or_create(
        key_hash=api_key_hash(raw), defaults={"name": name, "channel": channel, "prefix": raw[:6]}
    )
    return key, raw


def api_key_authenticate(raw: str) -> ApiKey | None:
    if not raw:
        return None
    key = ApiKey.objects.filter(key_hash=api_key_hash(raw), is_active=True).first()
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def caller_identity_log(*, demand: Demand, by: User, reason: str, ip: str | None = None) -> dict:
    """Log one reveal (RevealLog) and return the identity. The caller of this function has decided that
    `by` may see it (dispatch.services.caller_reveal for orders; the reports' key cases for leaders)."""
    if not reason.strip():
        raise InvalidInput(_("Say why you need the caller's number."), code="reason_required")
    RevealLog.objects.create(demand=demand, user=by, reason=reason.strip()[:255], ip=ip or None)
    return {"caller_name": demand.caller_name, "caller_phone": demand.caller_phone, "confidential": demand.confidential}


def caller_message_send(*, demand: Demand, text: str, at: dt.datetime | None = None) -> OutgoingMessage:
    """A text message to the demand's caller (the evaluation link, a 挂账 notice): recorded, as a gateway
    would send it. A confidential caller (保密) is still the caller: only units never see who they are."""
    return OutgoingMessage.objects.create(demand=demand, phone=demand.caller_phone, text=text, at=at or timezone.now())


def places_load(path: Path | None = None) -> int:
    """Load the gazetteer CSV (name, kind, street_code, aliases); idempotent, admin edits of other
    places are kept."""
    path = path or Path(__file__).parent / "data" / "gazetteer.csv"
    if not path.exists():
        return 0
    streets = {u.code: u for u in Unit.objects.filter(level=UnitLevel.STREET)}
    count = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            street = streets.get(row["street_code"].strip())
            if street is None:
                continue
            Place.objects.update_or_create(
                name=row["name"].strip(),
                defaults={
                    "kind": row.get("kind") or Place.Kind.LANDMARK,
                    "street": street,
                    "aliases": (row.get("aliases") or "").strip(),
                },
            )
            count += 1
    return count


# --- smart dispatch (智能派单) -----------------------------------------------------------------------------

KEEP_MODEL_FILES = 5  # the newest versions' files (and the active one's); older rows keep their measurements


def classifier_train(
    *, since: dt.date | None = None, until: dt.date | None = None, by: User | None = None
) -> ClassifierModel:
    """Train a new version on the window's history (intake.classifier.train), store it with its measurements,
    and make it active when there is none, or when it beats the active version on the new held-out slice
    (the active one is measured on the same demands, so the two are compared fairly)."""
    from django.core.files.base import ContentFile

    from . import classifier

    if by is not None and not may(by, "intake.manage_classifier"):
        raise Forbidden(_("Only an administrator trains the classifier."), code="manage_forbidden")
    if since is not None and until is not None and since > until:
        raise InvalidInput(_("The window ends before it starts."), code="invalid_window")
    training = classifier.train(since=since, until=until)
    incumbent = ClassifierModel.objects.filter(is_active=True).first()
    incumbent_top1 = None
    if incumbent is not None:
        try:
            incumbent_top1 = round(classifier.top1_on(classifier.loaded(incumbent), training.held_out), 4)
        except Exception:  # the active file is gone or unreadable: it cannot defend its place
            logger.warning("Active classifier %s could not be measured", incumbent, exc_info=True)
    with transaction.atomic():
        number = ClassifierModel.objects.select_for_update().order_by("-version").first() or None
        version = ClassifierModel(
            version=(number.version + 1) if number else 1,
            trained_at=timezone.now(),
            since=since,
            until=until,
            demands=training.demands,
            knowledge_texts=training.knowledge,
            held_out=training.metrics["n"],
            top1=training.metrics["top1"],
            top3=training.metrics["top3"],
            incumbent_top1=incumbent_top1,
            metrics=training.metrics,
            seconds=round(training.seconds, 2),
        )
        version.file.save(f"v{version.version}.joblib", ContentFile(training.model.dumps()), save=False)
        version.save()
        if incumbent is None or incumbent_top1 is None or version.top1 > incumbent_top1:
            note = (
                _("Activated automatically: no version was active.")
                if incumbent is None
                else _("Activated automatically: top-1 %(new).1f %% against %(old)s on the same held-out demands.")
                % {
                    "new": version.top1 * 100,
                    "old": f"{incumbent_top1 * 100:.1f} %" if incumbent_top1 is not None else "—",
                }
            )
            version = classifier_activate(version=version, by=None, note=note)
    _prune_model_files()
    return version


def _prune_model_files() -> None:
    keep = set(ClassifierModel.objects.order_by("-version").values_list("pk", flat=True)[:KEEP_MODEL_FILES])
    for old in ClassifierModel.objects.exclude(pk__in=keep).exclude(is_active=True).exclude(file=""):
        old.file.delete(save=False)
        ClassifierModel.objects.filter(pk=old.pk).update(file="")


@transaction.atomic
def classifier_activate(*, version: ClassifierModel, by: User | None, note: str = "") -> ClassifierModel:
    """Make `version` the one that suggests (an admin's choice, or the automatic one after training)."""
    if by is not None and not may(by, "intake.manage_classifier"):
        raise Forbidden(_("Only an administrator chooses the active classifier."), code="manage_forbidden")
    locked = ClassifierModel.objects.select_for_update().get(pk=version.pk)
    if not locked.file:
        raise StateConflict(_("Version %(v)s's file was removed: train a new version.") % {"v": locked.version})
    if locked.is_active:
        return locked
    ClassifierModel.objects.filter(is_active=True).update(is_active=False)
    locked.is_active, locked.activated_at, locked.activated_by = True, timezone.now(), by
    locked.note = (note or (_("Activated by %(user)s.") % {"user": by.get_username()} if by else ""))[:255]
    locked.save(update_fields=["is_active", "activated_at", "activated_by", "note"])
    return locked


def auto_dispatch_set(*, enabled: bool, precision, by: User) -> AutoDispatchPolicy:
    """Turn automatic categorisation on or off and say how precise it must be (0.5–0.999)."""
    from decimal import Decimal, InvalidOperation

    if not may(by, "intake.manage_classifier"):
        raise Forbidden(_("Only an administrator sets auto-dispatch."), code="manage_forbidden")
    try:
        value = Decimal(str(precision))
    except (InvalidOperation, ValueError):
        value = Decimal("-1")
    if not (Decimal("0.5") <= value <= Decimal("0.999")):
        raise InvalidInput(_("The required precision is a share between 0.5 and 0.999."), code="invalid_precision")
    policy = AutoDispatchPolicy.objects.select_for_update().order_by("pk").first() or AutoDispatchPolicy()
    policy.enabled, policy.precision, policy.updated_by = bool(enabled), value.quantize(Decimal("0.001")), by
    policy.save()
    return policy


def _outcome(suggested: list, chosen: Category) -> tuple[int | None, str]:
    codes = [code for code, _confidence in suggested]
    rank = codes.index(chosen.code) + 1 if chosen.code in codes else None
    if rank == 1:
        return rank, SuggestionOutcome.ACCEPTED
    return rank, SuggestionOutcome.OTHER if rank else SuggestionOutcome.OVERRIDDEN


def suggestion_record(
    *,
    demand: Demand,
    stage: str,
    chosen: Category,
    by: User | None = None,
    used: bool = False,
    previous: Category | None = None,
    at: dt.datetime | None = None,
) -> CategorySuggestion | None:
    """Record what the active model suggests for the demand's words against the category a person (or the
    automatic rule) chose: the training signal and the acceptance rate. Nothing when no model is active."""
    from .selectors import suggest

    version, suggestions = suggest(f"{demand.title} {demand.content}".strip())
    if version is None:
        return None
    suggested = [[s.category.code, s.confidence] for s in suggestions]
    rank, outcome = _outcome(suggested, chosen)
    if stage == SuggestionStage.AUTO:
        outcome = SuggestionOutcome.AUTOMATIC
    return CategorySuggestion.objects.create(
        demand=demand,
        model=version,
        stage=stage,
        suggested=suggested,
        chosen=chosen,
        previous=previous,
        rank=rank,
        outcome=outcome,
        used=used,
        by=by if getattr(by, "pk", None) else None,
        at=at or timezone.now(),
    )


def suggestion_record_quietly(**kwargs) -> CategorySuggestion | None:
    """suggestion_record for a call already logged: a model that cannot be read loses the record, never the call."""
    try:
        with transaction.atomic():
            return suggestion_record(**kwargs)
    except Exception:
        logger.warning("A category suggestion could not be recorded", exc_info=True)
        return None


def auto_category(content: str) -> tuple[Category, list]:
    """自动分类: the active model's top category for a demand that arrives without one, when auto-dispatch is on
    and the model is at least as confident as the threshold its measured precision allows. Otherwise the
    demand needs a person's category: 400 category_required, with the suggestions to choose from."""
    from .selectors import auto_threshold, suggest

    try:
        version, suggestions = suggest(content)
    except Exception:  # an unreadable model file: a person chooses, as without a model
        logger.warning("The classifier could not be read", exc_info=True)
        version, suggestions = None, []
    threshold = auto_threshold(version)
    if suggestions and threshold is not None and suggestions[0].confidence >= threshold:
        return suggestions[0].category, suggestions
    raise InvalidInput(
        _("Choose the matter category: the model is not sure enough to choose it alone.")
        if threshold is not None
        else _("Choose the matter category."),
        code="category_required",
        extra={
            "suggestions": [
                {"category": s.category.code, "name": s.category.name, "confidence": s.confidence} for s in suggestions
            ]
        },
    )


@transaction.atomic
def demand_categorise(
    *, demand: Demand, category: Category, by: User | None, stage: str = SuggestionStage.HISTORY, used: bool = False
) -> Demand:
    """A person sets the category of a demand that has none (imported history), or corrects an automatic one
    (自动分类 corrected). The decision is recorded against the model's suggestions. `by=None`: the automatic
    rule categorising history (intake.tasks)."""
    if by is not None and not may(by, "intake.categorise"):
        raise Forbidden(_("Only a dispatcher sets a demand's category."), code="categorise_forbidden")
    if category.level != 3 or not category.is_active:
        raise InvalidInput(_("Choose an active level-3 matter category."), code="invalid_category")
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    if locked.category_id is not None and not locked.category_auto:
        raise StateConflict(
            _("Demand %(n)s's category was chosen by a person; the dispatcher changes it when dispatching.")
            % {"n": locked.number},
            code="category_confirmed",
        )
    previous = locked.category
    if by is not None and locked.category_auto:
        stage = SuggestionStage.CORRECTION
    locked.category, locked.category_auto = category, by is None
    locked.save(update_fields=["category", "category_auto"])
    suggestion_record(demand=locked, stage=stage, chosen=category, by=by, used=used, previous=previous)
    return locked


def history_autocategorise(*, limit: int = 100_000) -> int:
    """Imported demands without a category, categorised by the active model where it is confident enough
    (the auto-dispatch threshold); the others wait for a dispatcher. Returns how many were categorised."""
    from .selectors import active_version, auto_threshold, suggest

    version = active_version()
    threshold = auto_threshold(version)
    if version is None or threshold is None:
        return 0
    done = 0
    pending = Demand.objects.filter(category__isnull=True, disposition=Disposition.IMPORTED).order_by("id")
    for demand in pending[:limit].iterator(chunk_size=2000):
        _version, suggestions = suggest(f"{demand.title} {demand.content}".strip(), version=version)
        if suggestions and suggestions[0].confidence >= threshold:
            with transaction.atomic():
                updated = Demand.objects.filter(pk=demand.pk, category__isnull=True).update(
                    category=suggestions[0].category, category_auto=True
                )
                if updated:
                    demand.category, demand.category_auto = suggestions[0].category, True
                    _automatic_record(demand, version, suggestions, at=timezone.now())
                    done += 1
    return done


def _automatic_record(demand: Demand, version, suggestions: list, *, at: dt.datetime) -> CategorySuggestion:
    """自动分类's row: the model's suggestions and the top one it set (the record a correction is read against)."""
    return CategorySuggestion.objects.create(
        demand=demand,
        model=version,
        stage=SuggestionStage.AUTO,
        suggested=[[s.category.code, s.confidence] for s in suggestions],
        chosen=demand.category,
        rank=1,
        outcome=SuggestionOutcome.AUTOMATIC,
        at=at,
    )


PORTAL_PHOTOS = 3


def photos_checked(files) -> list:
    """A citizen's photos (the portal): at most PORTAL_PHOTOS, photos only — each really an image — shrunk
    and stripped of where it was taken. InvalidInput says which one is refused."""
    from pathlib import PurePath

    from hotline.core.uploads import IMAGE_TYPES, check_files, prepared

    files = check_files(files)
    if len(files) > PORTAL_PHOTOS:
        raise InvalidInput(_("At most %(n)s photos.") % {"n": PORTAL_PHOTOS}, code="too_many_files")
    for upload in files:
        if PurePath(upload.name or "").suffix.lower() not in IMAGE_TYPES:
            raise InvalidInput(
                _("%(name)s: only photos (JPEG, PNG or WebP).") % {"name": upload.name}, code="invalid_file_type"
            )
    return [prepared(f) for f in files]


def demand_attach_photos(*, demand: Demand, photos) -> list:
    """Keep the checked photos (photos_checked) with the demand."""
    from hotline.core.uploads import described

    from .models import DemandAttachment

    now = timezone.now()
    return [DemandAttachment.objects.create(demand=demand, file=p, uploaded_at=now, **described(p)) for p in photos]


# --- 受理模板 (recording templates) -------------------------------------------------------------------------
def record_template_save(
    *, by: User, title: str, text: str, category: Category | None = None, template: RecordTemplate | None = None
) -> RecordTemplate:
    """An agent's own template, new or changed. Only its owner changes it; the hotline's are kept in the admin."""
    if not may(by, "intake.record_demand"):
        raise Forbidden(_("Only the hotline's agents and dispatchers keep recording templates."), code="forbidden")
    if template is not None and template.owner_id != by.pk:
        raise NotFound(_("No such template of yours."), code="template_not_found")
    title, text = " ".join(title.split()), text.strip()
    if not title or not text:
        raise InvalidInput(_("A template needs a title and a text."), code="template_incomplete")
    if len(title) > RecordTemplate.TITLE_MAX or len(text) > RecordTemplate.TEXT_MAX:
        raise InvalidInput(
            _("A title has at most %(t)s characters and a text at most %(x)s.")
            % {"t": RecordTemplate.TITLE_MAX, "x": RecordTemplate.TEXT_MAX},
            code="template_too_long",
        )
    template = template or RecordTemplate(owner=by)
    template.title, template.text, template.category = title, text, category
    template.save()
    return template


def record_template_delete(*, by: User, template: RecordTemplate) -> None:
    if template.owner_id != by.pk:
        raise NotFound(_("No such template of yours."), code="template_not_found")
    template.delete()
