"""`gonghui rotate-keys`: re-encrypt the members' document and mobile numbers under the current key.

After a new key is put in front of PII_ENCRYPTION_KEYS (or PII_CIPHER is changed), every token made
under an older key or the other cipher is decrypted and encrypted again under the current one, with
the same associated data (the record's blind index). Rows are taken in primary-key order, a batch
per transaction, and only rows holding a token without the current ``v<version>:<cipher>:`` prefix
are read (a prefix filter in SQL), so an interrupted run is simply run again, and a second run
finds nothing to do. When it reports 0, the old key can be removed from PII_ENCRYPTION_KEYS.
The blind indexes are not touched: PII_INDEX_KEY does not rotate with the encryption keys.
The work is `members.actions.rotate_member_keys`.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from gonghui.common import audit, pii
from gonghui.common.actors import system_actor
from gonghui.common.errors import DomainError
from gonghui.members.actions import rotate_member_keys


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
        try:
            counts = rotate_member_keys(batch=batch)
        except DomainError as e:
            raise CommandError(e.message) from None
        seconds = round(time.monotonic() - started, 3)
        audit.record("pii_rotate_keys", actor=system_actor(), object_repr="会员证件号码与手机号",
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
