"""Crypto for personal data: field encryption, keyed blind indexes and masking (reference A.6 R-PI-1..3).

Configuration (config/settings.py, from the environment; `gonghui gen-pii-keys` prints fresh values):

- ``PII_ENCRYPTION_KEYS``: comma-separated ``version:base64key`` entries, **newest first**, e.g.
  ``"2:q83v…=,1:Yk9x…="``. Each key is 32 random bytes; versions are positive integers, strictly
  decreasing. The first entry is the current key: everything is encrypted with it. Older entries stay
  listed only so that their tokens can still be read until `rotate` has re-encrypted them. To add a key,
  put a new entry with a higher version in front.
- ``PII_INDEX_KEY``: base64 of 32 random bytes, the blind-index key, apart from the encryption keys.
- ``PII_CIPHER``: ``SM4-GCM`` (default) or ``AES-256-GCM``.

Neither key is ever stored in the database.

Encryption. One configured 32-byte secret serves both ciphers: the cipher key is derived from it with
HKDF-SHA256 (no salt, info ``gonghui-pii:<cipher>``), 16 bytes for SM4, 32 bytes for AES-256. Each call uses a
random 12-byte nonce; the caller's context (e.g. ``"members.Member.id_number:<pk>"``, the record id) is the
associated data, so a token copied to another row or field does not decrypt. A token is ASCII::

    v<key version>:<sm4|aes>:<base64(nonce + ciphertext + 16-byte tag)>

Blind index. ``HMAC(PII_INDEX_KEY, purpose || 0x00 || normalised value)``, with SM3 when the cipher is SM4 and
SHA-256 when it is AES (so changing PII_CIPHER means rebuilding the indexes), returned as 64 hex characters.
An unkeyed hash of an ID number is brute-forceable (about 10^11 values), hence the key.
"""

import base64
import binascii
import functools
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
# PII_CIPHER value → (tag in the token, derived key length).
CIPHERS = {"SM4-GCM": ("sm4", 16), "AES-256-GCM": ("aes", 32)}
TAG_TO_CIPHER = {tag: name for name, (tag, _) in CIPHERS.items()}
PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Purposes whose values are ID-like: all whitespace removed and upper-cased (a trailing x becomes X).
ID_PURPOSES = frozenset({"id_number"})
TOKEN_RE = re.compile(r"^v([1-9][0-9]*):([a-z0-9]+):([A-Za-z0-9+/]+={0,2})$")


class DecryptionError(Exception):
    """A token that cannot be read: tampered, wrong context, unknown key version or not a token."""


@dataclass(frozen=True)
class Keys:
    cipher: str  # "SM4-GCM" or "AES-256-GCM"
    current_version: int
    secrets: dict[int, bytes]  # version → configured 32-byte secret
    index_key: bytes


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} 中的密钥不是有效的 base64 编码，请用 gonghui gen-pii-keys 生成。") from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} 中的密钥长度为 {len(key)} 字节，应为 {KEY_BYTES} 字节，请用 gonghui gen-pii-keys 生成。"
        )
    return key


def parse_encryption_keys(entries: list[str] | tuple[str, ...]) -> tuple[int, dict[int, bytes]]:
    """Parse PII_ENCRYPTION_KEYS entries ("version:base64key", newest first) → (current version, secrets)."""
    if not entries:
        raise ImproperlyConfigured("必须设置 PII_ENCRYPTION_KEYS 环境变量（格式：版本号:base64密钥，最新的在前）。")
    secrets: dict[int, bytes] = {}
    previous = None
    for entry in entries:
        version_text, sep, key_text = entry.strip().partition(":")
        if not sep or not version_text.isascii() or not version_text.isdigit() or int(version_text) < 1:
            raise ImproperlyConfigured(
                "PII_ENCRYPTION_KEYS 格式错误：每项应为“版本号:base64密钥”，版本号为正整数，"
                "多项用逗号分隔，最新的在前。"
            )
        version = int(version_text)
        if previous is not None and version >= previous:
            raise ImproperlyConfigured(
                "PII_ENCRYPTION_KEYS 的版本号必须从前往后严格递减：最新（当前）的密钥放在最前面，且版本号不得重复。"
            )
        secrets[version] = _decode_key(key_text, "PII_ENCRYPTION_KEYS")
        previous = version
    return int(entries[0].strip().partition(":")[0]), secrets


