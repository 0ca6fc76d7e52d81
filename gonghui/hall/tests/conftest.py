import pytest

from gonghui.hall import workdays
from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def fresh_workday_cache():
    """HolidayDay rows a test creates vanish at its rollback without a signal: start and end with no cache."""
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Attachments are written under MEDIA_ROOT: a temporary one per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
