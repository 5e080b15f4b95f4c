"""Forms of intake: what every channel asks (the caller, the matter, the place), the street field, and the
citizen portal's forms. The agent's desk form, which also merges and routes, is dispatch's (CallForm)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput
from hotline.core.forms import BootstrapForm, MultipleFileField, PickerField
from hotline.core.geo import district_at
from hotline.core.models import Unit
from hotline.core.selectors import categories_to_pick
from knowledge_base.search import searchable

from .choices import DemandType
from .geo import resolve
from .services import check_phone, normalise_phone, phone_kind

# Service error codes → the field the agent must fix (the rest show above the form).
ERROR_FIELDS = {
    "invalid_phone": "caller_phone",
    "content_required": "content",
    "answer_requires_consultation": "demand_type",
    "refusal_reason_required": "refusal_reason",
    "invalid_street": "street",
    "invalid_co_complainants": "co_complainants",
    "invalid_problem_since": "problem_since",
    "problem_since_source_required": "problem_since_source",
    "category_required": "category",
    "invalid_category": "category",
    "merge_target_closed": None,
    "merge_target_unknown": None,
}


class CategoryField(PickerField):
    """Type-ahead over the three-level tree: the input holds "010101 占道经营" (from the datalist), or
    the code, a path, a name, or a part of a name only one category has. `leaves_only=False` (a filter)
    takes a whole branch too."""

    default_error_messages = {
        "unknown": _("No matter category matches “%(text)s”: type a name or a code and choose from the list."),
        "ambiguous": _("“%(text)s” could be %(names)s: choose one from the list."),
    }

    def __init__(self, *args, leaves_only: bool = True, **kwargs):
        self.leaves_only = leaves_only
        super().__init__(*args, **kwargs)

    def queryset(self):
        return categories_to_pick(leaves_only=self.leaves_only)

    def label_of(self, row) -> str:
        return f"{row.name} ({row.code})"


class ArticleField(forms.CharField):
    """The knowledge-base article read to the caller: "123 标题" from the type-ahead list (the most
    used articles), or an article number. The full search panel comes with the knowledge base."""

    default_error_messages = {"unknown": _("No published article has this number.")}

    def clean(self, value):
        value = super().clean(value)
        token = value.split()[0] if value else ""
        if not token:
            return None
        # Only what agents may find: published and valid today.
        article = searchable().filter(pk=token).first() if token.isdecimal() else None
        if article is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return article


ARTICLE_SUGGESTIONS = 200


def article_suggestions():
    return searchable().order_by("-answered_count", "title")[:ARTICLE_SUGGESTIONS]


def street_choices():
    """Streets grouped by district, for the agent to correct the resolved one."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for street in Unit.objects.filter(level=UnitLevel.STREET, is_active=True).select_related("parent").order_by("code"):
        groups.setdefault(street.parent.name, []).append((street.code, street.name))
    return [("", _("— not resolved: the dispatcher decides —")), *groups.items()]


