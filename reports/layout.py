"""The files of a certification run's folder, named once (this module imports nothing, so
light readers such as :mod:`reports.verification` can use it)."""

from __future__ import annotations

__all__ = [
    "CERTIFICATE_JSON",
    "JUNIT_XML",
    "MESSAGES",
    "REPORT_HTML",
    "REPORT_JSON",
    "SETTINGS_JSON",
    "TRANSCRIPT_JSONL",
    "WAIVERS_YAML",
]

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
JUNIT_XML = "junit.xml"
CERTIFICATE_JSON = "certificate.json"
TRANSCRIPT_JSONL = "transcript.jsonl"
"""The axis transcript export the report rests on."""
WAIVERS_YAML = "waivers.yaml"
"""The waivers file applied, byte for byte."""
SETTINGS_JSON = "settings.json"
MESSAGES = "messages"
"""The folder of the message bytes the failures are about."""
