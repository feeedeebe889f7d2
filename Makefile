# The two commands that matter: `make demo` and `make test`. Both work on a fresh
# machine with only Python 3.11: they build .venv and install what they need.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
COMPILED := $(VENV)/.compiled
CHROMIUM := /usr/bin/chromium
# Debian packages the PDF certificate tests use: pdftotext/pdftoppm (poppler-utils), zbarimg.
TOOLS := /usr/bin/pdftotext /usr/bin/pdftoppm /usr/bin/zbarimg
PYTEST_WORKERS ?= 2

.PHONY: demo test test-fast test-tools stress bench lint venv chromium clean dist jdk

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-compile -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# The packages' bytecode, for the demo's many processes; the tests write their own once per
# session (tests/conftest.py), so `make test` does not wait for this. Like pip's own compile
# step, a file that does not compile (a template shipped as .py) is skipped.
$(COMPILED): $(STAMP)
	-$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null 2>&1
	@touch $(COMPILED)

# Debian's chromium, for the browser tests (dashboard, front page).
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# poppler-utils and zbar-tools, to read the PDF certificates back in the tests.
test-tools:
	@for tool in $(TOOLS); do test -x $$tool || missing=1; done; \
	test -z "$$missing" || { \
	  echo "installing Debian's poppler-utils and zbar-tools for the PDF certificate tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    poppler-utils zbar-tools >/dev/null; }

# Debian's JDK, for the Java example controller (examples/java-controller/) and its test.
jdk:
	@command -v javac >/dev/null || { \
	  echo "installing Debian's JDK for the Java example controller"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless >/dev/null; }

demo: $(STAMP) $(COMPILED) chromium
	$(VENV)/bin/lienthong demo

test: $(STAMP) chromium test-tools jdk
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider

# The fast tier while working: every test not marked slow (under a minute on 2 cores).
test-fast: $(STAMP) chromium test-tools
	$(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -m "not slow"

# The honest reference SUT certified 20 times in a row (different seeds) beside a process that
# burns every core: no false failure under load. Takes several minutes; not part of `make test`.
stress: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider -m stress -v tests/conformance/test_stress.py

bench: $(STAMP) $(COMPILED)
	$(PY) -m bench

# The sdist and the wheel built from it, in dist/ (what `pip install` and `pipx install` take).
dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture

clean:
	rm -rf $(VENV) reports/out .pytest_cache .ruff_cache .mypy_cache .import_linter_cache .hypothesis \
	  dist build *.egg-info
