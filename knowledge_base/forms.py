from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.choices import UnitLevel
from hotline.core.forms import BootstrapForm
from hotline.core.models import Category, Unit

from .models import ArticleStatus


class ArticleForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    questions = forms.CharField(
        label=_("Question variants (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ModelChoiceField(
        label=_("Matter category"), required=False, queryset=Category.objects.filter(level=3, is_active=True)
    )
    owner = forms.ModelChoiceField(
        label=_("Owning unit"),
        required=False,
        queryset=Unit.objects.filter(level__in=[UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE, UnitLevel.DISTRICT]),
    )
    source_title = forms.CharField(label=_("Source document"), max_length=200, required=False)
    source_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    source_url = forms.URLField(label=_("Source URL"), max_length=500, required=False, assume_scheme="https")
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    keywords = forms.CharField(label=_("Keywords"), max_length=255, required=False)
    note = forms.CharField(label=_("What changed (for the history)"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", _("The article cannot expire before it starts."))
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("note")
        data["category_id"] = data.pop("category").pk if data.get("category") else None
        data["owner_id"] = data.pop("owner").pk if data.get("owner") else None
        return data


class ManageFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Title contains"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ArticleStatus.choices]
    )
    category = forms.ModelChoiceField(
        label=_("Matter category"), required=False, queryset=Category.objects.filter(level=3, is_active=True)
    )
    owner = forms.ModelChoiceField(
        label=_("Owning unit"),
        required=False,
        queryset=Unit.objects.filter(level__in=[UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE, UnitLevel.DISTRICT]),
    )
    expiring = forms.BooleanField(label=_("Expiring within 30 days"), required=False)
