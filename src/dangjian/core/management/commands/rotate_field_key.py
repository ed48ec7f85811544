"""`dangjian rotate_field_key`: re-seal every sealed value with the newest field key.

Rotation without downtime: put the new key first in DANGJIAN_FIELD_KEYS, keeping the old ones
after it, and restart the application (new values are sealed with the new key, old ones still
open); then run this command, which re-seals old values batch by batch, each batch in its own
short transaction; then an old key may be removed — except the last one in the list, from
which the keyed digests of ID numbers are derived.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from dangjian.core import crypto
from dangjian.legal.models import Lawyer
from dangjian.members.imports import files as import_files
from dangjian.members.models import Member
from dangjian.veterans.models import Retiree

SEALED = ("id_number_sealed", "phone_sealed", "address_sealed")
#: every model with sealed fields, and the fields (a new sealed field must be added here)
SEALED_MODELS = (
    (Member, SEALED),
    (Retiree, ("phone_sealed", "address_sealed", "health_note_sealed")),
    (Lawyer, ("phone_sealed",)),
)
BATCH = 1000


class Command(BaseCommand):
    help = (
        "用最新的字段密钥重新加密全部敏感信息（党员的公民身份号码、联系电话、家庭住址，离退休干部的"
        "联系电话、住址、健康状况，律师的联系电话）和待用的导入文件。"
    )

    def handle(self, *args, **options):
        current = crypto.current_key_id()
        checked, resealed = self._reseal(Member, SEALED, current)
        others_checked = others_resealed = 0
        for model, fields in SEALED_MODELS[1:]:
            seen, changed = self._reseal(model, fields, current)
            others_checked += seen
            others_resealed += changed
        files = 0
        for path in import_files.import_dir().glob("*.xlsx"):
            blob = path.read_bytes()
            if blob.startswith(crypto.FILE_MAGIC) and crypto.file_key_id_of(blob) != current:
                path.write_bytes(crypto.seal_bytes(crypto.open_bytes(blob)))
                files += 1
        self.stdout.write(
            f"已检查 {checked} 名党员，重新加密 {resealed} 名的敏感信息、{files} 个导入文件；"
            f"另检查离退休干部和律师 {others_checked} 人，重新加密 {others_resealed} 人"
            f"（当前密钥 {current}）。"
        )

    @staticmethod
    def _reseal(model, fields, current) -> tuple[int, int]:
        """Re-seal one model's fields batch by batch, each batch in its own transaction."""
        checked = resealed = last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.all_objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .only("pk", *fields)[:BATCH]
                )
                if not rows:
                    return checked, resealed
                changed = []
                for row in rows:
                    dirty = False
                    for field in fields:
                        token = getattr(row, field)
                        if token and crypto.key_id_of(token) != current:
                            setattr(row, field, crypto.encrypt(crypto.decrypt(token)))
                            dirty = True
                    if dirty:
                        changed.append(row)
                model.all_objects.bulk_update(changed, fields)
                resealed += len(changed)
                checked += len(rows)
                last = rows[-1].pk
