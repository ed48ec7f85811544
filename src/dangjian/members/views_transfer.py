"""Transfer pages (组织关系转接, R-EDU-12), 减少 and the follow-up of mobile members. Thin:
parse, get the member or transfer through an access function, call one service."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.forms import BootstrapMixin, DateInput, call_service
from dangjian.core.permissions import Cap
from dangjian.members import transfers
from dangjian.members.models import TransferKind
from dangjian.members.selectors import access_member

PAGE_SIZE = 30

TABS = {
    "incoming": ("待接收", transfers.transfers_incoming),
    "outgoing": ("转出中", transfers.transfers_outgoing),
    "history": ("历史", transfers.transfers_history),
}


# ---------------------------------------------------------------------------------------------
# Forms


class TransferStartForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label="转往",
        choices=[
            (TransferKind.WITHIN, "系统内党支部"),
            (TransferKind.OUTSIDE, "转出至系统外"),
        ],
        initial=TransferKind.WITHIN,
        widget=forms.RadioSelect,
    )
    # validated against the user's visible branches in clean(), not against the shown
    # choices (the htmx search narrows what is shown)
    to_org = forms.IntegerField(label="接收党支部", required=False, widget=forms.Select)
    to_org_name = forms.CharField(label="接收党组织名称", max_length=200, required=False)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)
    on = forms.DateField(label="转出日期", widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        label="转接原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        self.fields["to_org"].widget.choices = [
            ("", "请选择接收党支部…"),
            *transfers.grouped_branches(branches),
        ]
        self.fields["to_org"].error_messages["invalid"] = "接收党支部：请从列表中选择。"

    def clean(self):
        data = super().clean()
        data["to_org_obj"] = None
        if data.get("kind") == TransferKind.WITHIN:
            if not data.get("to_org"):
                self.add_error("to_org", "接收党支部：请选择。")
            else:
                org = transfers.destination_branch(self.user, data["to_org"])
                if org is None:
                    self.add_error("to_org", "接收党支部：请从列表中选择。")
                data["to_org_obj"] = org
        return data


class AcceptForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label="接收日期", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, label="接收日期", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不得无故拒绝接收（R-EDU-12）：请写明退回的具体原因。",
    )


class LeaveForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label="减少日期", widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(
        label="减少原因", choices=[("", "请选择…"), *transfers.LEAVE_REASONS]
    )
    note = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="按自行脱党除名（R-EDU-08）的，请写明连续6个月的情况。",
    )


class FollowUpForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label="联系日期", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label="联系情况",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------------------------------------
# Pages


@require_GET
def transfer_list(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    tab = request.GET.get("tab", "incoming")
    tab = tab if tab in TABS else "incoming"
    rows = TABS[tab][1](request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/transfers.html",
        {
            "tab": tab,
            "tabs": [(key, label) for key, (label, _) in TABS.items()],
            "counts": transfers.transfer_counts(request.user),
            "page": page,
            "rows": transfers.transfer_rows(request.user, page.object_list),
        },
    )


@require_http_methods(["GET", "POST"])
def transfer_start(request, member_id):
    member = access_member(request.user, member_id, need=Cap.MEMBER_MANAGE)
    refusal = transfers.start_refusal(member)
    if refusal:
        raise AppError(refusal)
    q = request.GET.get("q", "").strip()[:50]
    branches = transfers.destination_branches(request.user, exclude=member.branch, q=q)
    form = TransferStartForm(request.POST or None, user=request.user, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        within = data["kind"] == TransferKind.WITHIN
        transfer = call_service(
            form,
            transfers.transfer_start,
            actor=request.user,
            member=member,
            on=data["on"],
            reason=data["reason"],
            to_org=data["to_org_obj"] if within else None,
            to_org_name="" if within else data["to_org_name"],
            letter_number=data["letter_number"],
        )
        if transfer is not None:
            messages.success(
                request,
                f"已办理{member.name}的组织关系转出，接收前仍由本支部管理（R-EDU-12）。",
            )
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/transfer_start.html",
        {"member": member, "form": form, "q": q, "branch_count": len(branches)},
    )


def _transfer_form(request, transfer, form, *, title, hint="", danger=False):
    return render(
        request,
        "members/transfer_form.html",
        {
            "title": title,
            "hint": hint,
            "form": form,
            "transfer": transfer,
            "member": transfer.member,
            "danger": danger,
        },
    )


@require_http_methods(["GET", "POST"])
def transfer_accept(request, transfer_id):
    transfer = transfers.access_transfer(request.user, transfer_id, action="accept")
    within = transfer.kind == TransferKind.WITHIN
    form = AcceptForm(request.POST or None, label="接收日期" if within else "回执日期")
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            transfers.transfer_accept,
            actor=request.user,
            transfer=transfer,
            on=form.cleaned_data["on"],
        )
        if done is not None:
            messages.success(
                request,
                f"{transfer.member.name}的组织关系已转入{transfer.to_org_name}。"
                if within
                else f"已登记回执，{transfer.member.name}已转出至{transfer.to_org_name}。",
            )
            return redirect("members:detail", member_id=transfer.member_id)
    if within:
        title, hint = f"接收{transfer.member.name}的组织关系", "接收后该党员编入本支部。"
    else:
        title = f"登记{transfer.member.name}的转出回执"
        hint = "收到接收党组织的回执后登记，该党员随即从本支部减少（转出）。"
    return _transfer_form(request, transfer, form, title=title, hint=hint)


@require_http_methods(["GET", "POST"])
def transfer_return(request, transfer_id):
    transfer = transfers.access_transfer(request.user, transfer_id, action="return")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            transfers.transfer_return,
            actor=request.user,
            transfer=transfer,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"已退回{transfer.member.name}的组织关系转接。")
            return redirect("members:transfers")
    return _transfer_form(
        request,
        transfer,
        form,
        title=f"退回{transfer.member.name}的组织关系转接",
        hint="退回后该党员仍在转出党支部。",
        danger=True,
    )


@require_POST
def transfer_cancel(request, transfer_id):
    transfer = transfers.access_transfer(request.user, transfer_id, action="cancel")
    transfers.transfer_cancel(actor=request.user, transfer=transfer)
    messages.success(request, f"已撤销{transfer.member.name}的组织关系转接。")
    return redirect("members:detail", member_id=transfer.member_id)


def _member_form(request, member, form, *, title, topic, danger=False):
    return render(
        request,
        "members/transfer_form.html",
        {"title": title, "topic": topic, "form": form, "member": member, "danger": danger},
    )


@require_http_methods(["GET", "POST"])
def member_leave(request, member_id):
    member = access_member(request.user, member_id, need=Cap.MEMBER_MANAGE)
    refusal = transfers.leave_refusal(member)
    if refusal:
        raise AppError(refusal)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            transfers.member_leave_roster,
            actor=request.user,
            member=member,
            on=data["on"],
            reason=data["reason"],
            note=data["note"],
        )
        if done is not None:
            messages.success(request, f"{member.name}已从党员名册减少。")
            return redirect("members:detail", member_id=member.pk)
    return _member_form(
        request,
        member,
        form,
        title=f"{member.name}：减少",
        topic="leave",
        danger=True,
    )


@require_http_methods(["GET", "POST"])
def member_contact(request, member_id):
    member = access_member(request.user, member_id, need=Cap.MEMBER_MANAGE)
    refusal = transfers.follow_up_refusal(member)
    if refusal:
        raise AppError(refusal)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            transfers.member_follow_up,
            actor=request.user,
            member=member,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, f"已登记与{member.name}的联系。")
            return redirect("members:detail", member_id=member.pk)
    return _member_form(request, member, form, title=f"{member.name}：登记联系", topic="contact")
