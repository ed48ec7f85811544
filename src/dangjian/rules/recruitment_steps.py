"""The 发展党员 flow as data: five stages, the 25 standard steps (rules.md §3.1) and the few
extra steps the time rules need (公示, the 党组's review in organs, extension and cancellation
with the higher committee's approval of each, R-DEV-21).
Each step says who acts, what it records and which rules bear on it. Pure: no Django.
The time rules themselves are in dangjian.rules.recruitment."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """The candidate's stage (glossary: applicant → activist → prospect → probationary → full)."""

    APPLICANT = "applicant"  # 入党申请人
    ACTIVIST = "activist"  # 入党积极分子
    PROSPECT = "prospect"  # 发展对象
    PROBATIONARY = "probationary"  # 预备党员
    FULL = "full"  # 正式党员


STAGE_LABELS: dict[str, str] = {
    Stage.APPLICANT: "入党申请人",
    Stage.ACTIVIST: "入党积极分子",
    Stage.PROSPECT: "发展对象",
    Stage.PROBATIONARY: "预备党员",
    Stage.FULL: "正式党员",
}

#: the five phases of the standard flow (阶段), which are not quite the stages above: phase 四
#: (接收预备党员) is walked by a 发展对象 and ends with a 预备党员
PHASES: dict[int, str] = {
    1: "入党申请",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育、考察和转正",
}


class Actor(StrEnum):
    CANDIDATE = "candidate"  # 本人
    BRANCH = "branch"  # 党支部（支委会、支部大会）
    COMMITTEE = "committee"  # 上级党委（基层党委、机关党委；无机关党委的由机关工委）
    PARTY_GROUP = "party_group"  # 党组（党委）
    DEPARTMENT = "department"  # 上级党委组织部门


ACTOR_LABELS: dict[str, str] = {
    Actor.CANDIDATE: "本人",
    Actor.BRANCH: "党支部",
    Actor.COMMITTEE: "上级党委",
    Actor.PARTY_GROUP: "党组（党委）",
    Actor.DEPARTMENT: "上级组织部门",
}


@dataclass(frozen=True)
class Step:
    code: str
    number: int | None  # 1..25 for the standard steps; None for the extra ones
    phase: int
    label: str
    actor: str
    #: what the step records besides its date: "end" (an end date), "hours" (class hours),
    #: "days" (days), "result" (passed/not), "vote" (a 支部大会 vote), "people" (members named),
    #: "document" (a file may be attached)
    records: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    repeatable: bool = False
    #: the stage a candidate reaches when this step is recorded
    enters: str | None = None
    #: a Word document the platform generates for the step (recruitment/documents.py)
    document: str | None = None


