import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.demo.actions import DEMO_DEVICE


class Command(BaseCommand):
    help = "显示演示账号当前的 6 位动态码（只限“演示设备”，真实账号的设备不会显示）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号，如 sheng")

    def handle(self, *args, username, **options):
        device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE, confirmed=True).first()
        if device is None:
            raise CommandError(f"账号 {username} 没有“{DEMO_DEVICE}”，不是演示账号，不能显示动态码。")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        self.stdout.write(f"{totp.token():0{device.digits}d}")
