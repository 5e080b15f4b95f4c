"""Browser forms of the assessment: an appeal (申诉) with its reason, what it asks for and its files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.choices import Resolution, Satisfaction
from hotline.core.choices import UnitLevel
from hotline.core.forms import BootstrapForm, MultipleFileField
from hotline.core.models import Unit

from .models import AppealOutcome, AppealReason


class AppealForm(BootstrapForm):
    reason_kind = forms.ChoiceField(label=_("Reason"), choices=AppealReason.choices)
    reason = forms.CharField(label=_("Explain"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("Evidence (what the files show, a call recording's time…)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.ChoiceField(label=_("Ask for"), choices=AppealOutcome.choices, initial=AppealOutcome.DROP)
    corrected_contacted = forms.NullBooleanField(
        label=_("Contacted (corrected)"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    corrected_resolution = forms.ChoiceField(
        label=_("Resolved (corrected)"), required=False, choices=[("", "—"), *Resolution.choices]
    )
    corrected_satisfaction = forms.ChoiceField(
        label=_("Satisfied (corrected)"), required=False, choices=[("", "—"), *Satisfaction.choices]
    )
    reattribute_to = forms.ModelChoiceField(
        label=_("Should count for"),
        required=False,
        queryset=Unit.objects.filter(
            level__in=[
                UnitLevel.STREET,
                UnitLevel.DISTRICT_DEPARTMENT,
                UnitLevel.DEPARTMENT,
                UnitLevel.ENTERPRISE,
                UnitLevel.DISTRICT,
            ],
            is_active=True,
        ).order_by("code"),
    )
    files = MultipleFileField(label=_("Files (up to 5, 10 MB each)"), required=False)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["reattribute_to"].queryset = self.fields["reattribute_to"].queryset.exclude(pk=unit.pk)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == AppealOutcome.CORRECT and (
            data.get("corrected_contacted") is None
            or not data.get("corrected_resolution")
            or not data.get("corrected_satisfaction")
        ):
            self.add_error("corrected_resolution", _("Give the three answers that should have been recorded."))
        if data.get("outcome") == AppealOutcome.REATTRIBUTE and not data.get("reattribute_to"):
            self.add_error("reattribute_to", _("Choose the unit the order should count for."))
        return data


class InstructionAnswerForm(BootstrapForm):
    response = forms.CharField(label=_("What the unit did"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class InstructionRelayForm(BootstrapForm):
    """Relay a 批示 down (层级互动): to a unit below the one addressed, with its own due date."""

    unit = forms.ChoiceField(label=_("Relay to"))
    due_at = forms.DateTimeField(
        label=_("Due by"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: a day before the 批示 above is due."),
    )
    text = forms.CharField(
        label=_("Instruction"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the 批示 as it came."),
    )

    def __init__(self, *args, instruction=None, **kwargs):
        super().__init__(*args, **kwargs)
        below = (
            Unit.objects.filter(path__startswith=instruction.unit.path, is_active=True)
            .exclude(pk=instruction.unit_id)
            .order_by("level", "code")
            .only("code", "name", "level")
            if instruction is not None
            else []
        )
        groups: dict[str, list] = {}
        for unit in below:
            groups.setdefault(str(UnitLevel(unit.level).label), []).append((unit.code, unit.name))
        self.fields["unit"].choices = [("", "—"), *groups.items()]


class InstructionReturnForm(BootstrapForm):
    comment = forms.CharField(
        label=_("What the answer lacks"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class InstructionCloseForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RectificationForm(BootstrapForm):
    plan = forms.CharField(
        label=_("Plan (整改方案): what changes, by when, who answers for it"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class RectificationReviewForm(BootstrapForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("return", _("Return: the unit submits again"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class GuidancePlanForm(BootstrapForm):
    plan = forms.CharField(label=_("Plan"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class GuidanceVisitForm(BootstrapForm):
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("What was found and agreed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
