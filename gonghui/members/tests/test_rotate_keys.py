"""Issue 3 part 4: `gonghui rotate-keys` re-encrypts under the current key; resumable and idempotent."""

import base64
import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from gonghui.common import pii
from gonghui.common.models import AuditEntry
from gonghui.members.models import ID_CONTEXT, MOBILE_CONTEXT, Member

from .conftest import make_id

pytestmark = pytest.mark.django_db

V1 = settings.PII_ENCRYPTION_KEYS[0]
assert V1.startswith("1:")
V2 = "2:" + base64.b64encode(hashlib.sha256(b"test-only-pii-key-2").digest()).decode()
V3 = "3:" + base64.b64encode(hashlib.sha256(b"test-only-pii-key-3").digest()).decode()


def rotate(*args) -> dict:
    out = io.StringIO()
    call_command("rotate_keys", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def plain(member: Member) -> tuple[str, str]:
    member.refresh_from_db()
    return (pii.decrypt(member.id_number_enc, context=ID_CONTEXT + member.id_index),
            pii.decrypt(member.mobile_enc, context=MOBILE_CONTEXT + member.id_index) if member.mobile_enc else "")


@pytest.fixture
def members(member_factory):
    """Five members under key v1, three with a mobile."""
    with override_settings(PII_ENCRYPTION_KEYS=[V1]):
        made = [member_factory(id_number=make_id(seq=300 + i), mobile=f"1380000000{i}" if i < 3 else "")
                for i in range(5)]
    assert all(m.id_number_enc.startswith("v1:sm4:") for m in made)
    return made


def test_rotate_keys_reencrypts_under_new_key(members):
    before = {m.pk: plain(m) for m in members}
    with override_settings(PII_ENCRYPTION_KEYS=[V2, V1]):
        result = rotate("--batch", "2")  # three batches
        assert {k: result[k] for k in ("members", "id_numbers", "mobiles", "key_version", "cipher")} == {
            "members": 5, "id_numbers": 5, "mobiles": 3, "key_version": 2, "cipher": "SM4-GCM"}
        for m in Member.objects.all():
            assert m.id_number_enc.startswith("v2:sm4:")
            assert m.mobile_enc == "" or m.mobile_enc.startswith("v2:sm4:")
        assert {m.pk: plain(m) for m in members} == before
        assert rotate()["members"] == 0  # idempotent
    with override_settings(PII_ENCRYPTION_KEYS=[V2]):  # v1 retired: everything still reads
        assert {m.pk: plain(m) for m in members} == before
    entries = AuditEntry.objects.filter(action="pii_rotate_keys").order_by("id")
    assert [e.changes["members"] for e in entries] == [5, 0]
    assert entries[0].changes == {"members": 5, "id_numbers": 5, "mobiles": 3, "key_version": 2, "cipher": "SM4-GCM"}


def test_rotate_keys_resumes_after_partial_run(members):
    """A run interrupted after some batches: the rows already rotated are skipped (filtered in SQL)."""
    with override_settings(PII_ENCRYPTION_KEYS=[V2, V1]):
        done = Member.objects.get(pk=members[0].pk)
        done.id_number_enc = pii.rotate(done.id_number_enc, context=ID_CONTEXT + done.id_index)
        done.mobile_enc = pii.rotate(done.mobile_enc, context=MOBILE_CONTEXT + done.id_index)
        done.save(update_fields=["id_number_enc", "mobile_enc"])
        token = done.id_number_enc
        assert rotate()["members"] == 4
        assert Member.objects.get(pk=done.pk).id_number_enc == token  # not re-encrypted again


def test_rotate_keys_mixed_versions_and_cipher_change(members):
    with override_settings(PII_ENCRYPTION_KEYS=[V2, V1]):
        rotate("--batch", "3")
    with override_settings(PII_ENCRYPTION_KEYS=[V3, V2, V1], PII_CIPHER="AES-256-GCM"):
        # The index key is the same but HMAC-SHA256 under AES: decryption here uses the stored index only.
        result = rotate()
        assert (result["members"], result["key_version"], result["cipher"]) == (5, 3, "AES-256-GCM")
        assert all(m.id_number_enc.startswith("v3:aes:") for m in Member.objects.all())
        assert plain(members[0]) == (make_id(seq=300), "13800000000")


def test_rotate_keys_text_output(members):
    out = io.StringIO()
    with override_settings(PII_ENCRYPTION_KEYS=[V2, V1]):
        call_command("rotate_keys", stdout=out)
        call_command("rotate_keys", stdout=out)
    text = out.getvalue()
    assert "会员记录 5 条，其中证件号码 5 个、手机号 3 个" in text
    assert "旧密钥可从 PII_ENCRYPTION_KEYS 中移除" in text
    assert "13800000000" not in text and make_id(seq=300) not in text


def test_rotate_keys_missing_old_key_fails_clearly(members):
    with override_settings(PII_ENCRYPTION_KEYS=[V3, V2]), pytest.raises(CommandError) as e:
        rotate()
    assert "v1 未在 PII_ENCRYPTION_KEYS 中配置" in str(e.value)
    assert all(m.id_number_enc.startswith("v1:") for m in Member.objects.all())


def test_rotate_keys_batch_must_be_positive(db):
    with pytest.raises(CommandError):
        rotate("--batch", "0")
