from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.forms import UnitCodeField
from hotline.core.forms import BootstrapForm
from hotline.core.models import Unit, User

from .models import Consultation


class ApproveForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class DismissForm(BootstrapForm):
    reason = forms.CharField(label=_("Why it is dismissed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(BootstrapForm):
    """Setting an approved topic to work: who leads it, who answers for it, the plan."""

    owner = UnitCodeField(label=_("Lead unit (code)"), widget=forms.TextInput(attrs={"list": "topic-units"}))
    leader = forms.CharField(label=_("Responsible leader (username)"), required=False, max_length=150)
    title = forms.CharField(label=_("Title (clearer, if needed)"), required=False, max_length=200)
    plan = forms.CharField(label=_("Plan"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))

    def clean_leader(self):
        username = self.cleaned_data["leader"].strip()
        if not username:
            return None
        leader = User.objects.filter(username=username, is_active=True).first()
        if leader is None:
            raise forms.ValidationError(_("No active user is called %(name)s.") % {"name": username})
        return leader


class MilestoneForm(BootstrapForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_at = forms.DateTimeField(
        label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class ConsultationForm(BootstrapForm):
    """A street's 民主协商 / 联席会商 (the streets offered: those of the recorder's area)."""

    street = forms.ChoiceField(label=_("Street / township"))
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Consultation.Kind.choices)
    convenor = forms.CharField(label=_("Convened by"), max_length=100)
    participants = forms.CharField(label=_("Participants"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    parties = forms.MultipleChoiceField(
        label=_("Taking part"), choices=Consultation.Party.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    issues = forms.CharField(label=_("Issues raised"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=_("Decisions"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    orders = forms.CharField(
        label=_("Work orders it was about (numbers, comma-separated)"), required=False, max_length=2000
    )

    def __init__(self, *args, streets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [(s.code, s.name) for s in streets]

    def clean_orders(self):
        return [n.strip() for n in self.cleaned_data["orders"].replace("，", ",").split(",") if n.strip()]

    def service_kwargs(self) -> dict:
        """The cleaned form as governance.services.consultation_record takes it."""
        data = dict(self.cleaned_data)
        data["unit"] = Unit.objects.get(code=data.pop("street"))
        data["order_numbers"] = data.pop("orders")
        return data
