"""`gonghui rotate-keys`: re-encrypt the members' document and mobile numbers under the current key.

After a new key is put in front of PII_ENCRYPTION_KEYS (or PII_CIPHER is changed), every token made
under an older key or the other cipher is decrypted and encrypted again under the current one, with
the same associated data (the record's blind index). Rows are taken in primary-key order, a batch
per transaction, and only rows holding a token without the current ``v<version>:<cipher>:`` prefix
are read (a prefix filter in SQL), so an interrupted run is simply run again, and a second run
finds nothing to do. When it reports 0, the old key can be removed from PII_ENCRYPTION_KEYS.
The blind indexes are not touched: PII_INDEX_KEY does not rotate with the encryption keys.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from gonghui.common import audit, pii
from gonghui.members.models import ID_CONTEXT, MOBILE_CONTEXT, Member


def current_prefix() -> str:
    k = pii.keys()
    return f"v{k.current_version}:{pii.CIPHERS[k.cipher][0]}:"


def rotate_members(*, batch: int = 5000, progress=None) -> dict[str, int]:
    """Re-encrypt every member token not under the current key and cipher; {"members", "id_numbers", "mobiles"}.
    Each batch commits on its own; `progress(counts)` is called after each."""
    prefix = current_prefix()
    stale = ~Q(id_number_enc__startswith=prefix) | (~Q(mobile_enc="") & ~Q(mobile_enc__startswith=prefix))
    counts = {"members": 0, "id_numbers": 0, "mobiles": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(Member.objects.filter(stale, pk__gt=last_pk).order_by("pk").select_for_update()
                        .only("pk", "id_index", "id_number_enc", "mobile_enc")[:batch])
            if not rows:
                return counts
            for member in rows:
                try:
                    if pii.needs_rotation(member.id_number_enc):
                        member.id_number_enc = pii.rotate(member.id_number_enc, context=ID_CONTEXT + member.id_index)
                        counts["id_numbers"] += 1
                    if member.mobile_enc and pii.needs_rotation(member.mobile_enc):
                        member.mobile_enc = pii.rotate(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index)
                        counts["mobiles"] += 1
                except pii.DecryptionError as e:
                    raise CommandError(f"会员记录 #{member.pk} 的密文无法解密：{e}（此前的批次已提交，"
                                       "补齐 PII_ENCRYPTION_KEYS 中的旧密钥后可重新运行）") from None
            Member.objects.bulk_update(rows, ["id_number_enc", "mobile_enc"])
            counts["members"] += len(rows)
            last_pk = rows[-1].pk
        if progress:
            progress(counts)


class Command(BaseCommand):
    help = "用当前密钥和算法重新加密会员的证件号码与手机号（分批提交，可中断后重新运行；已是当前密钥的跳过）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="每批（每个事务）处理的会员记录数，默认 5000")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, batch: int, json: bool = False, **options):
        if batch < 1:
            raise CommandError("--batch 应为正整数。")
        keys = pii.keys()
        started = time.monotonic()
        counts = rotate_members(batch=batch)
        seconds = round(time.monotonic() - started, 3)
        audit.record("pii_rotate_keys", actor_name="命令行", object_repr="会员证件号码与手机号",
                     changes=counts | {"key_version": keys.current_version, "cipher": keys.cipher})
        if json:
            out = counts | {"key_version": keys.current_version, "cipher": keys.cipher, "seconds": seconds}
            self.stdout.write(_dumps(out))
            return
        self.stdout.write(f"已用当前密钥 v{keys.current_version}（{keys.cipher}）重新加密："
                          f"会员记录 {counts['members']} 条，其中证件号码 {counts['id_numbers']} 个、"
                          f"手机号 {counts['mobiles']} 个，用时 {seconds} 秒。")
        if counts["members"] == 0:
            self.stdout.write("所有密文均已使用当前密钥；旧密钥可从 PII_ENCRYPTION_KEYS 中移除。")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
