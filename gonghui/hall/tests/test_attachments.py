"""Part 3: attachments — what an upload must be (type from its bytes, size, not empty, a known material),
who may upload and when, how the file is stored, and who may download it (everyone else gets a 404).
Each test names the part of the issue it covers."""

import hashlib
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.http import Http404
from django.urls import path

from gonghui.common.errors import DomainError
from gonghui.common.models import AuditEntry
from gonghui.conftest import login, make_cadre
from gonghui.hall import actions, attachments
from gonghui.hall.models import Application, Attachment, ItemVersion, ServiceItem

pytestmark = pytest.mark.django_db
S = Application.Status

# The URL the project will wire (brief): the project's own patterns behind it, so the middleware
# (login, two-factor) runs as in production.
urlpatterns = [path("w/hall/files/<int:attachment_id>/", attachments.download),
               *import_module(django_settings.ROOT_URLCONF).urlpatterns]
URL = "/w/hall/files/{}/"

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"[Content_Types].xml" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
SPECS = [
    {"name": "proof", "label": "证明材料", "types": ["pdf", "jpg", "png"], "max_mb": 1, "required": True},
    {"name": "contract", "label": "劳动合同", "types": ["pdf"], "max_mb": 1, "required": True},
    {"name": "photo", "label": "现场照片", "types": ["jpeg", "png"], "max_mb": 1, "required": False},
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item(tree) -> ServiceItem:
    """A town-level item with small materials: the applicant's union (G1111) and the handling union (T111)
    differ, and the sibling union G1112 is neither."""
    item = ServiceItem.objects.create(code="test_files", name="材料测试事项")
    item.current = ItemVersion.objects.create(
        item=item, number=1, guide="测试", applicants=["worker"], level="town", time_limit_days=5,
        fields=[], attachments=SPECS, steps=[{"name": "受理", "role": "operator"}])
    item.save()
    return item


@pytest.fixture
def applicant(django_user_model):
    return django_user_model.objects.create(username="w_applicant")


@pytest.fixture
def app(tree, item, applicant) -> Application:
    return actions.file_application(item=item, applicant=applicant, applicant_org=tree["G1111"],
                                    applicant_name="李四", raw={}, submit=False)


def upload(content: bytes, name: str = "证明.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# Part 3: attachments — what an upload must be --------------------------------------------------------

def test_sniff_reads_the_type_from_the_first_bytes():
    """Part 3: attachments — signatures, not names; unknown bytes are None."""
    assert [attachments.sniff(b[:attachments.SNIFF_BYTES]) for b in (PDF, PNG, JPG, ZIP, EXE, HEIC)] == [
        "pdf", "png", "jpg", "zip", "exe", "heic"]
    assert attachments.sniff(b"<html><script>") is None and attachments.sniff(b"") is None
    assert attachments.sniff(b" %PDF-1.7") is None  # the header must come first


def test_add_attachment_stores_outside_the_web_root_under_a_random_name(app, applicant, media_root):
    """Part 3: attachments — MEDIA_ROOT/hall/<pk>/<token>.pdf, not the user's name; sha256 and size kept;
    audited with filename, kind and size but no content; the material is no longer missing."""
    assert attachments.missing_attachments(app) == ["证明材料", "劳动合同"]
    attachment = attachments.add_attachment(application=app, slot="proof", upload=upload(PDF, "体检报告.pdf"),
                                            by=applicant)
    attachment.refresh_from_db()
    assert (attachment.slot, attachment.filename, attachment.kind, attachment.size) == (
        "proof", "体检报告.pdf", "pdf", len(PDF))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert re.fullmatch(rf"hall/{app.pk}/[0-9a-f]{{32}}\.pdf", attachment.path)
    on_disk = stored_files(media_root)
    assert on_disk == [media_root / attachment.path] and on_disk[0].read_bytes() == PDF
    assert not on_disk[0].resolve().is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    entry = AuditEntry.objects.get(action="hall_attach")
    assert (entry.object_id, entry.actor) == (str(app.pk), applicant)
    assert entry.changes == {"attachment": attachment.pk, "slot": "proof", "filename": "体检报告.pdf",
                             "kind": "pdf", "size": len(PDF)}
    assert attachments.missing_attachments(app) == ["劳动合同"]
    second = attachments.add_attachment(application=app, slot="proof", upload=upload(PDF, "体检报告.pdf"),
                                        by=applicant)
    assert second.path != attachment.path  # the same name twice: two files, neither overwritten


def test_filename_cleaned_and_given_the_real_extension(app, applicant):
    """Part 3: attachments — no folders or control characters; a JPEG named .jpeg keeps its name; a PNG
    named .pdf in a slot taking both gets .png appended (it opens in the right program)."""
    cases = [(JPG, "C:\\Users\\李四\\现场.jpeg"), (PNG, "扫描件.pdf"), (PNG, "a\r\nb.png"), (PNG, " ")]
    names = [attachments.add_attachment(application=app, slot="proof", upload=upload(content, name),
                                        by=applicant).filename for content, name in cases]
    assert names == ["现场.jpeg", "扫描件.pdf.png", "a  b.png", "证明材料.png"]


@pytest.mark.parametrize(("slot", "content", "name", "message"), [
    ("contract", PNG, "合同.pdf", "“劳动合同”只接受PDF格式的文件，该文件实际为PNG格式。"),
    ("proof", ZIP, "证明.pdf",
     "“证明材料”只接受PDF、JPG、PNG格式的文件，该文件实际为ZIP压缩包（或Word、Excel文档）格式。"),
    ("proof", EXE, "证明.pdf", "“证明材料”只接受PDF、JPG、PNG格式的文件，该文件实际为可执行程序格式。"),
    ("photo", HEIC, "IMG_0001.jpg", "“现场照片”只接受JPG、PNG格式的文件，该文件实际为HEIC（苹果手机照片）格式。"),
    ("proof", b"<html><script>alert(1)</script>", "证明.pdf",
     "“证明材料”只接受PDF、JPG、PNG格式的文件，无法识别该文件的格式。"),
])
def test_type_refused_by_its_bytes_whatever_its_name(app, applicant, media_root, slot, content, name, message):
    """Part 3: attachments — the browser's name and Content-Type claim PDF; the bytes decide; nothing stored."""
    with pytest.raises(DomainError) as refused:
        attachments.add_attachment(application=app, slot=slot, upload=upload(content, name), by=applicant)
    assert (refused.value.message, refused.value.field) == (message, slot)
    assert not Attachment.objects.exists() and stored_files(media_root) == []
    assert not AuditEntry.objects.filter(action="hall_attach").exists()


def test_size_limit_from_the_spec(app, applicant, media_root):
    """Part 3: attachments — max_mb 1: one byte over is refused with the limit, exactly 1 MB is accepted."""
    limit = 1024 * 1024
    with pytest.raises(DomainError) as refused:
        attachments.add_attachment(application=app, slot="proof", upload=upload(PDF + b"\x00" * (limit + 1)),
                                   by=applicant)
    assert refused.value.message == "“证明材料”的文件不能超过1MB，该文件约1.0MB。"
    assert stored_files(media_root) == [] and not Attachment.objects.exists()
    exact = attachments.add_attachment(application=app, slot="proof", upload=upload(PDF.ljust(limit, b"\x00")),
                                       by=applicant)
    assert exact.size == limit and (media_root / exact.path).stat().st_size == limit


def test_empty_file_and_unknown_slot_refused(app, applicant, media_root):
    """Part 3: attachments — an empty file, a material the item does not ask for."""
    with pytest.raises(DomainError, match="^“证明材料”的文件是空的，请重新选择文件。$"):
        attachments.add_attachment(application=app, slot="proof", upload=upload(b""), by=applicant)
    with pytest.raises(DomainError, match="^该事项不需要这项材料"):
        attachments.add_attachment(application=app, slot="id_card", upload=upload(PDF), by=applicant)
    assert not Attachment.objects.exists() and stored_files(media_root) == []


def test_only_the_applicant_or_the_cadre_who_filed_for_them(tree, item, app, applicant, django_user_model,
                                                            media_root):
    """Part 3: attachments — another worker and a handling cadre are refused; the on-behalf cadre may."""
    other = django_user_model.objects.create(username="w_other")
    handler = make_cadre(tree["T111"], "operator")
    for user in (other, handler):
        with pytest.raises(DomainError, match="^只有申请人（或代为申请的工会干部）可以上传申请材料。$"):
            attachments.add_attachment(application=app, slot="proof", upload=upload(PDF), by=user)
    assert stored_files(media_root) == []
    cadre = make_cadre(tree["G1111"], "operator")
    for_someone = actions.file_application(item=item, applicant=other, applicant_org=tree["G1111"],
                                           applicant_name="王五", raw={}, on_behalf_by=cadre, submit=False)
    attachment = attachments.add_attachment(application=for_someone, slot="proof", upload=upload(PDF), by=cadre)
    assert (attachment.application, attachment.uploaded_by) == (for_someone, cadre)


@pytest.mark.parametrize("state", S.values)
def test_upload_only_while_draft_submitted_or_returned(app, applicant, media_root, state):
    """Part 3: attachments — after acceptance (or a final state) the materials are fixed."""
    Application.objects.filter(pk=app.pk).update(status=state)
    if state in (S.DRAFT, S.SUBMITTED, S.RETURNED):
        assert attachments.add_attachment(application=app, slot="proof", upload=upload(PDF), by=applicant).pk
    else:
        label = S(state).label
        with pytest.raises(DomainError, match=f"^该办件当前状态为“{label}”，不能再上传材料。$"):
            attachments.add_attachment(application=app, slot="proof", upload=upload(PDF), by=applicant)
        assert stored_files(media_root) == []


def test_file_removed_when_the_database_write_fails(app, applicant, media_root):
    """Part 3: attachments — the file is written after the checks; if the row cannot be written (the
    database fails), the file and its folder are removed and nothing is recorded."""
    on_disk_at_insert = []

    def fail_attachment_insert(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO") and "hall_attachment" in sql:
            on_disk_at_insert.extend(stored_files(media_root))
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_attachment_insert), pytest.raises(OperationalError):
        attachments.add_attachment(application=app, slot="proof", upload=upload(PDF), by=applicant)
    assert [p.parent for p in on_disk_at_insert] == [media_root / "hall" / str(app.pk)]  # it had been written
    assert stored_files(media_root) == [] and not (media_root / "hall" / str(app.pk)).exists()
    assert not Attachment.objects.exists() and not AuditEntry.objects.filter(action="hall_attach").exists()


def test_files_of_a_larger_transaction_removed_when_it_rolls_back(tree, item, applicant, media_root):
    """Part 3: attachments — file, attach, submit in one go (as the apply page does): a material missing
    after one file was stored rolls everything back, the stored file included; complete, it all stays."""
    def apply(uploads: dict) -> Application:
        with attachments.atomic_uploads():
            app = actions.file_application(item=item, applicant=applicant, applicant_org=tree["G1111"],
                                           applicant_name="李四", raw={}, submit=False)
            for slot, content in uploads.items():
                attachments.add_attachment(application=app, slot=slot, upload=upload(content), by=applicant)
            if missing := attachments.missing_attachments(app):
                raise DomainError(f"请上传：{'、'.join(missing)}。")
            return actions.transition(app, "submit", by=applicant)

    with pytest.raises(DomainError, match="^请上传：劳动合同。$"):
        apply({"proof": PDF, "photo": PNG})
    assert stored_files(media_root) == [] and not Application.objects.exists()
    with pytest.raises(DomainError, match="只接受PDF格式"):
        apply({"proof": PDF, "contract": PNG})
    assert stored_files(media_root) == [] and not Attachment.objects.exists()
    app = apply({"proof": JPG, "contract": PDF})
    assert app.status == S.SUBMITTED and len(stored_files(media_root)) == 2
    assert sorted(a.kind for a in app.attachments.all()) == ["jpg", "pdf"]


# Part 3: attachments — who may download ---------------------------------------------------------------

@pytest.fixture
def stored(app, applicant) -> Attachment:
    return attachments.add_attachment(application=app, slot="proof", upload=upload(PDF, "体检报告.pdf"),
                                      by=applicant)


def assert_served(response, stored: Attachment) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BD%93%E6%A3%80%E6%8A%A5%E5%91%8A.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Length"] == str(len(PDF))


@pytest.mark.urls(__name__)
def test_download_by_the_applicant_and_by_cadres_of_the_handling_and_applicant_unions(tree, client, applicant,
                                                                                     stored):
    """Part 3: attachments — the applicant, a cadre of the handling union (T111) and one of the applicant's
    union (G1111): the file as a download, not cached, each download audited."""
    for user in (applicant, make_cadre(tree["T111"], "operator"), make_cadre(tree["G1111"])):
        assert_served(login(client, user).get(URL.format(stored.pk)), stored)
    entries = AuditEntry.objects.filter(action="hall_attachment_download").order_by("id")
    assert [(e.actor_name, e.object_id, e.changes) for e in entries] == [
        (name, str(stored.application_id), {"attachment": stored.pk, "filename": "体检报告.pdf"})
        for name in ("w_applicant", "u_T111_operator", "u_G1111_viewer")]


@pytest.mark.urls(__name__)
def test_download_not_found_for_everyone_else(tree, client, stored, django_user_model):
    """Part 3: attachments — another worker, a cadre of the sibling union (G1112) and of another city
    (K21), a nonexistent id: the same 404, no file bytes, no download audited; anonymous goes to sign-in."""
    outsiders = [django_user_model.objects.create(username="w_other"), make_cadre(tree["G1112"], "operator"),
                 make_cadre(tree["K21"], "org_admin")]
    for user in outsiders:
        response = login(client, user).get(URL.format(stored.pk))
        assert response.status_code == 404 and PDF not in response.content
        assert login(client, user).get(URL.format(stored.pk + 1000)).status_code == 404
    assert not AuditEntry.objects.filter(action="hall_attachment_download").exists()
    assert AuditEntry.objects.filter(action="access_denied").count() == 3  # the tries at an existing file
    client.logout()
    response = client.get(URL.format(stored.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_download_refuses_post_and_a_missing_file_is_a_404(rf, applicant, stored, media_root):
    """Part 3: attachments — GET only; a row whose file is gone answers 404, not a server error."""
    request = rf.post(URL.format(stored.pk))
    request.user = applicant
    assert attachments.download(request, stored.pk).status_code == 405
    (media_root / stored.path).unlink()
    request = rf.get(URL.format(stored.pk))
    request.user = applicant
    with pytest.raises(Http404, match="未找到该文件"):
        attachments.download(request, stored.pk)
