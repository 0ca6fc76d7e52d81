from gonghui.members.tests.conftest import member_factory  # noqa: F401 (fixture)
