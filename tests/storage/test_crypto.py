"""The token vault: round trips, rotation, and every way a stored secret can be wrong."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import parse_encryption_keys
from storage.crypto import SecretContext, TokenCipher, VaultError, generate_key_line

K1 = parse_encryption_keys(generate_key_line("k1"))[0]
K2 = parse_encryption_keys(generate_key_line("k2"))[0]
CTX = SecretContext("amazon-ads-refresh-token", "T1", "eu", row="connection 7")


def cipher(*keys):
    return TokenCipher([(k.kid, k.key) for k in keys])


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.text(max_size=2048),
    team=st.text(min_size=1, max_size=12),
    region=st.sampled_from(["na", "eu", "fe"]),
)
def test_round_trip_for_any_text_and_owner(plaintext, team, region):
    ctx = SecretContext("amazon-ads-refresh-token", team, region)
    c = cipher(K1)
    stored = c.encrypt(plaintext, ctx)
    assert stored.startswith("v1.k1.")
    assert len(plaintext) < 12 or plaintext not in stored
    assert c.decrypt(stored, ctx) == plaintext


def test_each_encryption_uses_a_fresh_nonce():
    c = cipher(K1)
    assert c.encrypt("Atzr|same", CTX) != c.encrypt("Atzr|same", CTX)


@pytest.mark.parametrize(
    "other",
    [
        SecretContext("amazon-ads-refresh-token", "T2", "eu"),
        SecretContext("amazon-ads-refresh-token", "T1", "na"),
        SecretContext("amazon-ads-refresh-token", "T1", "eu", enterprise_id="E1"),
        SecretContext("slack-bot-token", "T1", "eu"),
    ],
)
def test_ciphertext_copied_to_another_row_does_not_decrypt(other):
    c = cipher(K1)
    stored = c.encrypt("Atzr|secret-value", CTX)
    with pytest.raises(VaultError) as err:
        c.decrypt(stored, other)
    assert "failed authentication" in str(err.value)
    assert "Atzr" not in str(err.value)


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=10_000), flip=st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_is_detected(position, flip):
    c = cipher(K1)
    stored = c.encrypt("Atzr|secret-value", CTX)
    prefix, body = stored.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position % len(raw)] ^= flip
    tampered = prefix + "." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(VaultError, match="connection 7"):
        c.decrypt(tampered, CTX)


def test_unknown_key_id_names_the_row_and_the_kid():
    stored = cipher(K2).encrypt("Atzr|x", CTX)
    with pytest.raises(VaultError) as err:
        cipher(K1).decrypt(stored, CTX)
    assert "connection 7" in str(err.value) and "'k2'" in str(err.value)


def test_relabelled_kid_fails():
    c = cipher(K1, K2)
    stored = c.encrypt("Atzr|x", CTX)
    relabelled = stored.replace("v1.k1.", "v1.k2.")
    with pytest.raises(VaultError):
        c.decrypt(relabelled, CTX)


def test_garbage_is_a_clear_error_not_plaintext():
    with pytest.raises(VaultError, match="not in the v1 format"):
        cipher(K1).decrypt("Atzr|plaintext-token", CTX)


def test_rotation_first_key_encrypts_all_decrypt():
    old = cipher(K1).encrypt("Atzr|x", CTX)
    both = cipher(K2, K1)
    assert both.decrypt(old, CTX) == "Atzr|x"
    assert both.needs_rotation(old)
    assert not both.needs_rotation(both.encrypt("Atzr|x", CTX))


def test_repr_shows_no_key_material():
    encoded = base64.urlsafe_b64encode(K1.key).decode().rstrip("=")
    for text in (repr(cipher(K1)), repr(K1), str(K1)):
        assert encoded[:12] not in text and repr(K1.key) not in text
    assert repr(K1) == "EncryptionKey(kid='k1', key=**********)"
