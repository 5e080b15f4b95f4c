from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.choices import Role, Status
from dispatch.forms import BootstrapForm
from dispatch.models import WorkOrder
from hotline.core.forms import MultipleFileField

from .choices import ContactMethod, Resolution, Satisfaction
from .selectors import reply_templates_for

YES_NO = [("1", _("Yes")), ("0", _("No"))]


def assisting_parts(order) -> list:
    """The assisting orders (协办) a lead order's reply can rate."""
    if order is None or order.role != Role.MAIN:
        return []
    return list(
        WorkOrder.objects.filter(demand_id=order.demand_id, role=Role.ASSIST)
        .exclude(status=Status.TRANSFERRED)
        .select_related("unit")
        .order_by("id")
    )


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


REPLY_LIMIT = 5000


class ReplyForm(BootstrapForm):
    """双反馈. When the unit contacted the citizen it says when and how."""

    contacted = forms.TypedChoiceField(
        label=_("Contacted the citizen?"), choices=[("1", _("Yes")), ("0", _("No"))], coerce=lambda v: v == "1"
    )
    resolved = forms.ChoiceField(label=_("Result"), choices=Resolution.choices)
    reply_to_citizen = forms.CharField(
        label=_("Reply to the citizen"), max_length=REPLY_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_to_hotline = forms.CharField(
        label=_("Reply to the hotline"), max_length=REPLY_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    # 现场照片: photos of the result, or documents, with the reply (kept on the order, shown in its timeline).
    attachments = MultipleFileField(label=_("Photos or files"), required=False)
    # Asked only when the reply says "resolved" without having contacted the citizen (see clean).
    confirmed = forms.BooleanField(
        label=_("Yes: resolved, although the citizen was not contacted"), required=False, widget=forms.HiddenInput
    )
    contacted_at = forms.DateTimeField(
        label=_("Contacted at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    contact_method = forms.ChoiceField(
        label=_("Contacted by"), required=False, choices=[("", "—"), *ContactMethod.choices]
    )

    per_order = True  # a lead order's form rates its assisting units (协办配合评价)
    COOPERATION = "cooperation_"

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        templates = reply_templates_for(order) if order is not None else []
        if templates:
            # 答复模板: picking one fills the reply to the citizen (static/js/hotline.js); the handler completes it.
            self.fields["template"] = forms.CharField(
                label=_("Start from a template"),
                required=False,
                widget=forms.Select(
                    choices=[("", _("— none —"))] + [(t.text, t.title) for t in templates],
                    attrs={"class": "form-select form-select-sm", "data-fills": "reply_to_citizen"},
                ),
            )
            self.order_fields(["contacted", "resolved", "template", "reply_to_citizen"])
        for part in assisting_parts(order):
            self.fields[f"{self.COOPERATION}{part.unit.code}"] = forms.ChoiceField(
                label=_("Cooperation of %(unit)s (协办配合)") % {"unit": part.unit.name},
                required=False,
                choices=[("", _("Not rated")), *Satisfaction.choices],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self):
        data = super().clean()
        data["cooperation"] = [
            {"unit": name.removeprefix(self.COOPERATION), "rating": data.pop(name)}
            for name in list(data)
            if name.startswith(self.COOPERATION) and data.get(name)
        ]
        for name in [n for n in data if n.startswith(self.COOPERATION)]:
            data.pop(name)
        if data.get("contacted") is False and data.get("resolved") == Resolution.RESOLVED and not data.get("confirmed"):
            # A contradiction the hotline's callback will find: say it before it is sent.
            self.fields["confirmed"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
            self.add_error(
                "confirmed",
                _("The reply says the matter is resolved but the citizen was not contacted. Is that right?"),
            )
        data.pop("confirmed", None)  # the form's question, not the reply's
        data.pop("template", None)  # a picker that filled the text, not part of the reply
        data.pop("attachments", None)  # kept by the order page after the reply (dispatch.services.order_attach)
        if data.get("contacted"):
            if not data.get("contacted_at"):
                self.add_error("contacted_at", _("Say when the citizen was contacted."))
            if not data.get("contact_method"):
                self.add_error("contact_method", _("Say how the citizen was contacted."))
        return data
