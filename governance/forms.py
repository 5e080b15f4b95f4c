from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline.core.forms import BootstrapForm, MultipleFileField, UnitField
from hotline.core.models import Unit, User

from .models import Consultation


class ApproveForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class DismissForm(BootstrapForm):
    reason = forms.CharField(label=_("Why it is dismissed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(BootstrapForm):
    """Setting an approved topic to work: who leads it, who answers for it, the plan."""

    owner = UnitField(
        label=pgettext_lazy("unit picker", "Lead unit"), widget=forms.TextInput(attrs={"list": "topic-units"})
    )
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


class ProgressForm(BootstrapForm):
    """A progress report on a topic at work, with its files."""

    note = forms.CharField(label=_("Progress"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Files (up to 5, 10 MB each)"), required=False)


def _categories():
    from hotline.core.selectors import categories_active

    return categories_active().filter(level=3).order_by("code")


class CategoryChoiceField(forms.ModelChoiceField):
    """A level-3 matter category, shown with its path (城市管理 › 市容环境 › 占道经营)."""

    def label_from_instance(self, obj):
        parent = obj.parent
        return f"{parent.parent.name} › {parent.name} › {obj.name}" if parent and parent.parent else obj.name


class ActionForm(BootstrapForm):
    """未诉先办: what the unit did before anyone called (the areas offered: the unit's own)."""

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    category = CategoryChoiceField(label=_("Matter category"), queryset=None, empty_label=_("— choose —"))
    area = forms.ModelChoiceField(label=_("Area (street or community)"), queryset=None, empty_label=_("— choose —"))
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    acted_on = forms.DateField(label=_("Done on"), widget=forms.DateInput(attrs={"type": "date"}))
    what = forms.CharField(
        label=_("What was done"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 10000})
    )
    evidence = forms.CharField(
        label=_("Evidence (describe it, or attach files)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    people_affected = forms.IntegerField(label=_("People affected"), min_value=0, max_value=10_000_000, initial=0)
    files = MultipleFileField(label=_("Files (up to 5, 10 MB each)"), required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories().select_related("parent__parent")
        self.fields["area"].queryset = areas if areas is not None else Unit.objects.none()

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class DecisionForm(BootstrapForm):
    note = forms.CharField(
        label=_("Note (why, when not verified)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RaiseTopicForm(BootstrapForm):
    """A topic raised by hand: a 批示, a 每月一题 choice, or a street's initiative."""

    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title: the place and the problem"), max_length=200)
    note = forms.CharField(
        label=_("Why (the 批示, the reasons)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    category = CategoryChoiceField(label=_("Matter category"), queryset=None, required=False, empty_label=_("— any —"))
    street = forms.ModelChoiceField(
        label=_("Street / township"), queryset=None, required=False, empty_label=_("— city-wide —")
    )

    def __init__(self, *args, kinds=(), streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)
        self.fields["category"].queryset = _categories().select_related("parent__parent")
        self.fields["street"].queryset = streets if streets is not None else Unit.objects.none()
