"""The shared core: the organisation tree (承办单位), users and roles, matter categories (问题分类)
and the statutory working-day calendar (法定节假日 / 调休)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import CalendarDayKind, LivelihoodTag, NotificationKind, Role, UnitLevel, text_of
from .fields import EncryptedTextField

PATH_SEPARATOR = "/"


class Unit(models.Model):
    """A node of the organisation tree: the hotline center, a city department, an enterprise, a
    district (its 12345 sub-center, 区分中心), a district department, a street/township or a community.

    `path` is a materialised path of unit codes (`/12345/110105/110105001/`): a subtree is one
    indexed prefix query, which every visibility selector uses."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=24, choices=UnitLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # unique=True also gives PostgreSQL a varchar_pattern_ops index, which serves the prefix (LIKE 'x%') query.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    # Resident population (7th census, 2020) of a district, for volume per 10,000 residents.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """Keeps the whole subtree's paths true: when the unit's parent or code changes (a street moved to
        another district), every descendant's path is rewritten in the same transaction, in one
        statement — a stale descendant path would make every subtree filter wrong. Use
        hotline.core.services.unit_move to move a unit (it checks the actor)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"parent", "parent_id", "code"} & set(update_fields):
            return super().save(*args, **kwargs)
        self.path = self.compute_path()
        old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first() if self.pk else None
        if old_path and self.path.startswith(old_path) and self.path != old_path:
            raise ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "path"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1), output_field=models.CharField())
                )

    def clean(self):
        super().clean()
        old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first() if self.pk else None
        if old_path and self.parent_id and self.parent.path.startswith(old_path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or one of its own units.")})

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else PATH_SEPARATOR
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def is_within(self, other: "Unit") -> bool:
        """True when this unit is `other` or lies in its subtree."""
        return self.path.startswith(other.path)

    @property
    def district(self) -> "Unit | None":
        """The district this unit belongs to (itself for a district), or None for city-level units."""
        node = self
        while node is not None and node.level != UnitLevel.DISTRICT:
            node = node.parent
        return node


class User(AbstractUser):
    """A person using the platform. Belongs to one unit and sees that unit's subtree only."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.HANDLER)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    # Where text messages reach the person (a unit's leader is told by text when an order goes red):
    # personal information, encrypted at rest like callers' numbers.
    phone = EncryptedTextField(_("mobile phone"), blank=True, clear_max_length=32)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # A login stamps last_login; that is no change of the account's configuration (simple-history
        # skips a save while the instance has this attribute, whatever its value).
        if set(kwargs.get("update_fields") or ()) != {"last_login"}:
            return super().save(*args, **kwargs)
        self.skip_history_when_saving = True
        try:
            return super().save(*args, **kwargs)
        finally:
            del self.skip_history_when_saving


class Category(models.Model):
    """A matter category (问题分类) of the three-level tree, e.g. 城市管理 → 市容环境 → 占道经营."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # 媒体敏感: demands in this category (or below it) are key cases of the daily report.
    media_sensitive = models.BooleanField(_("media-sensitive"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter category")
        verbose_name_plural = _("matter categories")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="category_level_1_to_3")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.level = self.parent.level + 1 if self.parent_id else 1
        super().save(*args, **kwargs)

    def livelihood_tags(self) -> set[str]:
        """Its 七有五性 tags and those of its ancestors (a tag on 住房 covers every housing matter)."""
        tags, node = set(), self
        while node is not None:
            tags.update(node.tags.values_list("tag", flat=True))
            node = node.parent
        return tags

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " → ".join(reversed(names))


class CalendarYear(models.Model):
    """A year whose statutory calendar has been loaded. Years missing here fall back to Mon–Fri."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a public holiday (法定节假日) or a make-up workday
    (调休上班). Days not listed follow Monday–Friday."""

    # Configuration history (django-simple-history): who changed what, when.
    history = HistoricalRecords()

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class ReferenceStamp(models.Model):
    """One row whose stamp changes (a fresh random value, in the same transaction) whenever reference
    data change: units, categories, the calendar, the dispatch catalogue, time-limit policies. Each
    process keeps those in memory (hotline.core.reference) and reloads them when the stamp differs."""

    stamp = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("reference data stamp")


class CategoryTag(models.Model):
    """A 七有五性 tag of a matter category (and so of everything below it), by which reports and rankings
    are sliced."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("七有五性"), max_length=8, choices=LivelihoodTag.choices)

    class Meta:
        ordering = ["category", "tag"]
        verbose_name = _("七有五性 tag")
        verbose_name_plural = _("七有五性 tags")
        constraints = [models.UniqueConstraint(fields=["category", "tag"], name="category_tag_unique")]

    def __str__(self) -> str:
        return f"{self.category.code} {self.tag}"


class Notification(models.Model):
    """An item of a staff user's inbox (通知): what happened and where to look. Written in the same
    transaction as the event that causes it, once per (user, key); the outgoing channels (text message,
    e-mail) send a copy after the commit (hotline.core.notify). The text is rendered in the reader's
    language from `kind` and `data`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    data = models.JSONField(default=dict, blank=True)  # the figures the text names (numbers, dates, units)
    url = models.CharField(_("link"), max_length=300, blank=True)  # the page of the object it is about
    key = models.CharField(max_length=160)  # what it is about: a user is told of one thing once
    at = models.DateTimeField(_("at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [
            # The inbox, newest first; and the unread count in every page's navigation.
            models.Index(fields=["user", "-at"], name="notification_inbox"),
            models.Index(fields=["user"], name="notification_unread", condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.key}"

    @property
    def text(self) -> str:
        return text_of(self.kind, self.data)


class OutboundMessage(models.Model):
    """A copy of a notification sent by an outgoing channel (text message, e-mail). The default channel
    sends nothing: it records here (and in the log) what a gateway would send, for demos and tests."""

    channel = models.CharField(max_length=32)
    notification = models.ForeignKey(Notification, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    address = EncryptedTextField(blank=True, clear_max_length=254)  # a phone number or an e-mail address
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]


class StreetAssignment(models.Model):
    """包点: the supervisor who answers for a street or township — one per street, so every street has a
    named person above it (the first seed's 领导包点: each leader takes streets of their own). The
    supervisor's page puts their streets' red lights, 督办单 and 批示 first, and the street's alarms reach
    them by name. A city supervisor may take any street; a district's supervisor only the district's."""

    history = HistoricalRecords()

    street = models.OneToOneField(
        Unit,
        verbose_name=_("street / township"),
        on_delete=models.CASCADE,
        related_name="assignment",
        limit_choices_to={"level": UnitLevel.STREET},
    )
    supervisor = models.ForeignKey(
        User,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="assigned_streets",
        limit_choices_to={"role": Role.SUPERVISOR},
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now=True)

    class Meta:
        ordering = ["street__path"]
        verbose_name = _("包点 assignment")
        verbose_name_plural = _("包点 assignments")

    def __str__(self) -> str:
        return f"{self.street} → {self.supervisor}"

    def clean(self):
        errors = {}
        if self.street_id and self.street.level != UnitLevel.STREET:
            errors["street"] = _("Only a street or township can be assigned to a supervisor.")
        if self.supervisor_id:
            supervisor = self.supervisor
            if supervisor.role != Role.SUPERVISOR or not supervisor.is_active:
                errors["supervisor"] = _("Only an active supervisor can take streets.")
            elif self.street_id and not (
                supervisor.unit is not None and self.street.path.startswith(supervisor.unit.path)
            ):
                errors["supervisor"] = _("%(name)s supervises %(unit)s; %(street)s is outside it.") % {
                    "name": supervisor,
                    "unit": supervisor.unit or "—",
                    "street": self.street,
                }
        if errors:
            raise ValidationError(errors)


class StoredFile(models.Model):
    """What every kept upload records beside its file (an order's or a demand's): its name as the person
    knew it, type, size and when it came (hotline.core.uploads.described fills them)."""

    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """A photo: shown as a thumbnail where it is listed."""
        from .uploads import is_image

        return is_image(self.name)
