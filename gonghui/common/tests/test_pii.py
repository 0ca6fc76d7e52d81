"""Personal-data crypto (reference A.6 R-PI-1, R-PI-2, R-PI-3): encryption, key rotation, blind index, masks."""

import base64
import hashlib
import hmac as std_hmac
import io
import re

import pytest
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from gonghui.common import pii

SECRET_1 = bytes(range(32))
SECRET_2 = bytes(range(100, 132))
INDEX_SECRET = bytes(range(200, 232))
KEY_1 = "1:" + base64.b64encode(SECRET_1).decode()
KEY_2 = "2:" + base64.b64encode(SECRET_2).decode()
INDEX_KEY = base64.b64encode(INDEX_SECRET).decode()
ID = "11010519491231002X"
MOBILE = "13812345678"
CONTEXT = "members.Member.id_number:42"
ID_RE = re.compile(r"\d{17}[\dX]")
MOBILE_RE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def sm4(settings):
    settings.PII_ENCRYPTION_KEYS = [KEY_1]
    settings.PII_INDEX_KEY = INDEX_KEY
    settings.PII_CIPHER = "SM4-GCM"
    return settings


@pytest.fixture
def aes(sm4):
    sm4.PII_CIPHER = "AES-256-GCM"
    return sm4


@pytest.mark.parametrize(("cipher", "tag"), [("SM4-GCM", "sm4"), ("AES-256-GCM", "aes")])
def test_encrypt_round_trip_for_both_ciphers(sm4, cipher, tag):
    sm4.PII_CIPHER = cipher
    token = pii.encrypt(ID, context=CONTEXT)
    assert re.fullmatch(rf"v1:{tag}:[A-Za-z0-9+/]+=*", token)
    # 12-byte nonce + 18 bytes of ciphertext + 16-byte tag.
    assert len(base64.b64decode(token.split(":")[2])) == 12 + 18 + 16
    assert pii.decrypt(token, context=CONTEXT) == ID
    assert pii.decrypt(pii.encrypt("张三·李", context="x"), context="x") == "张三·李"


@pytest.mark.parametrize(("cipher", "length", "algorithm"), [
    ("SM4-GCM", 16, algorithms.SM4), ("AES-256-GCM", 32, algorithms.AES),
])
def test_encrypt_token_follows_the_documented_format(sm4, cipher, length, algorithm):
    """An independent reader: HKDF-SHA256(secret, info "gonghui-pii:<cipher>"), GCM, context as associated data."""
    sm4.PII_CIPHER = cipher
    raw = base64.b64decode(pii.encrypt(MOBILE, context=CONTEXT).split(":")[2])
    key = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"gonghui-pii:{cipher}".encode()).derive(
        SECRET_1
    )
    decryptor = Cipher(algorithm(key), modes.GCM(raw[:12], raw[-16:])).decryptor()
    decryptor.authenticate_additional_data(CONTEXT.encode())
    assert decryptor.update(raw[12:-16]) + decryptor.finalize() == MOBILE.encode()


def test_aes_tokens_beyond_the_one_shot_limit_are_made_the_same_way(aes, monkeypatch):
    """AES-256-GCM encrypts through AESGCM, falling back to Cipher for data it refuses (2 GB and over):
    both give a token the other side reads."""
    monkeypatch.setattr(pii, "_AESGCM_MAX", -1)
    token = pii.encrypt(MOBILE, context=CONTEXT)
    assert token.startswith("v1:aes:")
    raw = base64.b64decode(token.split(":")[2])
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gonghui-pii:AES-256-GCM").derive(SECRET_1)
    assert AESGCM(key).decrypt(raw[:12], raw[12:], CONTEXT.encode()) == MOBILE.encode()
    assert pii.decrypt(token, context=CONTEXT) == MOBILE


def test_keys_follow_override_settings(sm4):
    """The prepared keys are dropped when a PII setting changes (setting_changed), and only then."""
    before = pii.keys()
    with override_settings(PII_ENCRYPTION_KEYS=[KEY_2, KEY_1]):
        assert pii.keys().current_version == 2
        assert pii.encrypt(ID, context=CONTEXT).startswith("v2:sm4:")
        with override_settings(PII_CIPHER="AES-256-GCM"):
            assert pii.encrypt(ID, context=CONTEXT).startswith("v2:aes:")
    assert pii.keys() == before and pii.encrypt(ID, context=CONTEXT).startswith("v1:sm4:")
    ready = pii._ready()
    with override_settings(TIME_ZONE="UTC"):
        assert pii._ready() is ready


