"""The organisation tree: units, Party bodies, committee seats and terms."""

from django.db import models

from dangjian.core.scoping import ScopedManager


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", "机关工委"
    PARTY_GROUP = "party_group", "党组"
    ORGAN_COMMITTEE = "organ_committee", "机关党委"
    DISCIPLINE_COMMITTEE = "discipline_committee", "机关纪委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


# Which kinds may sit directly under which. The 党组 is the unit's top node in this tree; a
# small unit has its branches straight under the 党组, a large one a 机关党委 in between.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    OrgKind.WORKING_COMMITTEE: frozenset(
        {OrgKind.PARTY_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
    ),
    OrgKind.PARTY_GROUP: frozenset(
        {OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
    ),
    OrgKind.ORGAN_COMMITTEE: frozenset(
        {OrgKind.DISCIPLINE_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
    ),
    OrgKind.DISCIPLINE_COMMITTEE: frozenset(),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BRANCH}),
    OrgKind.BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.GROUP: frozenset(),
}


class UnitKind(models.TextChoices):
    PARTY = "party", "党委部门"
    GOVERNMENT = "government", "政府部门"
    PEOPLES_CONGRESS = "congress", "人大政协机关"
    JUDICIAL = "judicial", "法院检察院"
    MASS = "mass", "群团机关"
    INSTITUTION = "institution", "事业单位"


class Unit(models.Model):
    """A government department or institution (单位); its Party bodies form a subtree."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField(
        "单位类别", max_length=20, choices=UnitKind.choices, default=UnitKind.GOVERNMENT
    )
    staff_count = models.PositiveIntegerField("在编人数", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name


class Org(models.Model):
    """One Party body in the tree. `path` is "/<id of root>/…/<own id>/", so the subtree of
    an org is every org whose path starts with its path."""

    SCOPE_PATH = "path"

    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("组织类别", max_length=32, choices=OrgKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    unit = models.ForeignKey(
        Unit,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orgs",
    )
    is_retiree_branch = models.BooleanField("离退休干部党支部", default=False)
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True, db_index=True)
    dissolved_reason = models.CharField("撤销原因", max_length=200, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        default_manager_name = "all_objects"
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "sort", "id"])]

    def __str__(self):
        return self.name

    @property
    def kind_label(self) -> str:
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/")[:-1] if x]


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANIZATION = "organization", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    WOMEN = "women", "妇女委员"
    MEMBER = "member", "委员"
    GROUP_LEADER = "group_leader", "党小组组长"


class CommitteeSeat(models.Model):
    """Who holds which seat of a body's committee, from when to when."""

    SCOPE_PATH = "org__path"

    org = models.ForeignKey(
        Org, verbose_name="组织", on_delete=models.PROTECT, related_name="seats"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="seats"
    )
    role = models.CharField("职务", max_length=32, choices=SeatRole.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "委员任职"
        verbose_name_plural = "委员任职"
        default_manager_name = "all_objects"
        ordering = ["org", "ended_on", "role", "started_on"]
        indexes = [models.Index(fields=["org", "ended_on"])]

    def __str__(self):
        return f"{self.org} {self.get_role_display()} {self.member}"


class Term(models.Model):
    """One term of office (届) of a body: from its election to the due end; closed when the
    next election (换届) is recorded."""

    SCOPE_PATH = "org__path"

    org = models.ForeignKey(
        Org, verbose_name="组织", on_delete=models.PROTECT, related_name="terms"
    )
    started_on = models.DateField("选举日期（本届开始）")
    due_on = models.DateField("应届满日期")
    ended_on = models.DateField("实际换届日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        default_manager_name = "all_objects"
        ordering = ["org", "-started_on"]
        indexes = [models.Index(fields=["org", "ended_on"])]

    def __str__(self):
        return f"{self.org} {self.started_on:%Y}—{self.due_on:%Y}"
