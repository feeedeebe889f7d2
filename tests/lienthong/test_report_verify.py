"""``lienthong report verify`` on the folder of a real run: the genuine certificate verifies
with the trusted key, and each class of forgery fails with its reason."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.certify import run
from conformance.settings import CertifySettings
from lienthong.cli import main
from reports.certificate import canonical_json
from reports.keys import CertificateSigner, open_signing_key

Forgery = Callable[[Path], None]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real (partial) run of the reference SUT with a waivers file, and its key's
    fingerprint."""
    base = tmp_path_factory.mktemp("genuine")
    waivers = base / "waivers.yaml"
    waivers.write_text(
        "- requirement: RCV-ARRIVED\n  reason: r\n  expires: 2099-01-01\n  approved_by: A\n",
        "utf-8",
    )
    key = base / "office.pem"
    result = run(
        CertifySettings(
            adapter="reference",
            organ_id="000.00.00.H41",
            officer="Nguyễn Văn A",
            requirements=("TR-ACK-DONE",),
            require_signature=False,
            exploration_examples=0,
            waivers=waivers,
            signing_key=key,
            out_dir=base / "out",
        )
    )
    assert result.folder is not None, result.message
    return result.folder, open_signing_key(key, create=False).signer.fingerprint


@pytest.fixture
def folder(genuine: tuple[Path, str], tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(genuine[0], copy)
    return copy


def _verify(folder: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", "verify", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out + err


def _edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")


@pytest.mark.slow
def test_the_genuine_run_verifies_with_the_trusted_key(
    folder: Path, genuine: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _verify(folder, "--trusted-key", genuine[1], capsys=capsys)
    assert code == 0, out
    first = out.splitlines()[0]
    assert first.startswith(
        "VALID: INCOMPLETE — agency Ủy ban nhân dân tỉnh Nghệ An (000.00.00.H41"
    )
    for fact in (
        "build src-",
        "overrides: require_signature=no, requirements=TR-ACK-DONE, exploration_examples=0",
        f"signed by {genuine[1]}",
    ):
        assert fact in first
    assert "ok waivers file" in out and "ok transcript head" in out
    code, out = _verify(folder, capsys=capsys)
    assert code == 3 and out.startswith("UNTRUSTED: INCOMPLETE")


def _verdict(folder: Path) -> None:
    _edit_json(folder / "certificate.json", lambda c: c.update(verdict="CERTIFIED"))


def _report_verdict(folder: Path) -> None:
    _edit_json(folder / "report.json", lambda r: r.update(verdict="CERTIFIED", reason="all"))


def _product(folder: Path) -> None:
    _edit_json(folder / "certificate.json", lambda c: c["software"].update(product="QLVB Pro"))


def _agency(folder: Path) -> None:
    _edit_json(folder / "report.json", lambda r: r["sut"].update(agency="Bộ Tài chính"))


def _transcript(folder: Path) -> None:
    lines = (folder / "transcript.jsonl").read_text("utf-8").splitlines(keepends=True)
    (folder / "transcript.jsonl").write_text("".join(lines[:-3]), "utf-8")


def _dropped(folder: Path) -> None:
    _edit_json(folder / "report.json", lambda r: r.update(requirements=r["requirements"][1:]))


def _added(folder: Path) -> None:
    _edit_json(folder / "certificate.json", lambda c: c["profile"]["requirements"].append("X-Y"))


def _waiver_added(folder: Path) -> None:
    with (folder / "waivers.yaml").open("a", encoding="utf-8") as out:
        out.write(
            "- requirement: TR-ACK-DONE\n  reason: r\n  expires: 2099-01-01\n  approved_by: B\n"
        )


def _override_hidden(folder: Path) -> None:
    _edit_json(folder / "certificate.json", lambda c: c["profile"].update(overrides={}))


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (_verdict, "the signature does not verify"),
        (_report_verdict, "the report does not match the certificate"),
        (_product, "the signature does not verify"),
        (_agency, "the report does not match the certificate"),
        (_transcript, "the transcript does not match"),
        (_dropped, "the report does not match the certificate"),
        (_added, "the signature does not verify"),
        (_waiver_added, "the waivers file is not the one applied"),
        (_override_hidden, "the signature does not verify"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_each_forgery_fails_with_its_reason(
    folder: Path,
    genuine: tuple[Path, str],
    forge: Forgery,
    reason: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    forge(folder)
    code, out = _verify(folder, "--trusted-key", genuine[1], capsys=capsys)
    assert code == 1, out
    assert out.startswith("INVALID: ")
    assert reason in out.splitlines()[0]


def test_a_certificate_resigned_with_an_untrusted_key_is_untrusted(
    folder: Path, genuine: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    forger = CertificateSigner.generate()

    def resign(cert: dict[str, Any]) -> None:
        cert["verdict"] = "CERTIFIED"
        cert.pop("signature")
        cert["signer"] = {
            "algorithm": "Ed25519",
            "public_key": forger.public_key,
            "fingerprint": forger.fingerprint,
        }
        cert["signature"] = forger.sign(canonical_json(cert))

    _edit_json(folder / "certificate.json", resign)
    code, out = _verify(folder, "--trusted-key", genuine[1], capsys=capsys)
    # The forger also changed the verdict, which its report contradicts.
    assert code == 1 and "the certificate's verdict is 'CERTIFIED' but its report says" in out

    def honest_verdict(cert: dict[str, Any]) -> None:
        cert["verdict"] = "INCOMPLETE"
        cert.pop("signature")
        cert["signature"] = forger.sign(canonical_json(cert))

    _edit_json(folder / "certificate.json", honest_verdict)
    code, out = _verify(folder, "--trusted-key", genuine[1], capsys=capsys)
    assert code == 3, out
    assert out.startswith("UNTRUSTED: INCOMPLETE")
    assert f"signed by key {forger.fingerprint}, which is not a trusted key" in out
