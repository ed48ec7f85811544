"""Fingerprints and LSH buckets of indexed texts (see the package docstring and
docs/similarity.md).

A text is identified by (source_type, source_id) — e.g. ("orglife.meeting", 42) — and belongs
to a node of the org tree (`org_path`). Its MinHash signature is kept; each of its bands is
one `LshBucket` row, so a new text finds its candidates with one indexed query on
(band, key). A bucket shared by too many texts or orgs is boilerplate: it is recorded in
`FrequentBand`, its rows are deleted, and it never produces candidates again; its four
signature values are kept in `BoilerplateValue` and no longer count towards any pair's score.
"""

from django.db import models
from django.utils import timezone

from dangjian.core.scoping import ScopedManager


class TextFingerprint(models.Model):
    SCOPE_PATH = "org_path"

    source_type = models.CharField("来源类型", max_length=40)
    source_id = models.BigIntegerField("来源编号")
    org_path = models.CharField("组织路径", max_length=255, db_index=True)
    signature = models.BinaryField("MinHash签名")
    shingle_count = models.PositiveIntegerField("片段数")
    created_at = models.DateTimeField("文本日期", default=timezone.now)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = "文本指纹"
        verbose_name_plural = "文本指纹"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="similarity_fingerprint_source"
            )
        ]

    def __str__(self):
        return f"{self.source_type}:{self.source_id}"


class LshBucket(models.Model):
    band = models.SmallIntegerField("分带")
    key = models.BigIntegerField("分带键")
    fingerprint = models.ForeignKey(
        TextFingerprint, verbose_name="文本指纹", on_delete=models.CASCADE, related_name="buckets"
    )

    class Meta:
        verbose_name = "LSH分桶"
        verbose_name_plural = "LSH分桶"
        indexes = [models.Index(fields=["band", "key"], name="similarity_bucket_band_key")]

    def __str__(self):
        return f"{self.band}:{self.key}"


class FrequentBand(models.Model):
    """A (band, key) shared by more texts or orgs than the boilerplate thresholds allow."""

    band = models.SmallIntegerField("分带")
    key = models.BigIntegerField("分带键")
    texts = models.PositiveIntegerField("文本数", default=0)
    orgs = models.PositiveIntegerField("组织数", default=0)
    marked_at = models.DateTimeField("标记时间", default=timezone.now)

    class Meta:
        verbose_name = "高频分带（模板文本）"
        verbose_name_plural = "高频分带（模板文本）"
        constraints = [
            models.UniqueConstraint(fields=["band", "key"], name="similarity_frequent_band_key")
        ]

    def __str__(self):
        return f"{self.band}:{self.key}"


class BoilerplateValue(models.Model):
    """A MinHash value known to come from boilerplate: the rows of every frequent band. A
    pair's equal rows carrying such a value are left out of its score, so a copied text is
    judged on what it does not share with every other branch."""

    perm = models.SmallIntegerField("签名行（置换序号）")
    value = models.BigIntegerField("签名值")

    class Meta:
        verbose_name = "模板签名值"
        verbose_name_plural = "模板签名值"
        constraints = [
            models.UniqueConstraint(fields=["perm", "value"], name="similarity_boilerplate_value")
        ]

    def __str__(self):
        return f"{self.perm}:{self.value}"
