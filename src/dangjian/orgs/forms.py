from django import forms
from django.utils import timezone

from dangjian.core.forms import BootstrapMixin, DateInput
from dangjian.orgs.models import OrgKind, SeatRole, Unit


class OrgForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    kind = forms.ChoiceField(label="组织类别", choices=OrgKind.choices)
    unit = forms.ModelChoiceField(
        label="所在单位",
        queryset=Unit.objects.all(),
        required=False,
        empty_label="（与上级组织相同）",
    )
    is_retiree_branch = forms.BooleanField(label="离退休干部党支部", required=False)
    established_on = forms.DateField(label="成立日期", required=False, widget=DateInput())
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    sort = forms.IntegerField(
        label="排序", min_value=0, max_value=100000, initial=0, required=False
    )

    def __init__(self, *args, kinds=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = [(k, OrgKind(k).label) for k in kinds]
        if editing:
            del self.fields["kind"]


class MoveForm(BootstrapMixin, forms.Form):
    new_parent = forms.TypedChoiceField(label="新的上级组织", coerce=int)

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].choices = [(o.pk, f"{'　' * o.depth}{o.name}") for o in parents]


class DissolveForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label="撤销日期", widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label="撤销原因", max_length=200)


class ElectionForm(BootstrapMixin, forms.Form):
    elected_on = forms.DateField(label="选举日期", widget=DateInput())
    note = forms.CharField(label="备注", max_length=200, required=False)


class SeatForm(BootstrapMixin, forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    role = forms.ChoiceField(label="职务", choices=SeatRole.choices)
    started_on = forms.DateField(label="任职日期", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, f"{m.name}（{m.branch.name}）") for m in members]