def test_encrypt_same_plaintext_gives_different_tokens(sm4):
    tokens = {pii.encrypt(ID, context=CONTEXT) for _ in range(20)}
    assert len(tokens) == 20
    assert {pii.decrypt(token, context=CONTEXT) for token in tokens} == {ID}


def test_encrypt_requires_a_context(sm4):
    with pytest.raises(ValueError):
        pii.encrypt(ID, context="")


@pytest.mark.parametrize("cipher", ["SM4-GCM", "AES-256-GCM"])
def test_decrypt_with_wrong_context_fails(sm4, cipher):
    """R-PI-1: the record id is associated data, so a token copied to another row does not decrypt."""
    sm4.PII_CIPHER = cipher
    token = pii.encrypt(ID, context="members.Member.id_number:42")
    with pytest.raises(pii.DecryptionError, match="密文被篡改，或与所属记录（上下文）不符"):
        pii.decrypt(token, context="members.Member.id_number:43")


@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])
def test_decrypt_of_a_flipped_byte_fails(sm4, position):
    """Nonce, ciphertext and tag are all authenticated."""
    version, tag, payload = pii.encrypt(ID, context=CONTEXT).split(":")
    raw = bytearray(base64.b64decode(payload))
    raw[position] ^= 0x01
    tampered = f"{version}:{tag}:{base64.b64encode(bytes(raw)).decode()}"
    with pytest.raises(pii.DecryptionError):
        pii.decrypt(tampered, context=CONTEXT)


@pytest.mark.parametrize("token", [
    "", ID, "v1:sm4:", "v1:des:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "v1:sm4:AAAA", "v1:sm4:AAAAA", "v0:sm4:AAAA", "1:sm4:AAAA",
])
def test_decrypt_of_a_non_token_fails(sm4, token):
    with pytest.raises(pii.DecryptionError, match="个人信息密文格式错误"):
        pii.decrypt(token, context=CONTEXT)


def test_old_key_token_still_decrypts_and_rotates_to_the_newest_key(sm4):
    old = pii.encrypt(ID, context=CONTEXT)
    assert old.startswith("v1:sm4:") and not pii.needs_rotation(old)
    assert pii.rotate(old, context=CONTEXT) == old

    sm4.PII_ENCRYPTION_KEYS = [KEY_2, KEY_1]
    assert pii.decrypt(old, context=CONTEXT) == ID
    assert pii.needs_rotation(old) is True
    new = pii.rotate(old, context=CONTEXT)
    assert new.startswith("v2:sm4:")
    assert pii.needs_rotation(new) is False
    assert pii.decrypt(new, context=CONTEXT) == ID
    assert pii.encrypt(ID, context=CONTEXT).startswith("v2:sm4:")

    sm4.PII_ENCRYPTION_KEYS = [KEY_2]  # the old key retired after rotation
    assert pii.decrypt(new, context=CONTEXT) == ID
    with pytest.raises(pii.DecryptionError, match="密钥版本 v1 未在 PII_ENCRYPTION_KEYS 中配置"):
        pii.decrypt(old, context=CONTEXT)


def test_rotate_with_wrong_context_fails(sm4):
    old = pii.encrypt(ID, context=CONTEXT)
    sm4.PII_ENCRYPTION_KEYS = [KEY_2, KEY_1]
    with pytest.raises(pii.DecryptionError):
        pii.rotate(old, context="members.Member.id_number:43")


def test_changing_the_cipher_keeps_old_tokens_readable_and_marks_them_for_rotation(sm4):
    old = pii.encrypt(MOBILE, context=CONTEXT)
    sm4.PII_CIPHER = "AES-256-GCM"
    assert pii.decrypt(old, context=CONTEXT) == MOBILE
    assert pii.needs_rotation(old) is True
    new = pii.rotate(old, context=CONTEXT)
    assert new.startswith("v1:aes:") and pii.decrypt(new, context=CONTEXT) == MOBILE


