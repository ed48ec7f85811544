"""Sections of the meeting detail page for votes, attachments and 民主评议, so the detail
view stays as it is: each tag reads what its section shows (the page already checked
access to the meeting)."""

from __future__ import annotations

from django import template

from dangjian.orglife import forms_extra as fx
from dangjian.orglife import services_appraisal, services_attachments, services_votes
from dangjian.orglife.models import MeetingStatus, VoteBody
from dangjian.rules.orglife import MeetingKind

register = template.Library()


@register.inclusion_tag("orglife/_votes.html", takes_context=True)
def meeting_votes(context, meeting, can_manage=False):
    if meeting.kind not in VoteBody.values:
        return {"show": False}
    entitled, present = services_votes.voting_counts(meeting)
    return {
        "show": True,
        "meeting": meeting,
        "votes": services_votes.votes_of(meeting),
        "entitled": entitled,
        "present": present,
        "can_vote": can_manage and meeting.status == MeetingStatus.HELD,
        "form": fx.VoteForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("orglife/_attachments.html", takes_context=True)
def meeting_attachments(context, meeting, can_manage=False):
    return {
        "meeting": meeting,
        "attachments": services_attachments.attachments_of(meeting),
        "can_manage": can_manage,
        "can_remove": False,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("orglife/_appraisal.html")
def meeting_appraisal(meeting):
    if meeting.kind != MeetingKind.MEMBER_APPRAISAL:
        return {"show": False}
    return {
        "show": True,
        "meeting": meeting,
        "findings": services_appraisal.findings_of(meeting),
        "summary": services_appraisal.summary_of(meeting),
    }
