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
