"""``lienthong keys``: the installation's certificate signing key.

``show`` prints where the key is and its fingerprint (what the certification office publishes
and verifiers pin); ``export-public`` writes its public key as PEM, the file a verifier puts in
its trusted-keys folder or gives with ``report verify --trusted-key``; ``create`` makes the key
before the first run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_NO_KEY = 0, 2


def _key(args: argparse.Namespace, *, create: bool) -> object:
    from reports.keys import open_signing_key

    return open_signing_key(args.signing_key, create=create)


def _run(args: argparse.Namespace, action: str) -> int:
    from reports.errors import CertificateError

    try:
        key = _key(args, create=action == "create")
    except CertificateError as exc:
        print(f"lienthong keys {action}: {exc}", file=sys.stderr)
        return EXIT_NO_KEY
    signer = key.signer  # type: ignore[attr-defined]
    path = key.path  # type: ignore[attr-defined]
    if action == "export-public":
        if args.out is None:
            sys.stdout.write(signer.public_pem())
        else:
            args.out.write_text(signer.public_pem(), "ascii")
            print(f"wrote {args.out} (public key {signer.fingerprint})")
        return EXIT_OK
    if action == "create" and not key.created:  # type: ignore[attr-defined]
        print(f"a signing key already exists at {path}")
    elif action == "create":
        print(f"created the signing key {path}")
    print(f"signing key: {path}")
    print("algorithm:   Ed25519")
    print(f"fingerprint: {signer.fingerprint}")
    print(f"public key:  {signer.public_key} (raw, base64)")
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from reports.keys import default_signing_key

    parser = subparsers.add_parser(
        "keys",
        help="the certificate signing key: show it, export its public key, create it",
        description=(
            "The installation's Ed25519 certificate signing key, by default "
            f"{default_signing_key()} (the user's data folder; --signing-key FILE for another). "
            "Exit status: 0 done, 2 no key (or it cannot be read)."
        ),
    )
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    helps = {
        "show": "print the key's file, fingerprint and public key",
        "export-public": "write the public key as PEM (for verifiers' trusted-keys folders)",
        "create": "create the key now (owner-only) if there is none, and show it",
    }
    for action, text in helps.items():
        sub = actions.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        sub.add_argument(
            "--signing-key",
            type=Path,
            metavar="FILE",
            help="the key file (default: the installation's key in the user's data folder)",
        )
        if action == "export-public":
            sub.add_argument(
                "--out", type=Path, metavar="FILE", help="write the PEM here (default: stdout)"
            )
        sub.set_defaults(run=lambda args, action=action: _run(args, action))
