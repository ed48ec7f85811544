"""Forms of the notes and points pages. They parse; the services decide (what a member may
link a note to, the caps of a rule, the versions' order) and their refusals land at the
field (`call_service`)."""

from __future__ import annotations

from django import forms

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.rules import study as rules

CAP_FIELDS = ("points", "daily_cap", "yearly_cap")


class NoteForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=rules.NOTE_TITLE_MAX)
    text = forms.CharField(
        label="心得体会",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=f"{rules.NOTE_TEXT_MIN}至{rules.NOTE_TEXT_MAX}字，请写本人的学习体会。",
    )
    session = forms.TypedChoiceField(
        label="对应的学习培训", required=False, coerce=int, empty_value=None
    )
    material = forms.TypedChoiceField(
        label="对应的学习资料", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, sessions=(), materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "（不选）")] + [
            (s.pk, f"{s.meeting.starts_at:%Y-%m-%d} {s.meeting.topic}") for s in sessions
        ]
        self.fields["material"].choices = [("", "（不选）")] + [(m.pk, m.title) for m in materials]
        self.fields["title"].widget.attrs["maxlength"] = rules.NOTE_TITLE_MAX
        self.fields["text"].widget.attrs["maxlength"] = rules.NOTE_TEXT_MAX


class SchemeForm(BootstrapMixin, forms.Form):
    """A new version of the points scheme: its name, start, baseline and, per action of
    POINT_ACTIONS, the points and caps (points left empty: the action gives nothing)."""

    name = forms.CharField(label="方案名称", max_length=100)
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    baseline = forms.IntegerField(label="年度合格分", min_value=1, max_value=1000)
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for action, label in rules.POINT_ACTIONS.items():
            for name, title in zip(CAP_FIELDS, ("每次分值", "每日上限", "年度上限"), strict=True):
                self.fields[f"{name}_{action}"] = forms.DecimalField(
                    label=f"{label}·{title}",
                    required=False,
                    min_value=0,
                    max_value=1000,
                    decimal_places=1,
                    max_digits=5,
                    widget=forms.NumberInput(attrs={"step": "0.5", "class": "form-control"}),
                )
                self.fields[f"{name}_{action}"].widget.attrs["class"] = (
                    "form-control form-control-sm"
                )

    def rows(self):
        """(action, label, [bound fields]) for the template's table."""
        return [
            (action, label, [self[f"{name}_{action}"] for name in CAP_FIELDS])
            for action, label in rules.POINT_ACTIONS.items()
        ]

    def rule_rows(self) -> list[dict]:
        """The cleaned rules for point_scheme_save: one per action whose points are filled."""
        data = self.cleaned_data
        out = []
        for action in rules.POINT_ACTIONS:
            if data.get(f"points_{action}") in (None, ""):
                continue
            out.append(
                {
                    "action": action,
                    "points": data[f"points_{action}"],
                    "daily_cap": data.get(f"daily_cap_{action}") or 0,
                    "yearly_cap": data.get(f"yearly_cap_{action}") or 0,
                }
            )
        return out

    @staticmethod
    def initial_from(scheme: rules.PointSchemeData) -> dict:
        initial = {"baseline": scheme.baseline}
        for r in scheme.rules:
            initial[f"points_{r.action}"] = r.points
            initial[f"daily_cap_{r.action}"] = r.daily_cap
            initial[f"yearly_cap_{r.action}"] = r.yearly_cap
        return initial