def test_tokens_never_contain_an_id_or_phone_pattern(sm4):
    """R-PI-1: a raw scan finds no ID number or phone in clear."""
    for cipher in ("SM4-GCM", "AES-256-GCM"):
        sm4.PII_CIPHER = cipher
        for n in range(200):
            for value in (ID, MOBILE):
                token = pii.encrypt(value, context=f"members.Member.id_number:{n}")
                assert not ID_RE.search(token) and not MOBILE_RE.search(token), token


def test_blind_index_is_keyed_hmac_sm3_with_sm4(sm4):
    index = pii.blind_index(ID, purpose="id_number")
    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert index == pii.blind_index(ID, purpose="id_number")
    mac = hmac.HMAC(INDEX_SECRET, hashes.SM3())
    mac.update(b"id_number\x00" + ID.encode())
    assert index == mac.finalize().hex()


def test_blind_index_is_keyed_hmac_sha256_with_aes(aes):
    index = pii.blind_index(ID, purpose="id_number")
    assert index == std_hmac.new(INDEX_SECRET, b"id_number\x00" + ID.encode(), hashlib.sha256).hexdigest()
    assert len(index) == 64


@pytest.mark.parametrize("cipher", ["SM4-GCM", "AES-256-GCM"])
def test_blind_index_is_not_a_plain_hash(sm4, cipher):
    """R-PI-2: an unkeyed sha256 or sm3 of an ID is brute-forceable; the index must be neither."""
    sm4.PII_CIPHER = cipher
    index = pii.blind_index(ID, purpose="id_number")
    digest = hashes.Hash(hashes.SM3())
    digest.update(ID.encode())
    assert index != hashlib.sha256(ID.encode()).hexdigest()
    assert index != digest.finalize().hex()


def test_blind_index_depends_on_the_key(sm4):
    before = pii.blind_index(ID, purpose="id_number")
    sm4.PII_INDEX_KEY = base64.b64encode(bytes(32)).decode()
    assert pii.blind_index(ID, purpose="id_number") != before


def test_blind_index_differs_between_purposes(sm4):
    assert pii.blind_index(MOBILE, purpose="id_number") != pii.blind_index(MOBILE, purpose="mobile")


@pytest.mark.parametrize("variant", [
    "１１０１０５１９４９１２３１００２ｘ", "11010519491231002x", " 110105 19491231002X\u3000",
])
def test_blind_index_of_an_id_normalises_width_case_and_spaces(sm4, variant):
    """R-PI-2: a full-width input finds the same row (NFKC, whitespace removed, upper case)."""
    assert pii.blind_index(variant, purpose="id_number") == pii.blind_index(ID, purpose="id_number")


def test_blind_index_of_other_purposes_is_nfkc_and_trimmed_only(sm4):
    assert pii.blind_index(" １３８１２３４５６７８ ", purpose="mobile") == pii.blind_index(MOBILE, purpose="mobile")
    assert pii.blind_index("abc", purpose="name") != pii.blind_index("ABC", purpose="name")


@pytest.mark.parametrize("purpose", ["", "ID", "id number", "id\x00"])
def test_blind_index_rejects_a_malformed_purpose(sm4, purpose):
    with pytest.raises(ValueError):
        pii.blind_index(ID, purpose=purpose)


BAD_FORMAT = "PII_ENCRYPTION_KEYS 格式错误：每项应为“版本号:base64密钥”，版本号为正整数，多项用逗号分隔，最新的在前。"
GOOD = base64.b64encode(bytes(32)).decode()
SHORT = base64.b64encode(bytes(16)).decode()


