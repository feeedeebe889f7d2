"""Names vulture (the dead-code finder) reports that are used where it cannot see: by Jinja
templates, pytest, locust, Hypothesis's state machines, signxml, the standard library or a
package's lazy ``__getattr__``. ``make lint`` runs it (``vulture``, configured in
pyproject.toml).

What it reports beyond this list is dead code: remove it, or add it here with its reason.
"""

# ruff: noqa

# A package's lazy loading (PEP 562).
__getattr__  # axis/__init__.py, board/__init__.py, conformance/__init__.py
__dir__

# Fields and properties read by the Jinja templates.
explanation  # axis/dashboard/labels.py
in_flight  # axis/dashboard/views.py
head_seq
head_hash
system_name
listed_times
sender_name
_.shown_all
actor
actor_name
owner_name  # board/model.py
recorded_by
_.asset  # board/web/render.py (Links.asset)

# Record fields: written to JSON, CSV or the database, read back by other programs.
body_size  # axis/events.py
body_sha256
recorded_at  # board/model.py
decided_at
decided_by
run_index  # reports/folder.py (the rendered folder's files)
tts_cdf  # sim/results.py

# Hooks and overrides called by the framework.
_.send_400_response  # axis/server.py: uvicorn's protocol
_.row_factory  # board/registry.py: sqlite3
_.check_deprecated_methods  # spec/signature.py: signxml
_.compress_type  # fixtures/factory.py: zipfile
_.external_attr
abstract  # load/users.py: locust
wait_time
_.on_start
_.on_stop
pytest_addoption  # conformance/plugin.py, conformance/runtime.py, conformance/certify.py
pytest_configure
pytest_unconfigure
pytest_itemcollected  # conftest.py
_.pytest_configure
_.pytest_report_header
_.pytest_collection_modifyitems
_.pytest_collection_finish
_.pytest_runtestloop
_.pytest_runtest_call
_.pytest_runtest_makereport
_.pytest_sessionfinish
_.pytest_terminal_summary
exitstatus
_.exitstatus
_.shouldstop
pytestmark
pytest_plugins
_user_folders  # tests/conftest.py: an autouse fixture
tools  # tests/reports/test_pdf.py: a fixture tests take for its side effect
machine_zone  # tests/spec/test_clock.py: likewise
_.log_message  # tests/reports/test_front_page.py: http.server

# Hypothesis's rule-based state machines (rules, invariants, the TestCase they make).
_._deliver  # conformance/exploration.py
_._redeliver
_._revoke
_._ask_back
_._fault
_.redeliver
_.ask_back
_.teardown
_.send_an_allowed_code  # tests/spec/test_lifecycle.py
_.history_is_the_accepted_codes
_.summaries_agree
_.timestamps_never_decrease
_.replaying_the_history_gives_the_same_lifecycle
test_lifecycle_against_model

# The exploration's steps, dispatched by name (``getattr(self, f"_{op}")``), and its Hypothesis
# rule.
_illegal  # conformance/exploration.py
illegal

# Simulation measures the metrics registry calls by name (operator.methodcaller).
paper_free  # sim/measures.py
desk_utilisation
desk_time
backlog_mean
backlog_end
handling_mean
connected_share

# Fields written to JSON by spec.jsonmap (read through the converter, not by name).
hash  # axis/events.py (Event.hash)
blob  # tests/spec/test_jsonmap.py
