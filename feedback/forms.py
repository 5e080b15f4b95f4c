from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Resolution, Satisfaction

YES_NO = [("1", _("Yes")), ("0", _("No"))]


class AnswersForm(forms.Form):
    """The paper's three questions (三问), asked the same way by the callback agent and the link."""

    contacted = forms.TypedChoiceField(
        label=_("Did anyone contact you about it? (有人跟您联系没有)"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.ChoiceField(
        label=_("Was it resolved? (给您解决了没有)"), choices=Resolution.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied? (您满意不满意)"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class CallbackForm(AnswersForm):
    replace = forms.BooleanField(
        label=_("Replace the answers already recorded"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class UnreachedForm(forms.Form):
    note = forms.CharField(
        label=_("Why the citizen was not reached"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. no answer, line busy")}),
    )
