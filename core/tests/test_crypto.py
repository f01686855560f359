import pytest
from cryptography.fernet import Fernet

from core import crypto


def test_round_trip_and_no_clear_text():
    stored = crypto.encrypt("Fatima Sentinelle")
    assert "Sentinelle" not in stored
    assert stored.startswith(crypto.PREFIX)
    assert crypto.decrypt(stored) == "Fatima Sentinelle"


def test_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("x") != crypto.encrypt("x")


def test_rotation_moves_to_the_new_key(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    stored = crypto.encrypt("à garder")
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate(stored)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "à garder"
    with pytest.raises(ValueError):
        crypto.decrypt(stored)


def test_tampered_value_is_refused():
    stored = crypto.encrypt("intact")
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        crypto.decrypt(tampered)


def test_blind_index_ignores_case_accents_and_spaces():
    assert crypto.blind_index("  Aïcha  BENALI ") == crypto.blind_index("aicha benali")
    assert crypto.blind_index("Aicha Benali") != crypto.blind_index("Aicha Benaly")


def test_bytes_round_trip_rotation_and_tampering(settings):
    stored = crypto.encrypt_bytes(b"Fatima Sentinelle")
    assert b"Sentinelle" not in stored and stored.startswith(crypto.BYTES_PREFIX)
    assert crypto.decrypt_bytes(memoryview(stored)) == b"Fatima Sentinelle"
    with pytest.raises(ValueError):
        crypto.decrypt_bytes(b"Fatima Sentinelle")
    with pytest.raises(ValueError):
        crypto.decrypt_bytes(stored[:-4] + (b"AAAA" if not stored.endswith(b"AAAA") else b"BBBB"))
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = crypto.rotate_bytes(stored)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt_bytes(rotated) == b"Fatima Sentinelle"


def _tokens(path):
    """The (length-prefixed) tokens of an encrypted file, and its header."""
    data = path.read_bytes()
    head, rest, tokens = data[: len(crypto.FILE_MAGIC) + 16], data[len(crypto.FILE_MAGIC) + 16 :], []
    while rest:
        size = 4 + int.from_bytes(rest[:4], "big")
        tokens.append(rest[:size])
        rest = rest[size:]
    return head, tokens


def test_a_file_is_encrypted_a_chunk_at_a_time_and_read_back(tmp_path, settings):
    path = tmp_path / "f.upload"
    chunks = [b"Sentinelle-1 " * 10, b"Sentinelle-2 " * 10, b"Sentinelle-3 " * 10]
    crypto.write_encrypted_file(path, iter(chunks))
    assert b"Sentinelle" not in path.read_bytes()
    assert list(crypto.read_encrypted_file(path)) == chunks
    head, tokens = _tokens(path)
    assert len(tokens) == 4  # one per chunk, and the end mark
    # Rotation: readable under the new key only, same content, same modification time.
    before = path.stat().st_mtime_ns
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    crypto.rotate_encrypted_file(path)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert b"".join(crypto.read_encrypted_file(path)) == b"".join(chunks)
    assert path.stat().st_mtime_ns == before
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(ValueError):
        list(crypto.read_encrypted_file(path))


@pytest.mark.parametrize(
    "change",
    [
        lambda t: [t[0], t[2], t[3]],  # a chunk dropped
        lambda t: [t[0], t[0], t[1], t[2], t[3]],  # a chunk repeated
        lambda t: [t[1], t[0], t[2], t[3]],  # two chunks swapped
        lambda t: t[:3],  # cut short: the end mark is missing
        lambda t: t[:2],  # cut short at a chunk boundary
        lambda t: [*t, t[3]],  # something after the end
    ],
)
def test_a_changed_file_is_refused(tmp_path, change):
    path = tmp_path / "f.upload"
    crypto.write_encrypted_file(path, iter([b"a" * 5, b"b" * 5, b"c" * 5]))
    head, tokens = _tokens(path)
    path.write_bytes(head + b"".join(change(tokens)))
    with pytest.raises(ValueError):
        list(crypto.read_encrypted_file(path))


def test_a_chunk_from_another_file_is_refused(tmp_path):
    one, other = tmp_path / "1.upload", tmp_path / "2.upload"
    crypto.write_encrypted_file(one, iter([b"a", b"b"]))
    crypto.write_encrypted_file(other, iter([b"x", b"y"]))
    head, tokens = _tokens(one)
    _head, others = _tokens(other)
    one.write_bytes(head + b"".join([tokens[0], others[1], tokens[2]]))
    with pytest.raises(ValueError):
        list(crypto.read_encrypted_file(one))
