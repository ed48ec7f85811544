"""组织关系转接 (R-EDU-11/12), leaving the roster (减少, R-EDU-06/08) and the follow-up of
mobile members (R-EDU-13/14): the write paths and the reads behind the transfer pages and the
member page's history and actions.

A transfer is started by the sending side and stays *pending* until it is decided. While it
is pending the member stays on the sending branch's roster and under its management
(R-EDU-12: "Until the receiving side accepts, the sending side keeps management
responsibility"). Within the system the receiving branch accepts (the member moves to its
roster) or returns it with a reason (R-EDU-12: no refusal without reason). To an
organisation outside the system the sending side records the receipt (回执) when it comes
back, and the member leaves the roster as 转出.

Who may do what (MEMBER_MANAGE on a path, see docs/transfers.md):

| action | within the system | outside the system |
|---|---|---|
| start, cancel | sending side (`from_path`) | sending side (`from_path`) |
| accept | receiving side (`to_path`) | sending side records the 回执 (`from_path`) |
| return | receiving side (`to_path`) | sending side records the refusal (`from_path`) |
"""

from dangjian.members.transfers.selectors import (
    ACTIONS,
    BRANCH_CHOICES_MAX,
    access_transfer,
    destination_branch,
    destination_branches,
    grouped_branches,
    may,
    members_in_transfer,
    transfer_actions,
    transfer_counts,
    transfer_rows,
    transfers_history,
    transfers_incoming,
    transfers_outgoing,
)
from dangjian.members.transfers.services import (
    LEAVE_REASONS,
    LETTER_MAX,
    PENDING_REFUSAL,
    TEXT_MAX,
    follow_up_refusal,
    leave_refusal,
    member_follow_up,
    member_leave_roster,
    start_refusal,
    transfer_accept,
    transfer_cancel,
    transfer_return,
    transfer_start,
)
from dangjian.members.transfers.timeline import (
    ITEM_LABELS,
    TONES,
    Event,
    member_page_context,
    member_timeline,
)

__all__ = [
    "ACTIONS",
    "BRANCH_CHOICES_MAX",
    "ITEM_LABELS",
    "LEAVE_REASONS",
    "LETTER_MAX",
    "PENDING_REFUSAL",
    "TEXT_MAX",
    "TONES",
    "Event",
    "access_transfer",
    "destination_branch",
    "destination_branches",
    "follow_up_refusal",
    "grouped_branches",
    "leave_refusal",
    "may",
    "member_follow_up",
    "member_leave_roster",
    "member_page_context",
    "member_timeline",
    "members_in_transfer",
    "start_refusal",
    "transfer_accept",
    "transfer_actions",
    "transfer_cancel",
    "transfer_counts",
    "transfer_return",
    "transfer_rows",
    "transfer_start",
    "transfers_history",
    "transfers_incoming",
    "transfers_outgoing",
]