def parse_index_key(text: str) -> bytes:
    if not text:
        raise ImproperlyConfigured("必须设置 PII_INDEX_KEY 环境变量（base64 编码的 32 字节密钥）。")
    return _decode_key(text, "PII_INDEX_KEY")


def parse_cipher(name: str) -> str:
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"PII_CIPHER 只能是 {' 或 '.join(CIPHERS)}，当前为 “{name}”。")
    return name


def validate_settings(*, encryption_keys, index_key: str, cipher: str) -> None:
    """Raise ImproperlyConfigured (in Chinese) unless the three PII settings are usable; called from settings.py."""
    parse_cipher(cipher)
    parse_encryption_keys(encryption_keys)
    parse_index_key(index_key)
    if index_key.strip() in {entry.strip().partition(":")[2] for entry in encryption_keys}:
        raise ImproperlyConfigured("PII_INDEX_KEY 不得与 PII_ENCRYPTION_KEYS 中的任何密钥相同。")


@functools.lru_cache(maxsize=8)
def _load(entries: tuple[str, ...], index_key: str, cipher: str) -> Keys:
    validate_settings(encryption_keys=entries, index_key=index_key, cipher=cipher)
    current, secrets = parse_encryption_keys(entries)
    return Keys(cipher=cipher, current_version=current, secrets=secrets, index_key=parse_index_key(index_key))


def keys() -> Keys:
    """The configured keys, parsed once per distinct configuration."""
    return _ready().keys


@functools.lru_cache(maxsize=32)
def _cipher_key(secret: bytes, cipher: str) -> bytes:
    length = CIPHERS[cipher][1]
    info = b"gonghui-pii:" + cipher.encode()
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def _algorithm(cipher: str, key: bytes):
    return algorithms.SM4(key) if cipher == "SM4-GCM" else algorithms.AES(key)


# One object per configuration holding everything encrypt() and blind_index() need, built once: an
# import calls them three times per row, and reading three settings through Django's LazySettings,
# deriving or looking up the key and building the algorithm and HMAC objects cost more than the
# crypto itself. It is dropped when a PII setting changes through override_settings (the tests'
# `settings` fixture); settings are not otherwise changed while the process runs.
@dataclass(frozen=True)
class _Ready:
    keys: Keys
    token_prefix: str  # "v<current version>:<cipher tag>:"
    algorithm: algorithms.SM4 | algorithms.AES  # the current key's, for Cipher(…, modes.GCM(nonce))
    aesgcm: AESGCM | None  # the same key as a one-shot AEAD (same output, 4x faster) when the cipher is AES
    index_mac: hmac.HMAC  # keyed with PII_INDEX_KEY and never finalised: blind_index() copies it


_ready_now: _Ready | None = None
_PII_SETTINGS = frozenset({"PII_ENCRYPTION_KEYS", "PII_INDEX_KEY", "PII_CIPHER"})
# AESGCM refuses data or associated data of 2**31 bytes or more; Cipher does not.
_AESGCM_MAX = 2**31 - 1


def _ready() -> _Ready:
    global _ready_now
    ready = _ready_now
    if ready is None:
        k = _load(tuple(settings.PII_ENCRYPTION_KEYS), settings.PII_INDEX_KEY, settings.PII_CIPHER)
        key = _cipher_key(k.secrets[k.current_version], k.cipher)
        ready = _ready_now = _Ready(
            keys=k,
            token_prefix=f"v{k.current_version}:{CIPHERS[k.cipher][0]}:",
            algorithm=_algorithm(k.cipher, key),
            aesgcm=AESGCM(key) if k.cipher == "AES-256-GCM" else None,
            index_mac=hmac.HMAC(k.index_key, hashes.SM3() if k.cipher == "SM4-GCM" else hashes.SHA256()),
        )
    return ready