STEPS: tuple[Step, ...] = (
    Step("application", 1, 1, "递交入党申请书", Actor.CANDIDATE, ("document",),
         ("R-DEV-01", "R-DEV-02"), enters=Stage.APPLICANT),
    Step("talk", 2, 1, "党组织派人谈话", Actor.BRANCH, ("people",), ("R-DEV-03",)),
    Step("activist", 3, 2, "推荐和确定入党积极分子", Actor.BRANCH, ("document",), ("R-DEV-04",),
         enters=Stage.ACTIVIST),
    Step("activist_filing", 4, 2, "入党积极分子报上级党委备案", Actor.BRANCH, (), ("R-DEV-04",)),
    Step("contacts", 5, 2, "指定培养联系人", Actor.BRANCH, ("people",), ("R-DEV-05",)),
    Step("assessment", 6, 2, "培养教育考察", Actor.BRANCH, ("document",), ("R-DEV-06",),
         repeatable=True),
    Step("prospect_publicity", None, 3, "确定发展对象前公示", Actor.BRANCH, ("end", "document"),
         ("R-DEV-08", "R-GEN-04"), document="publicity_notice"),
    Step("prospect", 7, 3, "确定发展对象", Actor.BRANCH, (), ("R-DEV-07", "R-DEV-08"),
         enters=Stage.PROSPECT),
    Step("prospect_filing", 8, 3, "发展对象报上级党委备案", Actor.BRANCH, (), ("R-DEV-07",)),
    Step("introducers", 9, 3, "确定入党介绍人", Actor.BRANCH, ("people",), ("R-DEV-09",)),
    Step("political_review", 10, 3, "进行政治审查", Actor.BRANCH, ("result", "document"),
         ("R-DEV-10",)),
    Step("training", 11, 3, "开展集中培训", Actor.COMMITTEE, ("end", "days", "hours"),
         ("R-DEV-11",)),
    Step("committee_review", 12, 4, "支部委员会审查", Actor.BRANCH, (), ("R-DEV-12", "R-DEV-13")),
    Step("pre_review", 13, 4, "上级党委预审", Actor.COMMITTEE, ("result",), ("R-DEV-12",)),
    Step("volunteer_form", 14, 4, "填写入党志愿书", Actor.CANDIDATE, (), ("R-DEV-14",)),
    Step("acceptance", 15, 4, "支部大会讨论接收预备党员", Actor.BRANCH, ("vote",),
         ("R-DEV-14", "R-DEV-15", "R-DEV-25"), document="assembly_list"),
    Step("approval_talk", 16, 4, "上级党委派人谈话", Actor.COMMITTEE, ("people",), ("R-DEV-16",)),
    Step("party_group_review", None, 4, "党组（党委）研究", Actor.PARTY_GROUP, (),
         ("R-ORG-14", "R-DEV-26")),
    Step("approval", 17, 4, "上级党委审批", Actor.COMMITTEE, ("result",),
         ("R-DEV-17", "R-DEV-18", "R-ORG-14", "R-DEV-26"), enters=Stage.PROBATIONARY),
    Step("approval_filing", 18, 4, "报上级党委组织部门备案", Actor.COMMITTEE, (), ("R-DEV-17",)),
    Step("placement", 19, 5, "编入党支部和党小组", Actor.BRANCH, (), ()),
    Step("oath", 20, 5, "入党宣誓", Actor.BRANCH, (), ("R-DEV-19",)),
    Step("probation_assessment", 21, 5, "继续教育考察", Actor.BRANCH, ("document",), ("R-DEV-21",),
         repeatable=True),
    Step("conversion_application", 22, 5, "提出转正申请", Actor.CANDIDATE, ("document",),
         ("R-DEV-21", "R-DEV-22"), document="conversion_summary"),
    Step("extension", None, 5, "延长预备期", Actor.BRANCH, ("vote",), ("R-DEV-21",)),
    Step("extension_approval", None, 5, "上级党委批准延长预备期", Actor.COMMITTEE, ("result",),
         ("R-DEV-21", "R-ORG-14")),
    Step("conversion_meeting", 23, 5, "支部大会讨论转正", Actor.BRANCH, ("vote",),
         ("R-DEV-15", "R-DEV-21", "R-DEV-22", "R-DEV-25"), document="assembly_list"),
    Step("conversion_approval", 24, 5, "上级党委审批转正", Actor.COMMITTEE, ("result",),
         ("R-DEV-22", "R-ORG-14", "R-DEV-26"), enters=Stage.FULL),
    Step("archive", 25, 5, "材料归档", Actor.BRANCH, (), ("R-DEV-24",)),
    Step("cancellation", None, 5, "取消预备党员资格", Actor.BRANCH, ("vote",), ("R-DEV-21",)),
    Step("cancellation_approval", None, 5, "上级党委批准取消预备党员资格", Actor.COMMITTEE,
         ("result",), ("R-DEV-21", "R-ORG-14")),
)  # fmt: skip

STEP_BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
STEP_CODES: tuple[str, ...] = tuple(s.code for s in STEPS)
STANDARD_STEPS: tuple[Step, ...] = tuple(s for s in STEPS if s.number is not None)
assert len(STANDARD_STEPS) == 25 and [s.number for s in STANDARD_STEPS] == list(range(1, 26))


def step_label(code: str) -> str:
    step = STEP_BY_CODE.get(code)
    return (
        f"第{step.number}步 {step.label}"
        if step and step.number
        else (step.label if step else code)
    )
