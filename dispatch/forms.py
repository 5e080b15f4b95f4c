import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline.core.choices import UnitLevel
from hotline.core.forms import BootstrapForm as CoreBootstrapForm
from hotline.core.forms import MultipleFileField, UnitField
from hotline.core.models import Unit
from intake.choices import Action, DemandType, RefusalReason, Urgency
from intake.forms import ArticleField, CategoryField, DemandFields, street_choices

from .choices import Complexity, EventKind, Light, ReturnReason, Status


class BootstrapForm(CoreBootstrapForm):
    """The compact forms of the order page's action panels."""

    control_size = "sm"


class QueueFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All open")), ("any", _("Any status"))] + Status.choices
    )
    leader_sign = forms.BooleanField(label=_("Waiting for the leader's signature (亲自签办)"), required=False)
    light = forms.ChoiceField(label=_("Light"), required=False, choices=[("", _("Any light"))] + Light.choices)
    category = CategoryField(label=_("Category"), required=False, max_length=120, leaves_only=False)
    # 承办单位: which unit of the reader's area holds the order (a district sees its streets' orders).
    unit = UnitField(label=_("Handling unit"), required=False, max_length=160)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # The dashboard's counts: the orders dispatched, replied or closed on a day.
    event = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(k, k) for k in (EventKind.DISPATCHED, EventKind.REPLIED, EventKind.CLOSED)],
        widget=forms.HiddenInput,
    )
    day = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if day is not None and not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("No orders on that day."), code="day_out_of_range")
        return day

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.attrs.update({"list": "queue-category-list", "placeholder": _("Name or code")})
        self.fields["unit"].widget.attrs.update({"list": "queue-unit-list", "placeholder": _("Name or code")})
        self.fields["q"].widget.attrs.update({"placeholder": _("Number or words"), "type": "search"})


class WhistleForm(BootstrapForm):
    """吹哨: the departments the lead unit needs — its district's, the city's, the enterprises, in groups —
    and why (they read it)."""

    per_order = True  # the order page builds it for its order (the units its lead unit can call)

    units = forms.MultipleChoiceField(
        label=_("Departments to call in"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    reason = forms.CharField(label=_("Why they are needed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order=None, **kwargs):
        from .whistles import callable_units

        super().__init__(*args, **kwargs)
        units = callable_units(order) if order is not None else []
        self._units = {u.code: u for u in units}
        groups: dict[str, list] = {}
        for unit in units:
            groups.setdefault(str(UnitLevel(unit.level).label), []).append((unit.code, unit.name))
        self.fields["units"].choices = list(groups.items())

    def clean_units(self):
        return [self._units[code] for code in self.cleaned_data["units"]]


class JointHandlingForm(BootstrapForm):
    """联合处置记录: when the lead unit and the departments met, who came, what was agreed."""

    met_at = forms.DateTimeField(
        label=_("Met at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attendees = forms.CharField(label=_("Who came"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    agreed = forms.CharField(label=_("What was agreed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(BootstrapForm):
    """退单 under 首接负责: always explained; with evidence when the catalogue names the unit."""

    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    note = forms.CharField(label=_("Why it is not ours"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the dispatch catalogue names your unit: a duty list, a document, an agreement."),
    )


class ExtensionForm(BootstrapForm):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LongPendingForm(BootstrapForm):
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_date = forms.DateField(label=_("Expected date"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=_("Message to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the citizen when the hotline approves; empty: a message from the plan and the date."),
    )


class HistoryForm(BootstrapForm):
    problem_since = forms.IntegerField(
        label=_("Problem since (year)"), required=False, min_value=1949, help_text=_("Empty: not an old problem.")
    )
    source = forms.CharField(label=_("What shows the year"), required=False, max_length=255)


class NoteForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredNoteForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(RequiredNoteForm):
    """进展: a note, with photos or files of the site if the handler has them."""

    attachments = MultipleFileField(label=_("Photos or files"), required=False)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class MeasuresForm(BootstrapForm):
    """督办单: what the unit did about it."""

    measures = forms.CharField(label=_("Measures taken"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class RedispatchForm(BootstrapForm):
    unit = UnitField(label=_("New unit"), widget=forms.TextInput(attrs={"list": "unit-list"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(BootstrapForm):
    # 智能派单: the category as the dispatcher confirms or corrects it (a suggestion button fills it in).
    category = CategoryField(label=_("Matter category"), required=False, max_length=120)
    used_suggestion = forms.BooleanField(required=False)
    main_unit = UnitField(label=pgettext_lazy("unit picker", "Lead unit"))
    assisting_units = forms.CharField(label=_("Assisting units (comma-separated)"), required=False)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)
    note = forms.CharField(label=_("Note"), required=False)

    def clean_assisting_units(self):
        """Each unit by code, "code name" or name, separated by commas (、 and ， too)."""
        text = self.cleaned_data["assisting_units"]
        parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").replace(";", ",").split(",")]
        field, units = UnitField(), []
        for part in filter(None, parts):
            unit = field.clean(part)  # a ValidationError names the part it could not place
            if unit not in units:
                units.append(unit)
        return units


class CallForm(DemandFields):
    """The agent's desk form (受理), in the order the agent works through a call: what intake records, and
    what becomes of it (answered, refused, merged into an open order, or routed)."""

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
    # The open order this call repeats (重复件), chosen in the duplicates panel; the service checks it is open.
    merge_into = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # 智能派单: the category was picked from the model's suggestions (set by intake.js; the acceptance record).
    suggestion_used = forms.BooleanField(required=False, widget=forms.HiddenInput)
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
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        live = "input changed delay:300ms, draft-restored from:body"
        self.fields["caller_phone"].widget.attrs.update(
            {
                "autofocus": True,
                "inputmode": "tel",
                "hx-post": reverse("dispatch:caller"),
                "hx-trigger": live,
                "hx-target": "#caller-history",
                "hx-sync": "this:replace",
            }
        )
        # Empty: the smart-dispatch model chooses when auto-dispatch allows it; otherwise the agent is asked.
        self.fields["category"].required = False
        self.fields["category"].widget.attrs.update(
            {"list": "category-list", "placeholder": _("Type a code or a name, or press F2 for the first suggestion")}
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


class CategoriseForm(BootstrapForm):
    """A dispatcher's category for imported history, or the correction of an automatic one."""

    category = CategoryField(label=_("Matter category"), max_length=120)
    used_suggestion = forms.BooleanField(required=False)


class CalendarForm(BootstrapForm):
    """节假日安排: a year and the State Council's notice as published (or one date per line, or a CSV file)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=_("The notice, or one day per line"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "placeholder": "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n二、春节：2月6日至13日放假调休，共8天。2月14日（周日）、2月20日（周六）上班。\n2027-05-01,holiday,劳动节",
            }
        ),
    )
    file = forms.FileField(label=_("Or a CSV file (date,holiday|workday,name)"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 200_000:
                self.add_error("file", _("The file is too large for a calendar (200 KB at most)."))
            else:
                try:
                    data["text"] = (data.get("text") or "") + "\n" + upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    self.add_error("file", _("The file is not UTF-8 text: save it as CSV (UTF-8)."))
        if not (data.get("text") or "").strip() and not self.errors:
            self.add_error("text", _("Paste the notice or the dates."))
        return data
