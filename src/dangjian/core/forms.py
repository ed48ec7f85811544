"""Form helpers: Chinese messages beside the field, and services' refusals shown there too."""

from django import forms

from dangjian.core.errors import AppError


class BootstrapMixin:
    """Adds Bootstrap classes and marks invalid fields, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else ("form-select" if isinstance(widget, forms.Select) else "form-control")
            )
            widget.attrs["class"] = css

    def full_clean(self):
        # Mark invalid fields after validation (never in __init__: reading self.errors there
        # would validate before subclasses finish setting up their choices).
        super().full_clean()
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs["class"]:
                self.fields[name].widget.attrs["class"] += " is-invalid"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def call_service(form, fn, /, **kwargs):
    """Run a service for a valid form; an AppError lands on its field (or the whole form).
    Returns the service's result, or None when it refused."""
    try:
        return fn(**kwargs)
    except AppError as exc:
        for name, message in exc.errors:
            field = name if name in form.fields else None
            form.add_error(field, message)
            if field and "is-invalid" not in form.fields[field].widget.attrs["class"]:
                form.fields[field].widget.attrs["class"] += " is-invalid"
        return None
