"""Attachments of service-hall applications (申请材料): the upload checks and storage (`add_attachment`, an
action), which required materials are missing, and the scoped download (`open_attachment`, `download`).

Files live under MEDIA_ROOT/hall/<application pk>/, outside the web root, under a random name: the user's
filename is kept in the row only. A file's type is read from its first bytes (`sniff`), never taken from
its name or the browser's Content-Type."""

import contextlib
import contextvars
import hashlib
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from gonghui.common import audit
from gonghui.common.errors import DomainError
from gonghui.orgs.queries import get_visible_or_404

from .models import Application, Attachment

logger = logging.getLogger(__name__)

S = Application.Status
HALL_DIR = "hall"  # under MEDIA_ROOT
UPLOAD_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})  # before acceptance, or while being corrected
DEFAULT_MAX_MB = 10  # for a spec that names no limit
# The files written inside `atomic_uploads()`, removed if it rolls back (Django has no rollback hook).
_written_in_block: contextvars.ContextVar[list[Path] | None] = contextvars.ContextVar("hall_uploads", default=None)

# Neither `filetype` nor `python-magic` (nor libmagic) is in the venv, and the intranet build installs
# only what is vendored: the few signatures we need are fixed by their formats, so they are written out.
# Only pdf, jpg and png are ever accepted by the catalogue; the others are recognised so that a refusal
# can tell the user what the file really is (an iPhone photo, a Word document, a program).
SNIFF_BYTES = 16
SIGNATURES = [
    (0, b"%PDF-", "pdf"),  # the PDF header line (ISO 32000-1, 7.5.2)
    (0, b"\xff\xd8\xff", "jpg"),  # JPEG: start-of-image marker, then the first segment's marker
    (0, b"\x89PNG\r\n\x1a\n", "png"),  # PNG signature (PNG spec, 5.2)
    (0, b"GIF8", "gif"),
    (8, b"WEBP", "webp"),  # RIFF....WEBP
    (0, b"PK\x03\x04", "zip"),  # also DOCX/XLSX, which are ZIP packages
    (0, b"MZ", "exe"),  # Windows programs
]
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}  # ISO BMFF "ftyp" brands
KIND_LABELS = {"pdf": "PDF", "jpg": "JPG", "png": "PNG", "gif": "GIF", "webp": "WEBP",
               "heic": "HEIC（苹果手机照片）", "zip": "ZIP压缩包（或Word、Excel文档）", "exe": "可执行程序"}
EXTENSIONS = {"jpg": (".jpg", ".jpeg")}  # a kind's usual filename extensions, when not just ".<kind>"
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp", "heic": "image/heic", "zip": "application/zip"}


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (`SNIFF_BYTES` are enough): pdf, jpg, png, gif, webp, heic,
    zip or exe; None when none of these."""
    for offset, signature, kind in SIGNATURES:
        if head[offset:offset + len(signature)] == signature:
            return kind
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "heic"
    return None


def _allowed_kinds(spec: dict) -> list[str]:
    # Administrators may write "jpeg" or "PDF" in a spec: the same kinds as "jpg" and "pdf".
    kinds = [str(t).lower().lstrip(".") for t in spec.get("types") or []]
    return list(dict.fromkeys("jpg" if k == "jpeg" else k for k in kinds))


def _label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.upper())


def _checked_kind(spec: dict, upload: UploadedFile) -> str:
    """The sniffed kind of `upload` if it fits `spec` (not empty, not too large, an allowed type), else a
    DomainError naming the material."""
    label, field = spec["label"], spec["name"]
    if not upload.size:
        raise DomainError(f"“{label}”的文件是空的，请重新选择文件。", field=field)
    max_mb = spec.get("max_mb") or DEFAULT_MAX_MB
    if upload.size > max_mb * 1024 * 1024:
        raise DomainError(f"“{label}”的文件不能超过{max_mb}MB，该文件约{upload.size / 1024 / 1024:.1f}MB。",
                          field=field)
    upload.seek(0)
    kind = sniff(upload.read(SNIFF_BYTES))
    allowed = _allowed_kinds(spec)
    if kind not in allowed:
        real = f"该文件实际为{_label(kind)}格式" if kind else "无法识别该文件的格式"
        raise DomainError(f"“{label}”只接受{'、'.join(_label(k) for k in allowed)}格式的文件，{real}。",
                          field=field)
    return kind


def _clean_filename(name: str, kind: str, fallback: str) -> str:
    """The user's filename as shown and offered for download: no folders, no control characters, at most 200
    characters, and ending in the real type's extension (appended when the name claims another: a PNG
    uploaded as 扫描件.pdf becomes 扫描件.pdf.png, so it opens in the right program and nothing is lost)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isprintable() else " " for ch in name).strip().lstrip(".") or fallback
    extensions = EXTENSIONS.get(kind, (f".{kind}",))
    if not name.lower().endswith(extensions):
        name = f"{name}.{kind}"
    if len(name) > 200:
        suffix = name[name.rfind("."):]
        name = name[:200 - len(suffix)] + suffix
    return name


