from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.forms import BootstrapForm

from .choices import ContactMethod, Resolution, Satisfaction

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


class ReplyForm(BootstrapForm):
    """双反馈. When the unit contacted the citizen it says when and how."""

    contacted = forms.TypedChoiceField(
        label=_("Contacted the citizen?"), choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1"
    )
    resolved = forms.ChoiceField(label=_("Result"), choices=Resolution.choices)
    reply_to_citizen = forms.CharField(label=_("Reply to the citizen"), widget=forms.Textarea(attrs={"rows": 3}))
    reply_to_hotline = forms.CharField(label=_("Reply to the hotline"), widget=forms.Textarea(attrs={"rows": 3}))
    contacted_at = forms.DateTimeField(
        label=_("Contacted at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    contact_method = forms.ChoiceField(
        label=_("Contacted by"), required=False, choices=[("", "—"), *ContactMethod.choices]
    )

    def clean(self):
        data = super().clean()
        if data.get("contacted"):
            if not data.get("contacted_at"):
                self.add_error("contacted_at", _("Say when the citizen was contacted."))
            if not data.get("contact_method"):
                self.add_error("contact_method", _("Say how the citizen was contacted."))
        return data
