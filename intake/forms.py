"""Forms of intake: the agent's call form and the citizen portal's forms."""

from __future__ import annotations

import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dispatch.choices import UNREPLIED_STATUSES
from dispatch.models import WorkOrder
from hotline.core.choices import UnitLevel
from hotline.core.exceptions import InvalidInput
from hotline.core.forms import BootstrapForm
from hotline.core.models import Category, Unit
from knowledge_base.search import searchable

from .choices import Action, DemandType, RefusalReason, Urgency
from .services import check_phone, normalise_phone

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
}


class CategoryField(forms.CharField):
    """Type-ahead over the three-level tree: the input holds "010101 占道经营" (from the datalist),
    or just the code, or a name that only one category has."""

    default_error_messages = {"unknown": _("Choose a matter category from the list.")}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        token = value.split()[0]
        active = Category.objects.filter(is_active=True, level=3)
        category = active.filter(code=token).first()
        if category is None:
            by_name = list(active.filter(name=value.strip())[:2])
            category = by_name[0] if len(by_name) == 1 else None
        if category is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return category


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

    def clean_caller_phone(self):
        try:
            return check_phone(self.cleaned_data["caller_phone"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None


class CallForm(DemandFields):
    """The agent's call form, in the order the agent works through a call."""

    confidential = forms.BooleanField(label=_("Confidential (保密)"), required=False)
    demand_type = forms.ChoiceField(label=_("Demand type"), choices=DemandType.choices, initial=DemandType.COMPLAINT)
    street = forms.ChoiceField(label=_("Street / township"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    answer_article = ArticleField(label=_("Answered with article"), required=False, max_length=220)
    refusal_reason = forms.ChoiceField(
        label=_("Refusal or transfer"), required=False, choices=[("", "—"), *RefusalReason.choices]
    )
    co_complainants = forms.IntegerField(
        label=_("Co-complainants (群体性)"),
        required=False,
        min_value=0,
        max_value=9999,
        initial=0,
        help_text=_("Other people the caller speaks for, who are not calling themselves."),
    )
    problem_since = forms.IntegerField(
        label=_("Problem since (历史遗留, year)"),
        required=False,
        min_value=1949,
        help_text=_("Only for an old problem; a dispatcher verifies the year against its source."),
    )
    problem_since_source = forms.CharField(label=_("What shows the year"), required=False, max_length=255)
    merge_into = forms.ModelChoiceField(
        required=False,
        queryset=WorkOrder.objects.filter(role="main", status__in=UNREPLIED_STATUSES),
        widget=forms.HiddenInput,
    )
    # A street the agent picked by hand: kept when the address is edited again.
    street_chosen = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the submit button pressed (Enter and Ctrl+Enter press the first one: dispatch).
    action = forms.ChoiceField(choices=Action.choices, required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)

    field_order = [
        "caller_phone",
        "caller_name",
        "confidential",
        "demand_type",
        "category",
        "content",
        "address",
        "street",
        "urgency",
        "answer_article",
        "refusal_reason",
        "co_complainants",
        "problem_since",
        "problem_since_source",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices()
        self.fields["merge_into"].error_messages["invalid_choice"] = _(
            "That order is no longer open: dispatch this call instead."
        )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        live = "input changed delay:300ms, draft-restored from:body"
        self.fields["caller_phone"].widget.attrs.update(
            {
                "autofocus": True,
                "inputmode": "tel",
                "hx-post": reverse("intake:caller"),
                "hx-trigger": live,
                "hx-target": "#caller-history",
                "hx-sync": "this:replace",
            }
        )
        self.fields["category"].widget.attrs.update(
            {"list": "category-list", "placeholder": _("Type a code or a name")}
        )
        self.fields["answer_article"].widget.attrs.update(
            {"list": "article-list", "placeholder": _("Type a title or a number")}
        )
        self.fields["address"].widget.attrs.update(
            {
                "hx-post": reverse("intake:street"),
                "hx-trigger": live.replace("300", "500"),
                "hx-target": "#street-slot",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "hx-include": "[name=street_chosen]",
            }
        )

    def clean_street(self):
        code = self.cleaned_data.get("street")
        return Unit.objects.filter(code=code, level=UnitLevel.STREET).first() if code else None

    def clean(self):
        data = super().clean()
        action = data["action"] = data.get("action") or Action.ROUTE
        if action == Action.MERGE and not data.get("merge_into"):
            self.add_error(None, _("Choose the open order this call repeats."))
        if action == Action.REFUSE and not data.get("refusal_reason"):
            self.add_error("refusal_reason", _("Choose why the demand is refused or where it is transferred."))
        if data.get("problem_since") and not (data.get("problem_since_source") or "").strip():
            self.add_error("problem_since_source", _("Say what shows the year the problem began."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "demand_type": data["demand_type"],
            "category": data["category"],
            "content": data["content"],
            "caller_phone": data["caller_phone"],
            "caller_name": data["caller_name"],
            "confidential": data["confidential"],
            "address": data["address"],
            "street": data["street"],
            "urgency": data["urgency"],
            "action": data["action"],
            "answer_article": data["answer_article"] if data["action"] == Action.ANSWER else None,
            "merge_into": data["merge_into"] if data["action"] == Action.MERGE else None,
            "refusal_reason": data["refusal_reason"] if data["action"] == Action.REFUSE else "",
            "co_complainants": data.get("co_complainants") or 0,
            "problem_since": data.get("problem_since"),
            "problem_since_source": data.get("problem_since_source") or "",
        }


class PortalForm(DemandFields):
    """The citizen's own submission (网站): no login; the hotline routes it like a call."""

    demand_type = forms.ChoiceField(label=_("Demand type"), choices=DemandType.choices, initial=DemandType.COMPLAINT)
    idempotency_key = forms.CharField(max_length=128, widget=forms.HiddenInput)
    field_order = ["demand_type", "category", "content", "address", "caller_name", "caller_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caller_phone"].label = _("Your phone number")
        self.fields["caller_phone"].help_text = _("We call you back about the result. It is never shown publicly.")
        self.fields["caller_name"].label = _("Your name")
        self.fields["address"].required = True
        self.fields["address"].help_text = _("As precise as you can: district, street, community, building.")
        self.fields["category"].widget.attrs.update(
            {"list": "category-list", "placeholder": _("Type a code or a name")}
        )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class StatusLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Demand number"), max_length=20, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    phone = forms.CharField(
        label=_("The phone number you gave"), max_length=32, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])
