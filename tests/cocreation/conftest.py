"""Fixtures of the 共同缔造 tests: 龙泉村 paired with 甲局 (a pilot) with the 户户通 project
(two metrics, milestones done and open, feedback public and not), a campaign, a visit with
problems; 乙局 paired with another village with a non-public project. Everything through the
services with `actor=None`."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


def png_bytes(size=(4, 4), color=(200, 30, 30)) -> bytes:
    """A real, tiny PNG (written by hand: the project has no imaging library)."""
    width, height = size

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(color) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png_upload(name="现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@dataclass
class World:
    today: dt.date
    village: object
    other_village: object
    pairing: object
    pairing_b: object
    project: object
    road: object
    households: object
    done: object
    open_milestone: object
    hidden_project: object
    feedback_public: object
    feedback_private: object
    campaign: object
    visit_public: object
    visit_private: object
    problem_overdue: object
    problem_private: object
    project_b: object
    cadre: object


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def world(tree, today) -> World:
    from dangjian.cocreation import services as s

    start = today - dt.timedelta(days=200)
    village = s.community_create(
        actor=None,
        name="龙泉村",
        kind="village",
        district="郧阳区",
        township="谭家湾镇",
        households=320,
        population=1100,
    )
    other = s.community_create(
        actor=None, name="柳陂村", kind="village", district="郧阳区", township="柳陂镇"
    )
    pairing = s.pairing_create(
        actor=None, org=tree.party_group_a, community=village, started_on=start, is_pilot=True
    )
    pairing_b = s.pairing_create(
        actor=None, org=tree.party_group_b, community=village, started_on=start
    )
    s.pairing_create(actor=None, org=tree.party_group_b, community=other, started_on=start)
    cadre = s.cadre_add(
        actor=None,
        pairing=pairing,
        name="",
        member=tree.members_a[0],
        post="驻村第一书记",
        started_on=start,
    )
    project = s.project_create(
        actor=None,
        pairing=pairing,
        title="户户通：硬化通村入户道路",
        category="roads",
        goal="硬化通村入户道路，确保户户通。",
        starts_on=start,
        due_on=today + dt.timedelta(days=100),
        status="ongoing",
        funds_planned="120",
        funds_raised="80.5",
        beneficiary_households=300,
        beneficiary_people=1000,
    )
    road = s.metric_add(actor=None, project=project, name="硬化道路", unit="公里", target="12")
    households = s.metric_add(actor=None, project=project, name="通达户数", unit="户", target=300)
    done = s.milestone_add(
        actor=None,
        project=project,
        title="一组道路硬化",
        due_on=start + dt.timedelta(days=30),
        metric=road,
        amount="4.5",
        done_on=start + dt.timedelta(days=28),
    )
    open_milestone = s.milestone_add(
        actor=None,
        project=project,
        title="二组道路硬化",
        due_on=today + dt.timedelta(days=30),
        metric=road,
        amount="5",
    )
    hidden = s.project_create(
        actor=None,
        pairing=pairing,
        title="内部项目：村委会办公设备",
        category="services",
        goal="更新村委会办公设备。",
        starts_on=start,
        is_public=False,
    )
    fb_public = s.feedback_add(
        actor=None,
        project=project,
        received_on=today - dt.timedelta(days=10),
        satisfaction="satisfied",
        content="路修好了，出门不再一脚泥。",
        resident_name="王大爷",
        is_public=True,
    )
    fb_private = s.feedback_add(
        actor=None,
        project=project,
        received_on=today - dt.timedelta(days=5),
        satisfaction="unsatisfied",
        content="三组的路还没修到家门口。",
        resident_name="李大妈",
    )
    campaign = s.campaign_create(
        actor=None,
        org=tree.party_group_a,
        title="大清理、大清扫、大清洗专项行动",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=55),
        communities=[village],
        content="清理村内垃圾、清扫道路、清洗公共设施。",
        cadres=40,
        residents=260,
        results="清理垃圾30余吨。",
    )
    visit_public = s.visit_record(
        actor=None,
        pairing=pairing,
        visited_on=today - dt.timedelta(days=20),
        visitors="张三丰、李四",
        summary="走访农户，听取意见。",
        households=25,
        is_public=True,
        problems=[
            {
                "description": "村口路灯不亮",
                "owner_name": "李四",
                "due_on": today - dt.timedelta(days=2),
                "raised_by": "赵大爷",
            }
        ],
    )
    visit_private = s.visit_record(
        actor=None,
        pairing=pairing,
        visited_on=today - dt.timedelta(days=10),
        visitors="王五",
        summary="了解困难户情况（内部）。",
        households=6,
        problems=[
            {
                "description": "困难户周某房屋漏雨",
                "owner_name": "王五",
                "due_on": today + dt.timedelta(days=2),
                "raised_by": "周某",
            }
        ],
    )
    project_b = s.project_create(
        actor=None,
        pairing=pairing_b,
        title="户户亮：路灯安装",
        category="lighting",
        goal="安装太阳能路灯。",
        starts_on=start,
        status="ongoing",
        is_public=False,
    )
    return World(
        today=today,
        village=village,
        other_village=other,
        pairing=pairing,
        pairing_b=pairing_b,
        project=project,
        road=road,
        households=households,
        done=done,
        open_milestone=open_milestone,
        hidden_project=hidden,
        feedback_public=fb_public,
        feedback_private=fb_private,
        campaign=campaign,
        visit_public=visit_public,
        visit_private=visit_private,
        problem_overdue=visit_public.problems.get(),
        problem_private=visit_private.problems.get(),
        project_b=project_b,
        cadre=cadre,
    )
