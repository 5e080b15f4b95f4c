from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so no validator enforces it: a
        # 300-character username reached authenticate() and django-axes' 255-character column.
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length or 150))
        self.fields["password"].validators.append(MaxLengthValidator(4096))
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


def people_words_limit(field) -> None:
    """A text field's length limit said in people's words ("内容不能超过 5000 字（现在 5230 字）") instead of
    Django's "Ensure this value has at most…". A long text (textarea) is not cut by the browser: what is
    pasted stays, a counter shows the limit (static/js/hotline.js), and the server says what is too long."""
    limit = getattr(field, "max_length", None)
    if not limit:
        return
    message = _("%(label)s can be at most %(limit_value)d characters (now %(show_value)d).")
    field.validators = [
        MaxLengthValidator(limit, message=message.replace("%(label)s", str(field.label or _("This field"))))
        if isinstance(v, MaxLengthValidator)
        else v
        for v in field.validators
    ]
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-maxlength"] = str(limit)


class BootstrapForm(forms.Form):
    """Bootstrap classes on every visible widget, so templates render fields as they are.
    `control_size = "sm"` for the compact forms of side panels."""

    control_size = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suffix = f" form-control-{self.control_size}" if self.control_size else ""
        select_suffix = f" form-select-{self.control_size}" if self.control_size else ""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.RadioSelect)):
                continue
            people_words_limit(field)
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select" + select_suffix
            else:
                css = "form-control" + suffix
            widget.attrs.setdefault("class", css)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's recipe); the service checks their kinds and sizes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class PickerField(forms.CharField):
    """The text of a picker (选择器): an input with a type-ahead list whose options read "code name", that
    also takes a code, a path, a name or a part of a name only one row has (selectors.pick). It cleans to
    the row; text that fits several rows names them, so the person can choose."""

    default_error_messages = {
        "unknown": _("Nothing in the list matches “%(text)s”: choose from the list."),
        "ambiguous": _("“%(text)s” could be %(names)s: choose one from the list."),
    }

    def queryset(self):
        raise NotImplementedError

    def code_queryset(self):
        """Where an exact code is looked up (by default the picker's own rows)."""
        return self.queryset()

    def label_of(self, row) -> str:
        return f"{row.name} ({row.code})"

    def clean(self, value):
        from .selectors import pick

        value = super().clean(value)
        if not value:
            return None
        row = self.code_queryset().filter(code=value.split()[0]).first()
        if row is not None:
            return row
        row, candidates = pick(self.queryset(), value)
        if row is not None:
            return row
        if candidates:
            names = "、".join(self.label_of(c) for c in candidates)
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"text": value, "names": names}
            )
        raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"text": value})


class UnitField(PickerField):
    """A unit by code, "code name" or name (the unit pickers of dispatch and the queue)."""

    default_error_messages = {
        "unknown": _("No unit matches “%(text)s”: type a name or a code and choose from the list."),
        "ambiguous": _("“%(text)s” could be %(names)s: choose one from the list."),
    }

    def queryset(self):
        from .selectors import units_to_pick

        return units_to_pick()

    def code_queryset(self):
        from .models import Unit

        return Unit.objects.filter(is_active=True)  # a community too, by its code

    def label_of(self, row) -> str:
        parent = row.parent.name if row.parent_id and row.parent else ""
        return f"{parent} {row.name} ({row.code})".strip()