def _media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _write(upload: UploadedFile, path: Path) -> tuple[int, str]:
    """Write `upload` to `path` (a new file, never over another), returning its size and SHA-256; a partial
    file is removed if writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with path.open("xb") as out:
        try:
            for chunk in upload.chunks():
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        except BaseException:
            out.close()
            _remove(path)
            raise
    return size, digest.hexdigest()


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the application's folder, if this was its only file
        path.parent.rmdir()


def add_attachment(*, application: Application, slot: str, upload: UploadedFile, by) -> Attachment:
    """Attach `upload` to `application` as the material `slot` (the name of one of its version's attachment
    specs). Only the applicant, or the cadre who filed for them, and only while the application is a draft,
    submitted and not yet accepted, or returned for correction. The file must be non-empty, within the spec's
    `max_mb`, and of one of its `types` as read from its first bytes.

    Under a row lock on the application (a transition cannot slip between the state check and the write).
    The file is written after every check passes, under a random name, with its SHA-256 kept; if the
    transaction then fails, the file is removed. Audited as `hall_attach` (filename, kind, size; never the
    content). To call it inside a larger transaction (file an application, attach its files, submit it: all
    or nothing), open that transaction with `atomic_uploads()`, or a rollback leaves the files on disk."""
    written: Path | None = None
    try:
        with transaction.atomic():
            app = Application.objects.select_for_update().select_related("version").get(pk=application.pk)
            if not app.is_applicant(by):
                raise DomainError("只有申请人（或代为申请的工会干部）可以上传申请材料。")
            if app.status not in UPLOAD_STATES:
                raise DomainError(f"该办件当前状态为“{app.get_status_display()}”，不能再上传材料。")
            spec = next((s for s in app.version.attachments if s.get("name") == slot), None)
            if spec is None:
                raise DomainError("该事项不需要这项材料，请刷新页面后重新上传。")
            kind = _checked_kind(spec, upload)
            relative = f"{HALL_DIR}/{app.pk}/{secrets.token_hex(16)}.{kind}"
            size, sha256 = _write(upload, _media_path(relative))
            written = _media_path(relative)
            if (block := _written_in_block.get()) is not None:
                block.append(written)
            attachment = Attachment.objects.create(
                application=app, slot=slot, filename=_clean_filename(upload.name, kind, spec["label"]),
                kind=kind, size=size, path=relative, sha256=sha256, uploaded_by=by)
            audit.record("hall_attach", actor=by, obj=app,
                         changes={"attachment": attachment.pk, "slot": slot, "filename": attachment.filename,
                                  "kind": kind, "size": size})
    except BaseException:
        if written is not None:
            _remove(written)
        raise
    return attachment


@contextlib.contextmanager
def atomic_uploads():
    """`transaction.atomic()` for work that adds attachments and must stand or fall as a whole: if the block
    raises (a DomainError included), the files `add_attachment` wrote inside it are removed with their rows.
    Use it as the outermost transaction: nested in another that later rolls back, it cannot know."""
    outer, written = _written_in_block.get(), []
    token = _written_in_block.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for path in written:
            _remove(path)
        raise
    finally:
        _written_in_block.reset(token)
    if outer is not None:  # nested: the enclosing block may still roll back
        outer.extend(written)


def missing_attachments(application: Application) -> list[str]:
    """The labels of the required materials of the application's version that have no file yet."""
    present = set(application.attachments.values_list("slot", flat=True))
    return [spec["label"] for spec in application.version.attachments
            if spec.get("required") and spec["name"] not in present]


def open_attachment(user, attachment_id: int):
    """(attachment, open binary file) for the download view: to the applicant, the cadre who filed for them,
    and cadres whose subtree holds the handling union or the applicant's union. Anything else, a missing
    row or a missing file is Http404, the same answer for all."""
    attachments = Attachment.objects.select_related("application")
    attachment = None
    if getattr(user, "is_authenticated", False):
        attachment = attachments.filter(
            models.Q(application__applicant=user) | models.Q(application__on_behalf_by=user), pk=attachment_id
        ).first()
    if attachment is None:
        attachment = get_visible_or_404(user, attachments, pk=attachment_id)
    root = Path(settings.MEDIA_ROOT).resolve() / HALL_DIR
    path = _media_path(attachment.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():  # the path is ours, but check it stays under hall/
        logger.error("hall attachment %s: file missing under MEDIA_ROOT", attachment.pk)
        raise Http404("未找到该文件。")
    return attachment, path.open("rb")


@require_GET
def download(request, attachment_id: int):
    """An application's material, as a download (never shown inline), not cached; the download is audited."""
    attachment, handle = open_attachment(request.user, attachment_id)
    audit.record("hall_attachment_download", actor=request.user, obj=attachment.application,
                 changes={"attachment": attachment.pk, "filename": attachment.filename})
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename,
                            content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
