"""Intake (信息发现): citizen demands (诉求) as received by the hotline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import pii
from hotline.core.fields import EncryptedTextField
from hotline.core.models import StoredFile

from .choices import Channel, DemandType, Disposition, RefusalReason, SuggestionOutcome, SuggestionStage, Urgency


class Demand(models.Model):
    """A citizen's demand (诉求) as received: who, what, where, through which channel, and what became of
    the call (`disposition`). Intake records it and knows nothing of what handles it: dispatch turns it
    into work orders, or merges a repeated call into an open one (dispatch.Merge)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    demand_type = models.CharField(_("demand type"), max_length=16, choices=DemandType.choices)
    # Empty only for imported history whose old system gave none (smart dispatch classifies it later).
    category = models.ForeignKey(
        "core.Category", verbose_name=_("matter category"), null=True, blank=True, on_delete=models.PROTECT
    )
    # 自动分类: set by the smart-dispatch model above the auto-dispatch threshold, not by a person. Marked, so
    # that it can be corrected and is never learned from.
    category_auto = models.BooleanField(_("categorised automatically"), default=False, db_default=False)
    title = models.CharField(
        _("title"), max_length=200, blank=True, default="", db_default=""
    )  # the old system's, for imported history
    content = models.TextField(_("content"))
    # Personal information, encrypted at rest (hotline.core.pii); looked up by the phone's blind index.
    caller_name = EncryptedTextField(_("caller name"), blank=True, clear_max_length=64)
    caller_phone = EncryptedTextField(_("caller phone"), clear_max_length=32)  # normalised: see normalise_phone
    caller_phone_index = models.CharField(_("caller phone index"), max_length=32, blank=True, editable=False)
    confidential = models.BooleanField(_("confidential"), default=False)  # 保密: units never see identity
    # 历史遗留: the year the problem began, when it is an old one, with what shows it; it earns the unit
    # a bonus when resolved only once a dispatcher has verified the year against the source.
    problem_since = models.PositiveSmallIntegerField(_("problem since (year)"), null=True, blank=True)
    problem_since_source = models.CharField(_("source of the year"), max_length=255, blank=True)
    problem_since_verified_at = models.DateTimeField(_("year verified at"), null=True, blank=True)
    problem_since_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("year verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 群体性: other people the caller speaks for, recorded by the agent (each is one more complainant).
    co_complainants = models.PositiveSmallIntegerField(_("co-complainants"), default=0)
    address = models.CharField(_("address"), max_length=255, blank=True)
    street = models.ForeignKey(
        "core.Unit",
        verbose_name=_("street / township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "core.Unit", verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(_("photo or video"), max_length=500, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    # 派单时限: a demand waiting for a dispatcher must be dispatched by then.
    dispatch_due_at = models.DateTimeField(_("dispatch due at"), null=True, blank=True)
    # 直接答复: the knowledge-base article the agent read to the caller.
    answer_article = models.ForeignKey(
        "knowledge_base.Article",
        verbose_name=_("answered with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refusal_reason = models.CharField(_("refusal reason"), max_length=16, choices=RefusalReason.choices, blank=True)
    api_key = models.ForeignKey(
        "intake.ApiKey", verbose_name=_("API key"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Imported history (历史导入): "ext:<the old system's id>" or "fp:<fingerprint of time, text, phone>".
    import_key = models.CharField(_("import key"), max_length=80, blank=True, default="", db_default="", editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            # The dispatcher's queue: demands waiting for dispatch, oldest deadline first.
            models.Index(
                fields=["dispatch_due_at"],
                name="demand_pending_dispatch",
                condition=models.Q(disposition="pending_dispatch"),
            ),
            # Caller history (来电历史): every demand of a phone number, newest first.
            models.Index(fields=["caller_phone_index", "-received_at"], name="demand_caller_history"),
            # Duplicate detection: recent demands of a street and category.
            models.Index(fields=["street", "category", "-received_at"], name="demand_street_category"),
            # 智能派单: imported history still without a category (the dispatcher's list, the nightly
            # categorisation), and the demands the model categorised, for a person to check.
            models.Index(fields=["id"], name="demand_uncategorised", condition=models.Q(category__isnull=True)),
            models.Index(fields=["-received_at"], name="demand_category_auto", condition=models.Q(category_auto=True)),
        ]
        constraints = [
            # Imported history comes in once: `import_key` is the old system's id or the row's fingerprint.
            models.UniqueConstraint(
                fields=["import_key"], condition=models.Q(import_key__gt=""), name="demand_import_once"
            ),
            # Only history may lack a category; what the hotline receives is always classified.
            models.CheckConstraint(
                condition=models.Q(category__isnull=False) | models.Q(disposition="imported"),
                name="demand_category_unless_imported",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.caller_phone_index = pii.blind_index(self.caller_phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "caller_phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "caller_phone_index"}
        super().save(*args, **kwargs)

    @staticmethod
    def phone_lookup(phone: str) -> dict:
        """The filter for a normalised phone number: by its blind index, never by the ciphertext."""
        return {"caller_phone_index": pii.blind_index(phone)}


class DailyCounter(models.Model):
    """The last number handed out on a day, for sequential per-day numbers (2026112300001)."""

    scope = models.CharField(max_length=16)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="daily_counter_unique")]


class Place(models.Model):
    """A gazetteer entry (地名): a landmark, community, road or area and the street/township it lies
    in, used to resolve free-text addresses. Admins extend it; street and district names come from
    the organisation tree and need no entry."""

    class Kind(models.TextChoices):
        LANDMARK = "landmark", _("Landmark")
        COMMUNITY = "community", _("Residential community")
        ROAD = "road", _("Road")
        AREA = "area", _("Area")

    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LANDMARK)
    street = models.ForeignKey(
        "core.Unit", verbose_name=_("street / township"), on_delete=models.CASCADE, limit_choices_to={"level": "street"}
    )
    aliases = models.CharField(_("aliases"), max_length=255, blank=True, help_text=_("Other spellings, separated by |"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gazetteer place")
        verbose_name_plural = _("gazetteer places")

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *(a.strip() for a in self.aliases.split("|") if a.strip())]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.street_id and self.street.level != "street":
            raise ValidationError({"street": _("A place lies in a street or township.")})


class ApiKey(models.Model):
    """A partner channel's key for Open311 (app, WeChat, Weibo, enterprise line). Only a hash is
    stored; the key is shown once when issued."""

    name = models.CharField(_("name"), max_length=64)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` per client: the request's fingerprint and the demand it created, so a
    retried or double-clicked submission returns the first result instead of a second demand."""

    scope = models.CharField(max_length=64)  # "user:<id>", "key:<id>" or "portal:<session>"
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    demand = models.ForeignKey(Demand, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique")]


class RevealLog(models.Model):
    """Every time a caller's full phone number or name was shown (个人信息查看记录)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("reveal of a caller's identity")
        verbose_name_plural = _("reveals of callers' identity")


class OutgoingMessage(models.Model):
    """A text message to the caller of a demand (the evaluation link, a 挂账 notice). No SMS gateway is
    connected: the message is recorded here, which is what a gateway would send."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+")
    phone = EncryptedTextField(clear_max_length=32)  # personal information: encrypted at rest
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]


class ClassifierModel(models.Model):
    """A version of the smart-dispatch model (智能派单, intake.classifier): its training window and size, its
    accuracy measured on the held-out slice (the newest tenth of the window), and the stored file. One
    version is active: chosen by an admin, or automatically when a new one beats it on the new held-out slice."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    since = models.DateField(_("history from"), null=True, blank=True)
    until = models.DateField(_("history until"), null=True, blank=True)
    demands = models.PositiveIntegerField(_("demands learned from"))
    knowledge_texts = models.PositiveIntegerField(_("knowledge-base texts"), default=0)
    held_out = models.PositiveIntegerField(_("held-out demands"))
    top1 = models.FloatField(_("top-1 accuracy"))
    top3 = models.FloatField(_("top-3 accuracy"))
    # The active version's top-1 on this version's held-out slice when this one was trained (None: there was none).
    incumbent_top1 = models.FloatField(_("active version's top-1 on the same slice"), null=True, blank=True)
    metrics = models.JSONField(_("measurements"), default=dict)  # intake.classifier.evaluate
    seconds = models.FloatField(_("training time (s)"))
    file = models.FileField(_("file"), upload_to="classifier/", max_length=200)
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None with activated_at: activated automatically
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class AutoDispatchPolicy(models.Model):
    """Whether demands that arrive without a category are categorised (and so routed) by the model without a
    person (自动分类派单), and the precision the admin demands: the confidence threshold is the lowest one at
    which the active version's measured precision reaches it. One row; its history is kept."""

    enabled = models.BooleanField(_("categorise automatically"), default=False)
    precision = models.DecimalField(
        _("required precision"),
        max_digits=4,
        decimal_places=3,
        default=0.95,
        help_text=_("The share of automatic categories that must be right on the held-out slice (0.5 to 0.999)."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("auto-dispatch policy")
        verbose_name_plural = _("auto-dispatch policy")


class CategorySuggestion(models.Model):
    """One decision the model's suggestions met: what it suggested for a demand (the top three with their
    confidence), what was chosen, by whom and where. These rows are the acceptance rate operators read, and
    the record of every automatic category and its correction."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="category_suggestions")
    model = models.ForeignKey(ClassifierModel, null=True, on_delete=models.SET_NULL, related_name="+")
    stage = models.CharField(_("where"), max_length=16, choices=SuggestionStage.choices)
    suggested = models.JSONField(_("suggested"), default=list)  # [[code, confidence], …] best first
    chosen = models.ForeignKey("core.Category", verbose_name=_("chosen"), on_delete=models.PROTECT, related_name="+")
    previous = models.ForeignKey(
        "core.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the category before a dispatcher's correction
    rank = models.PositiveSmallIntegerField(_("rank of the chosen category"), null=True, blank=True)  # 1–3
    outcome = models.CharField(_("outcome"), max_length=16, choices=SuggestionOutcome.choices)
    used = models.BooleanField(_("picked from the suggestions"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")


def demand_upload_to(instance, filename: str) -> str:
    from hotline.core.uploads import random_name

    return random_name(f"demands/{instance.uploaded_at:%Y-%m}", filename)


class DemandAttachment(StoredFile):
    """A photo the citizen sent with their demand (the portal): shrunk and stripped of its metadata, kept
    under a random name, shown only to those who may see the demand."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=demand_upload_to, max_length=255)

    class Meta(StoredFile.Meta):
        verbose_name = _("demand photo")
        verbose_name_plural = _("demand photos")


class RecordTemplate(models.Model):
    """受理模板: how a common call is written down — the agent picks one on the desk, it fills the content,
    and the agent completes the 【…】 blanks. The hotline's (no owner, kept in the admin) or an agent's
    own (kept on their templates page); for a matter category's branch, or any."""

    TITLE_MAX, TEXT_MAX = 80, 2000

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"))
    category = models.ForeignKey(
        "core.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the hotline's, offered to every agent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("recording template")
        verbose_name_plural = _("recording templates")
        indexes = [models.Index(fields=["owner", "title"], name="record_template_owner")]

    def __str__(self) -> str:
        return self.title
