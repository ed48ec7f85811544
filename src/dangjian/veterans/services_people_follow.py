"""What follows a change of a retiree's record (called by `retiree_update` inside its
transaction): a move to another org carries his scoped rows along; a recorded death ends his
live pairings. See docs/veterans-people.md."""

from __future__ import annotations

from dangjian.core.audit import audit
from dangjian.veterans.models import Contact, Exemplar, MediationCase, Pairing, Request, Retiree


def move_records(retiree: Retiree) -> None:
    """A retiree moved to another org: the rows scoped by his path (pairings, their contacts,
    requests, exemplars and their cases) move with him, so that the old unit's managers no
    longer reach them and the new unit's do."""
    path = retiree.org_path
    Pairing.all_objects.filter(retiree=retiree).update(org_path=path)
    Contact.all_objects.filter(pairing__retiree=retiree).update(org_path=path)
    Request.all_objects.filter(retiree=retiree).update(org_path=path)
    Exemplar.all_objects.filter(retiree=retiree).update(org_path=path)
    MediationCase.all_objects.filter(exemplar__retiree=retiree).update(org_path=path)


def end_pairings(actor, retiree: Retiree) -> None:
    """A retiree recorded as deceased: his live pairings end on the day he died (nothing is
    owed to him any more: no overdue call or visit, no reminder), each audited."""
    for pairing in Pairing.all_objects.select_for_update().filter(
        retiree=retiree, ended_on__isnull=True
    ):
        pairing.ended_on = max(retiree.died_on, pairing.started_on)
        pairing.save(update_fields=["ended_on"])
        audit(
            actor,
            "veterans.pairing.ended",
            pairing,
            org_path=pairing.org_path,
            changes={"ended_on": pairing.ended_on, "reason": "deceased"},
        )
