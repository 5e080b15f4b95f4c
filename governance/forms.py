from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.forms import BootstrapForm


class ApproveForm(BootstrapForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class DismissForm(BootstrapForm):
    reason = forms.CharField(label=_("Why it is dismissed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