@pytest.mark.parametrize(("keys", "message"), [
    ([], "必须设置 PII_ENCRYPTION_KEYS 环境变量（格式：版本号:base64密钥，最新的在前）。"),
    ([GOOD], BAD_FORMAT),
    ([f"0:{GOOD}"], BAD_FORMAT),
    ([f"a:{GOOD}"], BAD_FORMAT),
    ([f"1:{GOOD}", f"2:{GOOD}"],
     "PII_ENCRYPTION_KEYS 的版本号必须从前往后严格递减：最新（当前）的密钥放在最前面，且版本号不得重复。"),
    ([f"1:{GOOD}", f"1:{GOOD}"],
     "PII_ENCRYPTION_KEYS 的版本号必须从前往后严格递减：最新（当前）的密钥放在最前面，且版本号不得重复。"),
    (["1:not base64!"], "PII_ENCRYPTION_KEYS 中的密钥不是有效的 base64 编码，请用 gonghui gen-pii-keys 生成。"),
    ([f"1:{SHORT}"], "PII_ENCRYPTION_KEYS 中的密钥长度为 16 字节，应为 32 字节，请用 gonghui gen-pii-keys 生成。"),
])
def test_encryption_key_config_errors_are_explained_in_chinese(sm4, keys, message):
    with pytest.raises(ImproperlyConfigured) as raised:
        pii.validate_settings(encryption_keys=keys, index_key=INDEX_KEY, cipher="SM4-GCM")
    assert str(raised.value) == message
    sm4.PII_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        pii.encrypt(ID, context=CONTEXT)


@pytest.mark.parametrize(("index_key", "cipher", "message"), [
    ("", "SM4-GCM", "必须设置 PII_INDEX_KEY 环境变量（base64 编码的 32 字节密钥）。"),
    (SHORT, "SM4-GCM", "PII_INDEX_KEY 中的密钥长度为 16 字节，应为 32 字节，请用 gonghui gen-pii-keys 生成。"),
    (base64.b64encode(SECRET_1).decode(), "SM4-GCM", "PII_INDEX_KEY 不得与 PII_ENCRYPTION_KEYS 中的任何密钥相同。"),
    (INDEX_KEY, "SM4", "PII_CIPHER 只能是 SM4-GCM 或 AES-256-GCM，当前为 “SM4”。"),
])
def test_index_key_and_cipher_config_errors_are_explained_in_chinese(sm4, index_key, cipher, message):
    with pytest.raises(ImproperlyConfigured) as raised:
        pii.validate_settings(encryption_keys=[KEY_1], index_key=index_key, cipher=cipher)
    assert str(raised.value) == message


def test_the_running_configuration_is_valid(settings):
    """Tests run with DEBUG's development keys (or the environment's): they must pass validation."""
    pii.validate_settings(
        encryption_keys=settings.PII_ENCRYPTION_KEYS, index_key=settings.PII_INDEX_KEY, cipher=settings.PII_CIPHER
    )


def test_gen_pii_keys_prints_a_valid_fresh_configuration():
    out = io.StringIO()
    call_command("gen_pii_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(lines) == {"PII_ENCRYPTION_KEYS", "PII_INDEX_KEY"}
    assert lines["PII_ENCRYPTION_KEYS"].startswith("1:")
    pii.validate_settings(encryption_keys=[lines["PII_ENCRYPTION_KEYS"]], index_key=lines["PII_INDEX_KEY"],
                          cipher="SM4-GCM")
    again = io.StringIO()
    call_command("gen_pii_keys", stdout=again)
    assert again.getvalue() != out.getvalue()


def test_gen_pii_keys_for_rotation_prints_only_a_new_encryption_key():
    out, err = io.StringIO(), io.StringIO()
    call_command("gen_pii_keys", "--key-version", "3", stdout=out, stderr=err)
    (line,) = out.getvalue().splitlines()
    assert line.startswith("PII_ENCRYPTION_KEYS=3:")
    assert pii.parse_encryption_keys([line.split("=", 1)[1], KEY_2])[0] == 3
    assert "PII_INDEX_KEY 保持不变" in err.getvalue()


@pytest.mark.parametrize(("number", "masked"), [
    ("11010519491231002X", "110105********002X"),
    ("340202199001011234", "340202********1234"),
    ("110105491231002", "110105*****1002"),
    ("12345", "*****"),
    ("", ""),
])
def test_mask_id(number, masked):
    assert pii.mask_id(number) == masked
    assert len(pii.mask_id(number)) == len(number)


@pytest.mark.parametrize(("mobile", "masked"), [
    ("13812345678", "138****5678"),
    ("13800138000", "138****8000"),
    ("1234", "****"),
])
def test_mask_mobile(mobile, masked):
    assert pii.mask_mobile(mobile) == masked
