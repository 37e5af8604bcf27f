"""HMAC signing of the wire between the sites (DESIGN.md §5)."""

from __future__ import annotations

import re

import pytest

from govservice.lib.signing import KEY_ID, MESSAGE_ID, SIGNATURE, TIMESTAMP, SignatureError, Verified, sign, verify

NOW = 1_795_000_000.0
PATH = "/api/v1/exchange/messages/"
MESSAGE = "6f1c9a52-3f6e-4c1e-9d55-0c1b2f8e7a10"
BODY = b'{"kind": "case.submitted", "payload": {"number": "TZ2026112400042"}}'
KEYS = {"k1": "secret-one", "k2": "secret-two"}


def signed(*, key_id: str = "k1", now: float = NOW, body: bytes = BODY) -> dict[str, str]:
    return sign(key_id=key_id, secret=KEYS[key_id], method="POST", path=PATH, message_id=MESSAGE, body=body, now=now)


def check(headers, *, method="POST", path=PATH, body=BODY, now=NOW, keys=KEYS) -> Verified:
    return verify(headers=headers, method=method, path=path, body=body, secret_for=keys.get, max_skew=300, now=now)


def refusal(headers, **kwargs) -> str:
    with pytest.raises(SignatureError) as info:
        check(headers, **kwargs)
    assert re.search(r"[\u4e00-\u9fff]", info.value.detail), info.value.detail
    return info.value.code


def test_it_verifies_a_good_signature():
    verified = check(signed())

    assert verified == Verified(key_id="k1", message_id=MESSAGE, timestamp=int(NOW))


def test_it_signs_every_header_the_receiver_needs():
    headers = signed()

    assert set(headers) == {KEY_ID, TIMESTAMP, MESSAGE_ID, SIGNATURE}
    assert headers[TIMESTAMP] == str(int(NOW))
    assert re.fullmatch(r"[0-9a-f]{64}", headers[SIGNATURE])


def test_it_treats_the_method_case_insensitively():
    assert check(signed(), method="post").key_id == "k1"


def test_it_refuses_a_tampered_body():
    assert refusal(signed(), body=BODY.replace(b"42", b"43")) == "bad_signature"
    assert refusal(signed(), body=b"") == "bad_signature"


def test_it_refuses_a_tampered_path():
    assert refusal(signed(), path="/api/v1/exchange/messages/other/") == "bad_signature"


def test_it_refuses_a_tampered_method():
    assert refusal(signed(), method="PUT") == "bad_signature"


def test_it_refuses_a_tampered_message_id():
    headers = signed() | {MESSAGE_ID: "00000000-0000-0000-0000-000000000000"}

    assert refusal(headers) == "bad_signature"


def test_it_refuses_a_tampered_signature():
    headers = signed()
    headers[SIGNATURE] = ("0" if headers[SIGNATURE][0] != "0" else "1") + headers[SIGNATURE][1:]

    assert refusal(headers) == "bad_signature"


def test_it_refuses_a_timestamp_changed_after_signing():
    headers = signed() | {TIMESTAMP: str(int(NOW) + 1)}

    assert refusal(headers) == "bad_signature"


@pytest.mark.parametrize("skew", [-240, 240, -300, 300])
def test_it_accepts_a_clock_up_to_five_minutes_off(skew):
    assert check(signed(now=NOW + skew)).key_id == "k1"


@pytest.mark.parametrize("skew", [-600, 600, 301])
def test_it_refuses_a_stale_or_early_signature(skew):
    assert refusal(signed(now=NOW + skew)) == "stale_signature"


def test_it_refuses_a_malformed_timestamp():
    assert refusal(signed() | {TIMESTAMP: "yesterday"}) == "bad_timestamp"


def test_it_refuses_an_unknown_key_id_exactly_as_a_wrong_signature():
    """Nobody learns from the answer which key ids exist; the receiver's log keeps the real reason."""
    with pytest.raises(SignatureError) as unknown:
        check(signed(), keys={"k2": KEYS["k2"]})
    with pytest.raises(SignatureError) as wrong:
        check(signed() | {SIGNATURE: "0" * 64})
    assert (
        (unknown.value.code, unknown.value.detail)
        == (wrong.value.code, wrong.value.detail)
        == ("bad_signature", wrong.value.detail)
    )
    assert unknown.value.reason == "unknown_key" and wrong.value.reason == "bad_signature"


@pytest.mark.parametrize("value", ["签名", "é" * 64, "\udcff"])
def test_it_refuses_a_signature_of_any_characters_without_crashing(value):
    assert refusal(signed() | {SIGNATURE: value}) == "bad_signature"


@pytest.mark.parametrize("value", ["１７６４", "²", "١٢٣"])
def test_it_refuses_a_timestamp_in_other_digits(value):
    assert refusal(signed() | {TIMESTAMP: value}) == "bad_timestamp"


@pytest.mark.parametrize("header", [KEY_ID, TIMESTAMP, MESSAGE_ID, SIGNATURE])
def test_it_refuses_a_request_missing_a_header(header):
    headers = signed()
    del headers[header]

    assert refusal(headers) == "signature_missing"


def test_it_refuses_an_unsigned_request():
    assert refusal({}) == "signature_missing"


def test_it_accepts_either_key_during_a_rotation():
    assert check(signed(key_id="k1")).key_id == "k1"
    assert check(signed(key_id="k2")).key_id == "k2"


def test_it_refuses_a_signature_made_with_another_keys_secret():
    headers = signed(key_id="k2") | {KEY_ID: "k1"}

    assert refusal(headers) == "bad_signature"
