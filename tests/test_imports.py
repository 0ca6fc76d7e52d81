# ruff: noqa: F811  (the fixtures imported below are the test arguments of the same names)
"""Issue 12, point 3 "Imports", across the apps: the imports (organizations, members, hardship files, past aid
payments, mutual-aid enrolment lists) run on the one pipeline (common.imports: one RowError, one result, one job
path), and each stores its error workbook encrypted — no clear ID number or phone in the stored bytes, the
organization import's union chair's phone included. Kept outside the layered package: it names apps of
every layer."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gonghui.common import imports
from gonghui.common.excel import build_workbook
from gonghui.common.models import ImportJob
from gonghui.conftest import make_cadre, pii_log_guard, sms_outbox, tree  # noqa: F401 (fixtures)
from gonghui.hardship import aid_history
from gonghui.hardship import importing as hardship_importing
from gonghui.members import importing as member_importing
from gonghui.members.tests.conftest import make_id, member_factory  # noqa: F401 (fixture)
from gonghui.mutualaid import importing as enrol_importing
from gonghui.orgs import importing as org_importing

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
IMPORTERS = [org_importing.ORGS, member_importing.MEMBERS, hardship_importing.HARDSHIP, aid_history.AID_HISTORY,
             enrol_importing.ENROLMENT]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


def stored_and_read(job: ImportJob) -> tuple[bytes, list]:
    """The error file's bytes as stored, and the values of the workbook the job reads back."""
    job.refresh_from_db()
    raw = ImportJob.media_path(job.error_file).read_bytes()
    values = [c.value for row in load_workbook(io.BytesIO(job.read_error_file())).active.iter_rows() for c in row]
    return raw, values


def assert_sealed(raw: bytes, *clear: str) -> None:
    assert not zipfile.is_zipfile(io.BytesIO(raw))  # not a workbook: ciphertext
    for text in clear:
        assert text.encode() not in raw


def test_the_imports_are_declared_on_the_one_pipeline():
    """Point 3: each import is an `Importer` of the one pipeline, with its own job kind and the shared types."""
    assert all(isinstance(i, imports.Importer) for i in IMPORTERS)
    assert len({i.kind for i in IMPORTERS}) == len(IMPORTERS) == 5
    for module in (org_importing, member_importing, hardship_importing, aid_history):
        assert module.ImportResult is imports.ImportResult and module.ImportFileError is imports.ImportFileError
    assert enrol_importing.ImportResult is imports.ImportResult


def test_org_import_error_file_encrypted_chair_phone_included(tree, media):
    """Point 3: the organization import's error workbook (union chairs' names and phones) is stored encrypted."""
    by = make_cadre(tree["K11"], "org_admin")
    out = io.StringIO()
    csv.writer(out).writerows([
        ["组织代码", "上级组织代码", "组织名称", "组织类型", "工会主席", "联系电话", "统一社会信用代码"],
        ["E1", "T111", "瑶海某公司工会", "基层工会", "王主席", PHONE, "91350203M0001QAY9B"]])
    job = org_importing.start_org_import(upload=SimpleUploadedFile("orgs.csv", out.getvalue().encode()), by=by)
    job.refresh_from_db()
    assert (job.status, job.summary["rejected"], job.kind) == ("done", 1, org_importing.ORGS.kind)
    raw, values = stored_and_read(job)
    assert_sealed(raw, PHONE, "王主席")
    assert PHONE in values and "王主席" in values


def test_member_import_error_file_encrypted(tree, media):
    """Point 3: the member import's error workbook (ID numbers, mobiles) is stored encrypted."""
    by = make_cadre(tree["K11"], "operator")
    id_number = make_id(seq=901)
    data = build_workbook("会员", ["姓名", "身份证号", "手机号", "入会日期"],
                          [["张三", id_number, "1391234", "2020-05-01"]])
    job = member_importing.start_member_import(upload=SimpleUploadedFile("m.xlsx", data), org=tree["G1111"],
                                               mode=imports.VALID_ONLY, by=by)
    raw, values = stored_and_read(job)
    assert job.summary["rejected"] == 1
    assert_sealed(raw, id_number, "1391234")
    assert id_number in values


def test_hardship_import_error_file_encrypted(tree, media, member_factory):
    """Point 3: the hardship import's error workbook is stored encrypted."""
    id_number = make_id(seq=902)
    member = member_factory("G1111", name="王五", id_number=id_number, mobile=PHONE)
    header = ["姓名", "身份证号", "档案级别", "困难类别", "家庭人口", "家庭月收入", "建档日期", "联系电话"]
    data = build_workbook("档案", header, [[member.name, id_number, "乡级", "深度困难", 3, 2400, "2024-03-15", PHONE]])
    by = make_cadre(tree["K11"], "operator")
    job = hardship_importing.run_import(upload=SimpleUploadedFile("h.xlsx", data), by=by)
    raw, values = stored_and_read(job)
    assert job.summary["rejected"] == 1
    assert_sealed(raw, id_number, PHONE)
    assert id_number in values and PHONE in values


def test_aid_history_import_error_file_encrypted(tree, media, member_factory):
    """Issue 13 part 5: the error workbook of past aid payments (ID numbers) is stored encrypted."""
    id_number = make_id(seq=904)
    member_factory("G1111", name="王五", id_number=id_number)
    data = build_workbook("历史发放", aid_history.TEMPLATE_COLUMNS,
                          [["王五", id_number, "生活救助", "800", "2026-03-15", "中央财政帮扶资金", "K21", ""]])
    job = aid_history.run_import(upload=SimpleUploadedFile("a.xlsx", data), by=make_cadre(tree["K11"], "operator"))
    raw, values = stored_and_read(job)
    assert job.summary["rejected"] == 1
    assert_sealed(raw, id_number)
    assert id_number in values and "K21" in values


def test_enrolment_list_error_file_encrypted(tree, media):
    """Point 3: the rejected rows of a mutual-aid enrolment list are stored encrypted."""
    by = make_cadre(tree["K11"], "operator")
    id_number = make_id(seq=903)
    data = build_workbook("名单", ["姓名", "身份证号", "手机号"], [["无此人", id_number, PHONE]])
    listing = enrol_importing.read_enrolment_list(data, "名单.xlsx", org=tree["K11"], by=by)
    job = enrol_importing.keep_rejected(listing, filename="名单.xlsx", by=by)
    assert type(listing.errors[0]) is imports.RowError
    raw, values = stored_and_read(job)
    assert_sealed(raw, id_number, PHONE)
    assert id_number in values
