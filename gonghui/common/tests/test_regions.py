"""GB/T 2260 division codes (reference part B.3): current codes accepted, retired ones refused for
new records with their successor named, the whole historical table loaded."""

import pytest

from gonghui.common import regions
from gonghui.common.models import Region


def test_all_codes_loaded_by_the_migration(db):
    """Done-when: common.Region holds all 6,823 rows of the areacodes table after migrating."""
    assert Region.objects.count() == 6823 == len(regions.read_csv())
    assert Region.objects.filter(in_use=True).count() == 3213
    assert Region.objects.get(code="340102", in_use=True).name == "瑶海区"


def test_current_code_accepted(db):
    assert regions.problem("340102") is None
    assert regions.problem("340000") is None and regions.problem("340100") is None


def test_retired_code_refused_with_successor(db):
    """Done-when: a retired code is refused for new records, naming its successor (崇文区 → 110101)."""
    assert regions.problem("110103") == "行政区划代码 110103（崇文区）已于2010年停用，现行代码为 110101。"


@pytest.mark.parametrize("code", ["34010", "3401021", "abcdef", "３４０１０２", "34 102", ""])
def test_non_code_refused(db, code):
    assert regions.problem(code) == "行政区划代码应为6位数字（GB/T 2260），如 340102。"


def test_unknown_code_refused(db):
    assert regions.problem("999999") == "行政区划代码 999999 不在 GB/T 2260 代码表中。"


@pytest.mark.parametrize("code, prefix", [("340000", "34"), ("340100", "3401"), ("340102", "340102"),
                                          ("110000", "11"), ("110101", "110101")])
def test_region_prefix(code, prefix):
    assert regions.region_prefix(code) == prefix


def test_region_prefix_matches_the_model(db):
    for region in Region.objects.filter(code__in=["340000", "340100", "340102"], in_use=True):
        assert region.prefix == regions.region_prefix(region.code)