def _forget_keys(*, setting: str, **kwargs) -> None:
    global _ready_now
    if setting in _PII_SETTINGS:
        _ready_now = None


setting_changed.connect(_forget_keys, dispatch_uid="gonghui.common.pii._forget_keys")


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt under the current key; `context` (e.g. "members.Member.id_number:42") must be given again to decrypt."""
    if not context:
        raise ValueError("context is required: it binds the token to its record and field")
    ready = _ready()
    nonce = os.urandom(NONCE_BYTES)
    data, associated = plaintext.encode(), context.encode()
    if ready.aesgcm is not None and len(data) <= _AESGCM_MAX and len(associated) <= _AESGCM_MAX:
        sealed = ready.aesgcm.encrypt(nonce, data, associated)  # ciphertext + 16-byte tag, as below
    else:
        encryptor = Cipher(ready.algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        sealed = encryptor.update(data) + encryptor.finalize() + encryptor.tag
    return ready.token_prefix + binascii.b2a_base64(nonce + sealed, newline=False).decode("ascii")


def _parse_token(token: str) -> tuple[int, str, bytes]:
    match = TOKEN_RE.match(token) if isinstance(token, str) else None
    if not match or match.group(2) not in TAG_TO_CIPHER:
        raise DecryptionError("个人信息密文格式错误，无法解密。")
    try:
        raw = base64.b64decode(match.group(3), validate=True)
    except binascii.Error:
        raise DecryptionError("个人信息密文格式错误，无法解密。") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("个人信息密文格式错误，无法解密。")
    return int(match.group(1)), TAG_TO_CIPHER[match.group(2)], raw


def decrypt(token: str, *, context: str) -> str:
    """Decrypt a token made under any configured key version and either cipher; else raise DecryptionError."""
    version, cipher, raw = _parse_token(token)
    secret = keys().secrets.get(version)
    if secret is None:
        raise DecryptionError(f"个人信息密文使用的密钥版本 v{version} 未在 PII_ENCRYPTION_KEYS 中配置。")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(_algorithm(cipher, _cipher_key(secret, cipher)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        plaintext = decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError("个人信息密文校验失败：密文被篡改，或与所属记录（上下文）不符。") from None
    return plaintext.decode()


def needs_rotation(token: str) -> bool:
    """True when the token is not under the current key version and cipher."""
    version, cipher, _ = _parse_token(token)
    k = keys()
    return version != k.current_version or cipher != k.cipher


def rotate(token: str, *, context: str) -> str:
    """The token re-encrypted under the current key and cipher (unchanged when it already is)."""
    if not needs_rotation(token):
        return token
    return encrypt(decrypt(token, context=context), context=context)


def normalise(value: str, *, purpose: str) -> str:
    """NFKC (full-width digits and letters) and trimmed; for ID purposes also all whitespace removed, upper-cased."""
    value = unicodedata.normalize("NFKC", value).strip()
    if purpose in ID_PURPOSES:
        value = "".join(value.split()).upper()
    return value


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed, deterministic index of `value` for lookups and uniqueness; 64 hex characters.

    Domain-separated by `purpose` ("id_number", "mobile", …): the same value indexes differently per purpose.
    The caller validates the value first; this only applies `normalise`.
    """
    if not PURPOSE_RE.match(purpose):
        raise ValueError("purpose must be lower-case letters, digits and underscores")
    mac = _ready().index_mac.copy()
    mac.update(purpose.encode() + b"\x00" + normalise(value, purpose=purpose).encode())
    return mac.finalize().hex()


def mask_id(number: str) -> str:
    """First 6 + stars + last 4, same length: 11010519491231002X → 110105********002X (8 stars for 18 characters).

    Values under 14 characters (not an ID number) are masked entirely rather than half revealed.
    """
    if len(number) < 14:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(mobile: str) -> str:
    """First 3 + 4 stars + last 4: 13812345678 → 138****5678. Short values are fully masked."""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return mobile[:3] + "*" * 4 + mobile[-4:]
