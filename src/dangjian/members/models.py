"""Members, minimal (issue #2): enough for the tree, the counts and the demo."""

from django.db import models

from dangjian.core.scoping import ScopedManager


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Category(models.TextChoices):
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


class Employment(models.TextChoices):
    IN_SERVICE = "in_service", "在职"
    RETIRED = "retired", "离退休"


class Standing(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停止党籍"


class Member(models.Model):
    SCOPE_PATH = "branch__path"

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, blank=True, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=50, blank=True, db_index=True)
    sex = models.CharField("性别", max_length=10, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    branch = models.ForeignKey(
        "orgs.Org", verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members"
    )
    joined_on = models.DateField("加入党组织日期")
    converted_on = models.DateField("转为正式党员日期", null=True, blank=True)
    employment = models.CharField(
        "在职状态", max_length=20, choices=Employment.choices, default=Employment.IN_SERVICE
    )
    standing = models.CharField(
        "党籍状态", max_length=20, choices=Standing.choices, default=Standing.NORMAL
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        default_manager_name = "all_objects"
        ordering = ["branch", "name_pinyin", "id"]
        indexes = [models.Index(fields=["branch", "category"])]

    def __str__(self):
        return self.name
