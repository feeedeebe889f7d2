"""The SDK's request signature and hash-file, as AXIS_PROTOCOL.md §2 and §4 describe them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from axis.signing import (
    HeaderMap,
    decode_header,
    format_sdk_timestamp,
    hash_file_matches,
    sdk_hash_file,
    sign,
    sign_header_json,
    signature_valid,
)

WORKED_SIGN_HEADER = (
    '{"XroadVnpt-systemid":"vxp.test.01","XroadVnpt-timestamp":"21112026T114905+0495",'
    '"XroadVnpt-Content-Type":"application/json"}'
)
WORKED_HASH = "59b9ce731ccf4428d8fcc2b2e95d1c18d85b60083176bc7443efa4080a60eea9"


def test_worked_example_of_the_protocol_gives_the_documented_hash() -> None:
    headers = HeaderMap("vxp.test.01", "21112026T114905+0495")
    headers.update({"Content-Type": "application/json"})
    assert sign_header_json(headers.entries()) == WORKED_SIGN_HEADER
    assert sign("s3cr3t-Key", WORKED_SIGN_HEADER.encode()) == WORKED_HASH
    assert signature_valid("s3cr3t-Key", WORKED_SIGN_HEADER.encode(), WORKED_HASH.upper())
    assert not signature_valid("other", WORKED_SIGN_HEADER.encode(), WORKED_HASH)


def test_headers_carry_the_map_keys_signature_and_plain_content_type() -> None:
    headers = HeaderMap("vxp.test.01", "21112026T114905+0495")
    headers.update({"Content-Type": "application/json"})
    sent = dict(headers.headers("s3cr3t-Key"))
    assert sent["XroadVnpt-systemid"] == "vxp.test.01"
    assert sent["Content-Type"] == "application/json"
    assert sent["XroadVnpt-sign-header-key"] == "systemid;timestamp;Content-Type"
    assert sent["XroadVnpt-sign-header"] == WORKED_SIGN_HEADER
    assert sent["XroadVnpt-hash-header"] == WORKED_HASH


def test_sdk_timestamp_pads_milliseconds_to_four_digits() -> None:
    assert (
        format_sdk_timestamp(datetime(2026, 11, 21, 11, 49, 5, 495_000)) == "21112026T114905+0495"
    )
    assert format_sdk_timestamp(datetime(2026, 1, 2, 3, 4, 5, 7_000)) == "02012026T030405+0007"


def test_sign_header_escapes_only_quote_and_backslash_and_keeps_non_ascii_raw() -> None:
    text = sign_header_json([("to", 'a"b\\c'), ("name", "Hà Nội\t")])
    assert text == '{"XroadVnpt-to":"a\\"b\\\\c","XroadVnpt-name":"Hà Nội\t"}'


def test_header_map_keeps_the_first_position_of_a_key_and_never_forgets() -> None:
    headers = HeaderMap("s", "t")
    headers.update({"docId": "1", "status": "done"})
    headers.update({"docid": "2"})
    headers.update({"docId": "3"})
    assert headers.entries() == [
        ("systemid", "s"),
        ("timestamp", "t"),
        ("docId", "3"),
        ("status", "done"),
        ("docid", "2"),
    ]


def test_sdk_hash_file_is_unpadded_hex() -> None:
    data = b"axis"
    digest = hashlib.sha256(data).digest()
    expected = "".join(format(b, "x") for b in digest)
    assert sdk_hash_file(data) == expected
    padded_bytes = sum(1 for b in digest if b < 0x10)
    assert len(sdk_hash_file(data)) == 64 - padded_bytes


@given(st.binary(max_size=200))
def test_hash_file_matches_both_forms_and_nothing_else(data: bytes) -> None:
    assert hash_file_matches(data, sdk_hash_file(data))
    assert hash_file_matches(data, hashlib.sha256(data).hexdigest().upper())
    assert not hash_file_matches(data + b"x", sdk_hash_file(data))


def test_a_62_character_unpadded_hash_is_recognised() -> None:
    # Search a body whose digest has two bytes below 0x10: the SDK writes 62 characters.
    data = next(
        n.to_bytes(4, "big")
        for n in range(10_000)
        if sum(b < 0x10 for b in hashlib.sha256(n.to_bytes(4, "big")).digest()) == 2
    )
    given_hash = sdk_hash_file(data)
    assert len(given_hash) == 62
    assert hash_file_matches(data, given_hash)


def test_decode_header_recovers_utf8_and_falls_back_to_latin1() -> None:
    assert decode_header("Hà Nội".encode()) == "Hà Nội"
    truncated = bytes(ord(c) & 0xFF for c in "Hà Nội")
    assert decode_header(truncated) == truncated.decode("latin-1")
