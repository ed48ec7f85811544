"""Forms of the import pages."""

from django import forms

from dangjian.core.forms import BootstrapMixin


def scope_choices(orgs, base_depth: int | None = None) -> list[tuple[int, str]]:
    if not orgs:
        return []
    top = min(o.depth for o in orgs) if base_depth is None else base_depth
    return [(o.pk, f"{'　' * max(o.depth - top, 0)}{o.name}") for o in orgs]


class UploadForm(BootstrapMixin, forms.Form):
    org = forms.TypedChoiceField(
        label="导入范围", coerce=int, error_messages={"invalid_choice": "请选择导入范围。"}
    )
    file = forms.FileField(
        label="党员信息文件（.xlsx）",
        allow_empty_file=True,  # the service answers an empty file with its own message
        error_messages={"required": "请选择要上传的文件。", "invalid": "请选择要上传的文件。"},
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = scope_choices(list(orgs))


class ConfirmForm(forms.Form):
    update_existing = forms.BooleanField(label="更新已有党员信息", required=False)
