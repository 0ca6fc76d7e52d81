import base64
import os

from django.core.management.base import BaseCommand

from gonghui.common.pii import KEY_BYTES


def new_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


class Command(BaseCommand):
    help = "生成新的个人信息密钥，以环境变量格式输出（首次部署输出两项；轮换时只输出新的加密密钥）。"

    def add_arguments(self, parser):
        parser.add_argument("--key-version", type=int, default=1,
                            help="加密密钥的版本号（默认 1；轮换时取比现有版本更大的数，"
                                 "并放在 PII_ENCRYPTION_KEYS 最前面）")

    def handle(self, *args, key_version, **options):
        self.stdout.write(f"PII_ENCRYPTION_KEYS={key_version}:{new_key()}")
        if key_version == 1:
            self.stdout.write(f"PII_INDEX_KEY={new_key()}")
        else:
            # Changing the index key would invalidate every stored blind index, so rotation keeps it.
            self.stderr.write("轮换：把上面的新条目加在现有 PII_ENCRYPTION_KEYS 最前面（逗号分隔），"
                              "PII_INDEX_KEY 保持不变。")