class DemandFields(BootstrapForm):
    """What every channel asks: the caller, the matter, the place."""

    caller_phone = forms.CharField(label=_("Caller phone"), max_length=32)
    caller_name = forms.CharField(label=_("Caller name"), max_length=64, required=False)
    category = CategoryField(label=_("Matter category"), max_length=120)
    content = forms.CharField(label=_("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)

    # A number that is neither a Chinese mobile nor a landline with its area code is asked about once:
    # a typo is caught, and a real unusual number (an extension, a number abroad) goes through.
    phone_confirmed = forms.BooleanField(label=_("The number is right as typed"), required=False)

    def clean_caller_phone(self):
        try:
            phone = check_phone(self.cleaned_data["caller_phone"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None
        if phone_kind(phone) == "other" and not self.data.get(self.add_prefix("phone_confirmed")):
            self.ask_phone_confirmation = True
            raise forms.ValidationError(
                _(
                    "This is not a mobile number (11 digits starting with 13–19) nor a landline with its area "
                    "code (such as 010 6512 3456). Check it; if it is right, tick “The number is right as typed”."
                ),
                code="unusual_phone",
            )
        return phone


class StreetForm(BootstrapForm):
    """The street the address resolved to, correctable by the agent (地址解析): the live field of the desk."""

    street = forms.ChoiceField(label=_("Street / township"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices()

    def clean_street(self):
        code = self.cleaned_data.get("street")
        return Unit.objects.filter(code=code, level=UnitLevel.STREET).first() if code else None


class PortalForm(DemandFields):
    """The citizen's own submission (网站): no login; the hotline routes it like a call."""

    demand_type = forms.ChoiceField(label=_("Demand type"), choices=DemandType.choices, initial=DemandType.COMPLAINT)
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)
    field_order = ["demand_type", "common", "category", "content", "address", "photos", "caller_name", "caller_phone"]

    photos = MultipleFileField(label=_("Photos (up to 3)"), required=False)
    # 常见事项: a citizen picks the matter from a short list, or types it, or leaves it to the hotline.
    common = forms.ChoiceField(label=_("What is it about?"), required=False, widget=forms.RadioSelect)
    # 地图定位: an optional pin on the map (static/js/pin.js fills these); it must lie in Beijing and agree
    # with the district the address names.
    lat = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    long = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, offered=(), **kwargs):
        """`offered`: categories to offer beside the common ones ("is it one of these?", the model's
        suggestions when the hotline could not tell the matter from the words)."""
        super().__init__(*args, **kwargs)
        from .selectors import common_categories

        offered = [*offered, *(c for c in common_categories() if c not in offered)]
        self.fields["common"].choices = [(c.code, c.name) for c in offered] + [("", _("Something else"))]
        # A matter offered on the page before this one ("is it one of these?") is still a matter: any active one.
        picked = self.data.get(self.add_prefix("common"), "") if self.is_bound else ""
        if picked and picked not in dict(self.fields["common"].choices):
            category = categories_to_pick().filter(code=picked).first()
            if category is not None:
                self.fields["common"].choices.insert(0, (category.code, category.name))
        self.fields["common"].widget.attrs["class"] = "btn-check"
        self.fields["category"].required = False
        self.fields["category"].label = _("Something else: type the matter")
        self.fields["caller_phone"].label = _("Your phone number")
        self.fields["caller_phone"].help_text = _("We call you back about the result. It is never shown publicly.")
        self.fields["caller_name"].label = _("Your name")
        self.fields["address"].required = True
        self.fields["address"].help_text = _("As precise as you can: district, street, community, building.")
        self.fields["category"].widget.attrs.update(
            {"list": "category-list", "placeholder": _("For example: 占道经营, 路灯不亮 — or leave it to us")}
        )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean(self):
        data = super().clean()
        common = data.get("common")
        if common and not data.get("category"):
            data["category"] = categories_to_pick().filter(code=common).first()
        self._check_pin(data)
        return data

    def _check_pin(self, data) -> None:
        lat, long = data.get("lat"), data.get("long")
        if "lat" in self.errors or "long" in self.errors:
            self.errors.pop("long", None)
            self.errors["lat"] = self.error_class([_("The pin could not be read: place it again, or remove it.")])
            return
        if (lat is None) != (long is None):
            self.add_error("lat", _("The pin could not be read: place it again, or remove it."))
            return
        if lat is None:
            return
        shape = district_at(lat, long)
        if shape is None:
            self.add_error("lat", _("The pin is outside Beijing: move it onto the city, or remove it."))
            return
        named = resolve(data["address"]).district if data.get("address") else None
        if named is not None and named.code != shape.code:
            self.add_error(
                "lat",
                _("The pin lies in %(pin)s but the address names %(named)s: move the pin or correct the address.")
                % {"pin": shape.name, "named": named.name},
            )


class StatusLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Demand number"), max_length=20, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    phone = forms.CharField(
        label=_("The phone number you gave"), max_length=32, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class RecordTemplateForm(BootstrapForm):
    """An agent's own 受理模板: a title, the text with 【…】 blanks to complete, the matter it is for (or any)."""

    title = forms.CharField(label=_("Title"), max_length=80)
    category = CategoryField(label=_("For the matter (optional)"), max_length=120, required=False, leaves_only=False)
    text = forms.CharField(
        label=_("Text"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Put what the agent completes for each call in 【】, e.g. 【地点】: picking the template selects it."
        ),
    )
