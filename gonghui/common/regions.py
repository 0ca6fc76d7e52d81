"""GB/T 2260 division codes: lookups over common.Region (loaded from data/areacodes.csv)."""

import csv
from functools import cache
from pathlib import Path

from django.db import transaction

CSV_PATH = Path(__file__).parent / "data" / "areacodes.csv"
LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}


def region_prefix(code: str) -> str:
    """The significant digits of a division code: 34 for 340000, 3401 for 340100, 340102 as is."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def read_csv() -> list[dict]:
    rows = []
    with CSV_PATH.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "code": row["代码"],
                    "name": row["名称"],
                    "province_name": row["一级行政区"],
                    "prefecture_name": row["二级行政区"],
                    "level": LEVELS[row["级别"]],
                    "in_use": row["状态"] == "在用",
                    "since": int(row["启用时间"]) if row["启用时间"] else None,
                    "until": int(row["变更/弃用时间"]) if row["变更/弃用时间"] else None,
                    "successors": row["新代码"],
                }
            )
    return rows


def load_regions() -> int:
    """(Re)load common.Region from the shipped CSV. Returns the number of codes."""
    from .models import Region

    rows = read_csv()
    with transaction.atomic():
        Region.objects.all().delete()
        Region.objects.bulk_create([Region(**r) for r in rows], batch_size=1000)
    current_codes.cache_clear()
    from .idcard import historical_codes

    historical_codes.cache_clear()
    return len(rows)


@cache
def current_codes() -> frozenset[str]:
    from .models import Region

    return frozenset(Region.objects.filter(in_use=True).values_list("code", flat=True))


def problem(code: str) -> str | None:
    """Why `code` is not a division code in use today (Chinese), or None."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return "行政区划代码应为6位数字（GB/T 2260），如 340102。"
    if code not in current_codes():
        from .models import Region

        old = Region.objects.filter(code=code).order_by("-since").first()
        if old:
            hint = f"，现行代码为 {old.successors}" if old.successors else ""
            return f"行政区划代码 {code}（{old.name}）已于{old.until}年停用{hint}。"
        return f"行政区划代码 {code} 不在 GB/T 2260 代码表中。"
    return None
