# fastjwt developer commands. Each target creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: venv build test test-c test-py bench clean

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "setuptools>=77" "Cython>=3.0.10" wheel
	$(PIP) install -q --no-build-isolation -e ".[test]"
	touch $@

venv: $(VENV)/.installed

build: venv
	$(PY) setup.py -q build_ext --inplace

# The whole suite twice: once on the compiled core (which must load), once on the pure-Python twin. The hypothesis
# profile "ci" (tests/conftest.py) makes every run draw the same examples; `make fuzz` is the random exploration.
test: build test-c test-py

test-c:
	FASTJWT_REQUIRE_EXTENSION=1 $(PY) -m pytest -q -p no:cacheprovider --hypothesis-profile=ci

test-py:
	FASTJWT_NO_EXTENSIONS=1 $(PY) -m pytest -q -p no:cacheprovider --hypothesis-profile=ci

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

# PyJWT 2.15.1's own test suite with `jwt` bound to fastjwt, on both cores (issue 12): one count line per core, the
# logs and JUnit XML in build/compat/. A measurement: exits 0 whatever the counts, non-zero only if the harness broke.
# PyJWT's tests need pytest >= 8.4.2 and cryptography, beyond fastjwt's own test extra.
.PHONY: compat
compat: build
	$(PIP) install -q "pytest>=8.4.2"
	$(PY) scripts/compat.py

# Packaging and static checks (issue 7).
# Instructions per call under valgrind's callgrind (repeatable, unlike wall-clock time): the profile behind the bars.
# make profile PROFILE_ARGS="RS256-verifier --functions" lists the overhead beyond cryptography's verify by function.
.PHONY: profile
profile: build
	$(PY) benchmarks/instructions.py $(PROFILE_ARGS)

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

# Security (issue 4). `make fuzz FUZZ_SECONDS=60`: coverage-guided differential fuzzing of the compiled core against
# its pure-Python twin with atheris (installed on demand), or the hypothesis fallback where atheris does not install.
# Findings (inputs) land in fuzz-artifacts/.
.PHONY: fuzz asan
FUZZ_SECONDS ?= 60
FUZZ_CORPUS ?= build/fuzz-corpus

fuzz: build
	@mkdir -p fuzz-artifacts $(FUZZ_CORPUS)
	@if $(PIP) install -q atheris >/dev/null 2>&1 && $(PY) -c "import atheris" 2>/dev/null; then \
		$(PY) fuzz/fuzz_atheris.py -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz-artifacts/ \
			-print_final_stats=1 $(FUZZ_CORPUS); \
	else \
		$(PY) fuzz/fuzz_hypothesis.py --seconds $(FUZZ_SECONDS); \
	fi

# `make asan`: the extensions built with AddressSanitizer + UndefinedBehaviorSanitizer (FASTJWT_SANITIZE=1) in a copy
# of the tree (so the shared tree's modules stay release builds), then the test suite and a fuzz pass run there with
# gcc's libasan preloaded. Any sanitizer report aborts the run. test_leaks is left out: ASan's quarantine and
# allocator make RSS growth meaningless there (it runs in `make test`).
ASAN_DIR ?= build/asan-tree
ASAN_ENV = LD_PRELOAD="$$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 FASTJWT_REQUIRE_EXTENSION=1 PYTHONMALLOC=malloc \
	FASTJWT_STRESS_SECONDS=$(STRESS_SECONDS)
# How long the threaded cache stress (tests/test_cache_stress.py) runs under make asan; make test runs it for 2 s.
STRESS_SECONDS ?= 30

asan: venv
	rm -rf $(ASAN_DIR) && mkdir -p $(ASAN_DIR)
	cp -r fastjwt tests fuzz benchmarks scripts docs setup.py pyproject.toml README.md $(ASAN_DIR)/
	if [ -d ../shared ]; then ln -sfn "$(abspath ../shared)" "$(abspath $(ASAN_DIR)/..)/shared"; fi
	rm -f $(ASAN_DIR)/fastjwt/*.so $(ASAN_DIR)/fastjwt/*.c $(ASAN_DIR)/fastjwt/*.html
	cd $(ASAN_DIR) && FASTJWT_SANITIZE=1 $(abspath $(PY)) setup.py -q build_ext --inplace
	cd $(ASAN_DIR) && $(ASAN_ENV) $(abspath $(PY)) -c "import fastjwt, os; \
		assert fastjwt.HAS_EXTENSION and os.getcwd() in fastjwt._core._core_c.__file__, fastjwt._core._core_c.__file__"
	cd $(ASAN_DIR) && $(ASAN_ENV) $(abspath $(PY)) -m pytest -q -p no:cacheprovider tests \
		--ignore=tests/test_packaging.py --ignore=tests/test_typing.py --ignore=tests/test_leaks.py
	cd $(ASAN_DIR) && $(ASAN_ENV) $(abspath $(PY)) fuzz/fuzz_hypothesis.py --seconds $(FUZZ_SECONDS)
