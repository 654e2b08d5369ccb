# fastjwt developer commands. Each target creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: venv build test test-c test-py bench clean

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "setuptools>=69" "Cython>=3.0.10" wheel
	$(PIP) install -q --no-build-isolation -e ".[test]"
	touch $@

venv: $(VENV)/.installed

build: venv
	$(PY) setup.py -q build_ext --inplace

# The whole suite twice: once on the compiled core (which must load), once on the pure-Python twin.
test: build test-c test-py

test-c:
	FASTJWT_REQUIRE_EXTENSION=1 $(PY) -m pytest -q -p no:cacheprovider

test-py:
	FASTJWT_NO_EXTENSIONS=1 $(PY) -m pytest -q -p no:cacheprovider

bench: build
	$(PIP) install -q -r benchmarks/requirements.txt
	$(PY) benchmarks/run.py

clean:
	rm -rf build dist *.egg-info fastjwt/*.c fastjwt/*.so fastjwt/*.html

# The bars of issue 3, each measured as a ratio in one process (PASS/FAIL per bar). Python >= 3.12 for the ryjwt bars:
# make bars PYTHON=python3.12 VENV=.venv312
.PHONY: bars
bars: build
	$(PIP) install -q -r benchmarks/requirements.txt
	$(PY) benchmarks/bars.py

# Packaging and static checks (issue 7).
.PHONY: dist-check test-all lint typecheck

# sdist + wheel into dist/, the wheel into a fresh venv without Cython or a compiler, the suite against the installed
# wheel from outside the tree, and the sdist built from scratch in another fresh venv.
dist-check:
	bash scripts/dist_check.sh $(PYTHON)

# Build and test the compiled core on every CPython 3.10-3.13 under /root/.pyenv/versions (.venv310 ... .venv313).
test-all:
	bash scripts/test_all.sh

$(VENV)/.lint-installed: $(VENV)/.installed pyproject.toml
	$(PIP) install -q --no-build-isolation -e ".[test,lint]"
	touch $@

# ruff, the workflows (actionlint) and cibuildwheel's build plan against the intended 28 wheels.
lint: $(VENV)/.lint-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/actionlint .github/workflows/*.yml
	$(PY) scripts/check_wheel_plan.py

typecheck: $(VENV)/.lint-installed build
	$(VENV)/bin/mypy
