"""Certificate keys: the installation's Ed25519 signing key, and the public keys a verifier
trusts.

The signing key lives in one file, by default in the user's data folder
(``platformdirs.user_data_path("lienthong")/keys/``), never relative to the working directory
and never inside a report folder that ``make clean`` deletes. It is created owner-only on first
use; its fingerprint (SHA-256 of the raw public key, hex) is what an officer publishes and
pins. A verifier trusts public keys given one by one (a PEM file or a fingerprint) or all the
``*.pem`` files of a trusted-keys folder, which is how a certification office publishes its
keys; the default folder is ``platformdirs.user_config_path("lienthong")/trusted-keys/``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reports.errors import CertificateError

__all__ = [
    "ALGORITHM",
    "PRIVATE_KEY_FILE",
    "CertificateSigner",
    "KeyFile",
    "TrustedKeys",
    "default_signing_key",
    "default_trusted_keys",
    "fingerprint_of",
    "open_signing_key",
    "public_key_of_pem",
]

ALGORITHM = "Ed25519"
PRIVATE_KEY_FILE = "certificate-signing-key.pem"
_APP = "lienthong"
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def default_signing_key() -> Path:
    """Where the installation's signing key lives: the user's data folder."""
    return platformdirs.user_data_path(_APP) / "keys" / PRIVATE_KEY_FILE


def default_trusted_keys() -> Path:
    """The folder of trusted public keys (``*.pem``): the user's configuration folder."""
    return platformdirs.user_config_path(_APP) / "trusted-keys"


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(public: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw public key: what an officer publishes and pins."""
    return hashlib.sha256(_raw(public)).hexdigest()


def public_key_of_pem(pem: bytes, source: str) -> Ed25519PublicKey:
    """The Ed25519 public key in PEM ``pem`` (a public key, or the private key it belongs to);
    ``source`` names it in the error. Raises ``CertificateError``."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise CertificateError(f"{source} is not a PEM public key") from exc
        key = private.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CertificateError(f"{source} holds a {type(key).__name__}, not an Ed25519 key")
    return key


class CertificateSigner:
    """Signs certificate bodies with one Ed25519 private key."""

    __slots__ = ("_key",)

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    def __repr__(self) -> str:
        return f"CertificateSigner(<Ed25519 key {self.fingerprint[:16]}…>)"

    @classmethod
    def generate(cls) -> CertificateSigner:
        """A signer with a fresh key held only in memory."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> str:
        """The raw public key, base64."""
        return base64.b64encode(_raw(self._key.public_key())).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self._key.public_key())

    def public_pem(self) -> str:
        """The public key as PEM (SubjectPublicKeyInfo): what ``keys export-public`` writes."""
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def sign(self, message: bytes) -> str:
        """The Ed25519 signature of ``message``, base64."""
        return base64.b64encode(self._key.sign(message)).decode("ascii")


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A signing key and the file it lives in; ``created`` is True when this call made it."""

    path: Path
    signer: CertificateSigner
    created: bool


def open_signing_key(path: Path | None = None, *, create: bool = True) -> KeyFile:
    """The signing key at ``path`` (default :func:`default_signing_key`), created owner-only
    when missing and ``create`` is true. Raises ``CertificateError`` when it is missing (and
    not to be created), readable by others, or not an Ed25519 private key."""
    path = Path(path) if path is not None else default_signing_key()
    created = False
    if not path.exists():
        if not create:
            raise CertificateError(
                f"no signing key at {str(path)!r}: `lienthong keys create` makes one (and "
                "`lienthong certify` does on its first run)"
            )
        created = _create(path)
    return KeyFile(path, _load(path), created)


def _create(path: Path) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CertificateError(f"cannot create the key folder {str(path.parent)!r}: {exc}") from exc
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Write a private temporary file, then link it into place: a concurrent creator either
    # wins the link or finds a complete key, never half a file.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    finally:
        tmp.unlink()
    return True


def _load(path: Path) -> CertificateSigner:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read signing key {str(path)!r}: {exc.strerror}") from exc
    if mode & 0o077:
        raise CertificateError(
            f"signing key {str(path)!r} is readable by others (mode {mode:#o}); "
            f"run: chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise CertificateError(f"{str(path)!r} is not a PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CertificateError(f"{str(path)!r} holds a {type(key).__name__}, not Ed25519")
    return CertificateSigner(key)


@dataclass(frozen=True, slots=True)
class TrustedKeys:
    """The signing keys a verifier trusts: fingerprint → where the trust came from."""

    keys: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.keys)

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self.keys

    def source(self, fingerprint: str) -> str:
        return self.keys[fingerprint]

    @classmethod
    def of(cls, *fingerprints: str) -> TrustedKeys:
        """Trust exactly these fingerprints (64 hex digits each)."""
        return cls.load(fingerprints, folder=None)

    @classmethod
    def load(cls, given: Iterable[str | Path], folder: Path | None) -> TrustedKeys:
        """Trust each of ``given`` (a PEM public key file, or a 64-hex fingerprint) and every
        ``*.pem`` file in ``folder`` (a missing folder trusts nothing). Raises
        ``CertificateError`` naming a key that cannot be read."""
        keys: dict[str, str] = {}
        for item in given:
            text = str(item).strip()
            if _FINGERPRINT.fullmatch(text.lower()) and not Path(text).exists():
                keys.setdefault(text.lower(), "given by fingerprint")
                continue
            keys.setdefault(_file_fingerprint(Path(text)), f"key file {text}")
        if folder is not None and Path(folder).is_dir():
            for pem in sorted(Path(folder).glob("*.pem")):
                keys.setdefault(_file_fingerprint(pem), f"trusted-keys folder {folder}")
        return cls(keys)


def _file_fingerprint(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(
            f"trusted key {str(path)!r} cannot be read ({exc.strerror}); give a PEM public key "
            "file (`lienthong keys export-public`) or a 64-hex fingerprint"
        ) from exc
    return fingerprint_of(public_key_of_pem(data, f"trusted key {str(path)!r}"))
