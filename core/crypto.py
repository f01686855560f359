"""Encryption at rest of identifying and free-text fields (docs/security.md 13).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256: authenticated) under keys read from
FIELD_ENCRYPTION_KEYS — independent of SECRET_KEY. The first key encrypts; every key decrypts, so
keys can be rotated: add a new key first, run `manage.py rotate_field_keys`, then drop the old one.

`EncryptedBinaryField` does the same for files kept in the database (a background job's output):
`encrypt_bytes` / `decrypt_bytes`, the same keys, a bytes prefix. Files too big to hold in memory (an
import's upload) are kept on disk, one Fernet token per chunk: `write_encrypted_file` /
`read_encrypted_file` / `rotate_encrypted_file`.

`blind_index(value)` gives a keyed hash (HMAC-SHA256 under FIELD_INDEX_KEY) of a normalised value,
for exact-match lookups (duplicate detection) without storing the value in clear.
"""

import hashlib
import hmac
import os
import secrets
import unicodedata
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: encrypted fields cannot be used.")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("a value in an encrypted column is not encrypted")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:  # wrong key, or the row was tampered with
        raise ValueError("an encrypted value cannot be read with the configured keys") from exc


def rotate(stored: str) -> str:
    """The same value re-encrypted under the first (newest) key."""
    return PREFIX + _fernet().rotate(stored[len(PREFIX) :].encode()).decode()


BYTES_PREFIX = PREFIX.encode()


def encrypt_bytes(data: bytes) -> bytes:
    return BYTES_PREFIX + _fernet().encrypt(bytes(data))


def decrypt_bytes(stored: bytes) -> bytes:
    stored = bytes(stored)  # PostgreSQL gives a memoryview
    if not stored.startswith(BYTES_PREFIX):
        raise ValueError("a value in an encrypted column is not encrypted")
    try:
        return _fernet().decrypt(stored[len(BYTES_PREFIX) :])
    except InvalidToken as exc:
        raise ValueError("an encrypted value cannot be read with the configured keys") from exc


def rotate_bytes(stored: bytes) -> bytes:
    stored = bytes(stored)
    return BYTES_PREFIX + _fernet().rotate(stored[len(BYTES_PREFIX) :])


FILE_MAGIC = b"enc1file\n"
FILE_CHUNK = 1 << 20  # 1 MiB of clear text per token: memory stays a few MiB whatever the file's size


def write_encrypted_file(path, chunks) -> None:
    """Writes the byte `chunks` to `path`, each encrypted in its own Fernet token. Inside each token,
    the file's random id, the chunk's index and an end mark precede the data, all authenticated, so
    no chunk can be dropped, duplicated, reordered, cut off at the end or taken from another file."""
    fernet, file_id = _fernet(), secrets.token_bytes(16)
    with open(path, "wb") as out:
        out.write(FILE_MAGIC + file_id)
        index = 0
        for chunk in chunks:
            _write_token(out, fernet.encrypt(file_id + index.to_bytes(8, "big") + b"\0" + bytes(chunk)))
            index += 1
        _write_token(out, fernet.encrypt(file_id + index.to_bytes(8, "big") + b"\1"))


def _write_token(out, token: bytes) -> None:
    out.write(len(token).to_bytes(4, "big") + token)


def read_encrypted_file(path) -> Iterator[bytes]:
    """The clear chunks of a file written by `write_encrypted_file`, one at a time. Raises ValueError
    for a file that cannot be read with the configured keys or was changed in any way."""
    fernet, expected, ended = _fernet(), 0, False
    with open(path, "rb") as stored:
        if stored.read(len(FILE_MAGIC)) != FILE_MAGIC:
            raise ValueError("not an encrypted file")
        file_id = stored.read(16)
        while size := stored.read(4):
            token = stored.read(int.from_bytes(size, "big"))
            try:
                clear = fernet.decrypt(token)
            except InvalidToken as exc:
                raise ValueError("an encrypted file cannot be read with the configured keys") from exc
            if ended or clear[:16] != file_id or int.from_bytes(clear[16:24], "big") != expected:
                raise ValueError("an encrypted file was changed: a chunk is missing, repeated or moved")
            ended, expected = clear[24:25] == b"\1", expected + 1
            if clear[25:]:
                yield clear[25:]
    if not ended:
        raise ValueError("an encrypted file was cut short")


def rotate_encrypted_file(path) -> None:
    """The same file re-encrypted under the first (newest) key, replaced at once (never half-written);
    its modification time is kept, as the purge of job files reads it."""
    path = os.fspath(path)
    stat = os.stat(path)
    write_encrypted_file(path + ".rotating", read_encrypted_file(path))
    os.utime(path + ".rotating", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(path + ".rotating", path)


def normalise(value: str) -> str:
    """Case, accents and spaces do not make two names different."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def blind_index(value: str) -> str:
    key = settings.FIELD_INDEX_KEY.encode()
    return hmac.new(key, normalise(value).encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees clear text. Empty stays empty (no ciphertext).

    Not searchable or sortable in SQL, by design. Use `blind_index` for exact matches.
    """

    def from_db_value(self, value, expression, connection) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedBinaryField(models.BinaryField):
    """A binary column (a file) stored encrypted; Python code sees the clear bytes. None stays None."""

    def from_db_value(self, value, expression, connection) -> bytes | None:
        if value is None:
            return value
        return decrypt_bytes(value)

    def get_db_prep_value(self, value, connection, prepared=False) -> Any:
        if value is not None:
            value = encrypt_bytes(value)
        return super().get_db_prep_value(value, connection, prepared)


def encrypted_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every (model, field) stored encrypted, across apps — for key rotation and the dump test."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def encrypted_binary_fields() -> Iterator[tuple[type[models.Model], models.Field]]:
    """Every (model, field) holding an encrypted file, across apps — for key rotation."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedBinaryField):
                yield model, field
