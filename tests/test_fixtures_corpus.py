"""The edXML corpus: each file produces exactly the findings its label names, hostile input is
refused with the right error, and the corpus covers every rule the validator has."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

import spec
from spec import InputRefused, Options, Severity, catalogue, check, errors, parse, serialize

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpus"
SPEC = ROOT / "spec"
LABELS = yaml.safe_load((CORPUS / "invalid" / "expected.yaml").read_text("utf-8"))
TODAY = date.fromisoformat(LABELS["today"])
FILES: dict[str, dict] = LABELS["files"]
FINDING_FILES = sorted(name for name, label in FILES.items() if "refused" not in label)
REFUSED_FILES = sorted(name for name, label in FILES.items() if "refused" in label)
VALID_FILES = sorted(p.name for p in (CORPUS / "valid").glob("*.edxml"))
# A requirement id as the spec's code writes it: a quoted "<FAMILY>-<SLUG>".
QUOTED_ID = re.compile(r"""["']([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)["']""")


def run(name: str) -> spec.Parsed:
    label = FILES[name]
    options = dict(label.get("options", {}))
    limits = {"max_bytes": options.pop("max_bytes")} if "max_bytes" in options else {}
    data = (CORPUS / "invalid" / name).read_bytes()
    return check(data, Options(today=TODAY, **options), **limits)


def test_every_invalid_file_has_a_label_and_every_label_a_file():
    on_disk = {p.name for p in (CORPUS / "invalid").glob("*.edxml")}
    assert on_disk == set(FILES)
    assert len(FINDING_FILES) >= 80 and len(REFUSED_FILES) >= 8


@pytest.mark.parametrize("name", FINDING_FILES)
def test_file_produces_exactly_the_labelled_findings(name):
    found = run(name).findings
    got = {(f.req_id, f.severity.value) for f in found if f.severity is not Severity.INFO}
    wanted = {(e["id"], e["severity"]) for e in FILES[name]["findings"]}
    assert got == {w for w in wanted if w[1] != "info"}
    infos = {f.req_id for f in found if f.severity is Severity.INFO}
    assert {w[0] for w in wanted if w[1] == "info"} <= infos


@pytest.mark.parametrize("name", REFUSED_FILES)
def test_hostile_and_foreign_input_is_refused_with_the_labelled_error(name):
    refusal = getattr(spec, FILES[name]["refused"])
    assert issubclass(refusal, InputRefused)
    with pytest.raises(InputRefused) as caught:
        run(name)
    assert type(caught.value) is refusal
    assert str(caught.value)


def test_external_entities_are_never_expanded():
    data = (CORPUS / "invalid" / "hostile-external-entity.edxml").read_bytes()
    assert b"file:///etc/passwd" in data
    with pytest.raises(spec.HostileXML, match="DTD"):
        parse(data)


@pytest.mark.parametrize("name", VALID_FILES)
def test_valid_file_has_no_finding_and_round_trips(name):
    data = (CORPUS / "valid" / name).read_bytes()
    parsed = check(data, Options(today=TODAY))
    assert parsed.findings == []
    again = serialize(parsed.message)
    assert parse(again).message == parsed.message
    if parsed.message.signature is None:
        assert again == data  # the corpus is the canonical writer's output
    else:
        # The kept signature comes back in C14N form (<a></a> for <a/>): other bytes, and
        # still a signature that verifies.
        assert check(again, Options(today=TODAY)).findings == []


def test_valid_corpus_has_every_business_kind_and_status_code():
    kinds, codes = set(), set()
    for name in VALID_FILES:
        message = parse((CORPUS / "valid" / name).read_bytes()).message
        if message.kind == "edoc":
            kinds.add(message.bussiness.bussiness_doc_type)
        else:
            codes.add(message.status_code)
    assert kinds == {"0", "1", "2", "3"}
    assert codes == {c.value for c in spec.status_codes.StatusCode}
    signed = check((CORPUS / "valid" / "edoc-new-signed.edxml").read_bytes())
    assert signed.message.signature is not None and signed.findings == []


def ids_in(paths: list[Path]) -> set[str]:
    families = {req_id.split("-")[0] for req_id in catalogue()}
    found = set()
    for path in paths:
        for req_id in QUOTED_ID.findall(path.read_text("utf-8")):
            if req_id.split("-")[0] in families:
                found.add(req_id)
    return found


def labelled_ids() -> set[str]:
    out = set()
    for label in FILES.values():
        out.update(e["id"] for e in label.get("findings", ()))
        if "requirement" in label:
            out.add(label["requirement"])
    return out


def test_corpus_covers_every_rule_of_the_validator():
    rules = ids_in([*sorted((SPEC / "rules").glob("*.py")), SPEC / "reader.py"])
    assert len(rules) >= 45
    assert rules - labelled_ids() == set()


def test_refusals_name_the_requirement_they_enforce():
    for name in REFUSED_FILES:
        requirement = FILES[name]["requirement"]
        assert requirement in {"XML-NO-DTD", "XML-WELL-FORMED"}, name


def test_every_requirement_id_in_spec_and_corpus_is_catalogued():
    used = ids_in(sorted(SPEC.rglob("*.py"))) | labelled_ids()
    assert used - set(catalogue()) == set()
    assert not [req_id for req_id in used if catalogue()[req_id].retired]


def test_corpus_files_would_be_written_again_unchanged():
    # The committed corpus is the generator's output: labels cannot drift from the files.
    from fixtures import make_corpus

    corpus = make_corpus.build()
    assert make_corpus.problems(corpus) == []
    assert make_corpus.stale(corpus, CORPUS) == [], "run: python -m fixtures.make_corpus"


def test_error_findings_of_invalid_files_make_them_non_conformant():
    for name in FINDING_FILES:
        wanted_error = any(e["severity"] == "error" for e in FILES[name]["findings"])
        assert bool(errors(run(name).findings)) == wanted_error, name
