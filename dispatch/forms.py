from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.forms import BootstrapForm as CoreBootstrapForm
from hotline.core.models import Unit

from .choices import Complexity, Light, ReturnReason, Status


class BootstrapForm(CoreBootstrapForm):
    """The compact forms of the order page's action panels."""

    control_size = "sm"


class QueueFilterForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All open"))] + Status.choices)
    light = forms.ChoiceField(label=_("Light"), required=False, choices=[("", _("Any light"))] + Light.choices)
    category = forms.CharField(label=_("Category code"), required=False, max_length=16)


class ReturnForm(BootstrapForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    note = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


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


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class UnitCodeField(forms.CharField):
    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        unit = Unit.objects.filter(code=code.strip(), is_active=True).first()
        if unit is None:
            raise forms.ValidationError(_("No unit has the code %(code)s.") % {"code": code})
        return unit


class RedispatchForm(BootstrapForm):
    unit = UnitCodeField(label=_("New unit (code)"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(BootstrapForm):
    main_unit = UnitCodeField(label=_("Lead unit (code)"))
    assisting_units = forms.CharField(label=_("Assisting units (codes, comma-separated)"), required=False)
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)
    note = forms.CharField(label=_("Note"), required=False)

    def clean_assisting_units(self):
        codes = [c.strip() for c in self.cleaned_data["assisting_units"].replace("，", ",").split(",") if c.strip()]
        units = list(Unit.objects.filter(code__in=codes, is_active=True))
        missing = set(codes) - {u.code for u in units}
        if missing:
            raise forms.ValidationError(_("Unknown unit codes: %(codes)s") % {"codes": ", ".join(sorted(missing))})
        return units
