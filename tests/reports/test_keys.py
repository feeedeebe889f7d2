"""Signing keys live in one owner-only file in the user's data folder, never relative to the
working directory; trusted keys come from PEM files, fingerprints or a folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reports.errors import CertificateError
from reports.keys import (
    PRIVATE_KEY_FILE,
    CertificateSigner,
    TrustedKeys,
    default_signing_key,
    default_trusted_keys,
    open_signing_key,
)


@pytest.fixture
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_the_default_key_is_in_the_users_data_folder_whatever_the_working_directory(
    user_dirs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    work = tmp_path / "somewhere" / "else"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert default_signing_key() == user_dirs / "data" / "lienthong" / "keys" / PRIVATE_KEY_FILE
    assert default_trusted_keys() == user_dirs / "config" / "lienthong" / "trusted-keys"
    key = open_signing_key()
    assert key.created and key.path == default_signing_key()
    assert list(work.iterdir()) == []


def test_a_key_is_created_owner_only_once_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "office.pem"
    first = open_signing_key(path)
    assert first.created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["office.pem"]
    again = open_signing_key(path)
    assert not again.created
    assert again.signer.fingerprint == first.signer.fingerprint
    assert first.signer.fingerprint[:16] in repr(first.signer)


def test_a_missing_key_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(CertificateError, match=r"no signing key at .*keys create"):
        open_signing_key(tmp_path / "nope.pem", create=False)


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    open_signing_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(CertificateError, match="chmod 600"):
        open_signing_key(path)


def test_not_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(CertificateError, match="not a PEM private key"):
        open_signing_key(path)


def test_trusted_keys_from_files_fingerprints_and_a_folder(tmp_path: Path) -> None:
    office, other, third = (CertificateSigner.generate() for _ in range(3))
    pem = tmp_path / "office.pub.pem"
    pem.write_text(office.public_pem())
    folder = tmp_path / "trusted"
    folder.mkdir()
    (folder / "third.pem").write_text(third.public_pem())
    (folder / "readme.txt").write_text("not a key, not read")
    trusted = TrustedKeys.load([pem, other.fingerprint.upper()], folder)
    assert office.fingerprint in trusted and other.fingerprint in trusted
    assert third.fingerprint in trusted
    assert "office.pub.pem" in trusted.source(office.fingerprint)
    assert not TrustedKeys.load([], tmp_path / "no-such-folder")
    with pytest.raises(CertificateError, match="cannot be read"):
        TrustedKeys.load([tmp_path / "missing.pem"], None)
    (folder / "broken.pem").write_text("-----BEGIN PUBLIC KEY-----\nxx\n")
    with pytest.raises(CertificateError, match="not a PEM public key"):
        TrustedKeys.load([], folder)
