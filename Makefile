# minigrad: the course's two commands are
#   make lab    start JupyterLab on the course
#   make test   run the whole test suite
# Both first run `make setup`, which needs nothing but python3 (3.10 or newer): it creates
# .venv, installs requirements.txt and minigrad itself (editable), and makes sure Graphviz's
# `dot` program is installed. `make help` lists every target.
#
# The sections below follow a course's life: set-up, the course, tests, grading, the
# benchmark, the web edition, housekeeping. Each holds its targets whole, with the
# variables only they use. A target shows up in `make help` when its rule line ends with
# `## what it does`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip

# ================================================================ set-up
# Touched after a successful install; older than requirements.txt or pyproject.toml means
# "install again". It lets a second `make test` start at once instead of re-running pip.
STAMP := $(VENV)/.minigrad-installed

.PHONY: setup dot sandbox stale-install
setup: $(STAMP) dot ## create .venv, install the course into it, check Graphviz's dot

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "minigrad needs Python 3.10 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not installed'): run make again with PYTHON=python3.11 (or another Python >= 3.10)." >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtualenv with '$(PYTHON) -m venv' (on Debian/Ubuntu: sudo apt-get install python3-venv)." >&2; \
	  rm -rf $(VENV); exit 1; }

# An editable install records where each top-level package is, so one made before
# minigrad/__init__.py existed cannot import minigrad later: when `import minigrad` does not
# find this checkout's package, install again (the check costs one Python start-up).
STAMP_PREREQUISITES := requirements.txt pyproject.toml
ifeq ($(words $(wildcard minigrad/__init__.py $(STAMP))),2)
  ifneq ($(shell cd / && $(abspath $(PY)) -c 'import importlib.util as u, os; s = u.find_spec("minigrad"); print(os.path.realpath(s.origin) if s and s.origin else "")' 2>/dev/null),$(realpath minigrad/__init__.py))
    STAMP_PREREQUISITES += stale-install
  endif
endif
stale-install: ;

$(STAMP): $(STAMP_PREREQUISITES) | $(PY)
	$(PIP) install -r requirements.txt
	$(PIP) install -e .
	@touch $@

dot: ## make sure Graphviz's dot program is installed (apt-get when possible)
	@bash setup/ensure_dot.sh

# The grader runs every notebook in bubblewrap; `make grade` and the grading tests need it.
sandbox: ## make sure bubblewrap (the grading sandbox) is installed (apt-get when possible)
	@bash setup/ensure_bwrap.sh

# ================================================================ the course
PORT ?= 8888
START_NOTEBOOK := notebooks/00_start_here.ipynb
LAB_ARGS ?=

# Open a browser only where there is a screen to show it on. On Linux a desktop session
# sets DISPLAY (X11) or WAYLAND_DISPLAY; macOS has no such variable, so there only an SSH
# login counts as headless. NO_BROWSER=1 or NO_BROWSER=0 on the command line decides.
ifeq ($(origin NO_BROWSER),undefined)
  ifneq ($(CI),)
    NO_BROWSER := 1
  else ifeq ($(shell uname -s),Darwin)
    NO_BROWSER := $(if $(SSH_CONNECTION),1,)
  else
    NO_BROWSER := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,1)
  endif
endif

LAB_FLAGS := --port=$(PORT) --ServerApp.root_dir="$(CURDIR)"
ifneq ($(filter-out 0 no false,$(NO_BROWSER)),)
  LAB_FLAGS += --no-browser
endif
# Jupyter refuses to run as root unless told to (containers, cloud machines, Binder-like setups).
ifeq ($(shell id -u),0)
  LAB_FLAGS += --allow-root
endif
# Open the course on its first chapter once it exists.
ifneq ($(wildcard $(START_NOTEBOOK)),)
  LAB_FLAGS += --LabApp.default_url=/lab/tree/$(START_NOTEBOOK)
endif

# For students, the course's own JupyterLab hides nbgrader's instructor panels (formgrader,
# Create Assignment, courses, assignment list) and keeps its Validate button: the settings
# in jupyter_config/ come first on JUPYTER_CONFIG_PATH (jupyter_config/README.md says which
# file does what). `make lab INSTRUCTOR=1` starts JupyterLab with all of nbgrader, e.g. to
# edit the nbgrader metadata of solutions/.
.PHONY: lab exercises
ifeq ($(filter-out 0 no false,$(INSTRUCTOR)),)
lab: export JUPYTER_CONFIG_PATH := $(CURDIR)/jupyter_config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))
endif
lab: setup ## start JupyterLab on the course (PORT=8888, NO_BROWSER=1, LAB_ARGS=..., INSTRUCTOR=1)
	@echo "Starting JupyterLab on port $(PORT); stop it with Ctrl-C twice."
	$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_ARGS)

# The exercises are written once, as solutions/, and nbgrader makes the students' version.
exercises: setup ## generate exercises/ from solutions/ with nbgrader (same input, same files)
	$(PY) -m minigrad_course.grading.exercises

# ================================================================ tests
PYTEST_ARGS ?=
NOTEBOOK_DIRS ?= notebooks solutions
NBVAL_ARGS ?=
# Notebooks the suite executes from a clean kernel (nbval). Exercises are left out: their
# answers are blank on purpose; their solutions live in solutions/.
NOTEBOOKS = $(wildcard $(addsuffix /*.ipynb,$(NOTEBOOK_DIRS)))
NOTEBOOK_TEST_DIRS = $(sort $(patsubst %/,%,$(dir $(NOTEBOOKS))))

# The browser tests start JupyterLab as `make lab` does and drive it with Chromium through
# pytest-playwright. Playwright (about 165 MB) is only needed for them, so it lives in
# requirements-browser.txt, installed on first use. It never downloads a browser here: the
# tests launch the CHROMIUM installed by the system (Debian: apt-get install chromium).
# Failures leave screenshots and traces in build/test-results.
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.minigrad-browser-installed
BROWSER_PYTEST_ARGS := --output=build/test-results --screenshot=only-on-failure

.PHONY: test test-unit test-notebooks test-browser test-browser-if-available ruff
# The browser tests join in only where Chromium is installed, so that `make test` also
# works on a machine without it (and says what it skipped).
test: test-unit test-notebooks test-browser-if-available ## run the whole test suite (PYTEST_ARGS=... for pytest options)

# tests/browser is left to test-browser, so that `make test` runs the browser tests once.
test-unit: setup sandbox ## run the unit tests in tests/
	MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS) --ignore=tests/browser

test-notebooks: setup ## execute every chapter and solution notebook with nbval
ifeq ($(strip $(NOTEBOOKS)),)
	@echo "test-notebooks: no notebooks in $(NOTEBOOK_DIRS) yet, nothing to execute."
else
	$(PY) -m pytest --nbval-lax --nbval-current-env $(NBVAL_ARGS) $(NOTEBOOK_TEST_DIRS)
endif

$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(PIP) install -r requirements-browser.txt
	@touch $@

# pytest exits with 5 when PYTEST_ARGS select no test here (`make test PYTEST_ARGS="-m 'not
# browser'"`): nothing failed, so say so and succeed.
test-browser: setup $(BROWSER_STAMP) ## run chapters and an exercise in JupyterLab with Chromium (CHROMIUM=path)
	@test -x "$(CHROMIUM)" || { echo "make test-browser needs Chromium at $(CHROMIUM): sudo apt-get install chromium (Debian/Ubuntu), or CHROMIUM=/path/to/chromium" >&2; exit 1; }
	MINIGRAD_CHROMIUM="$(CHROMIUM)" $(PY) -m pytest tests/browser $(BROWSER_PYTEST_ARGS) $(PYTEST_ARGS); \
	  status=$$?; if [ $$status -eq 5 ]; then echo "test-browser: PYTEST_ARGS selected no browser test."; else exit $$status; fi

test-browser-if-available:
	@if [ -x "$(CHROMIUM)" ]; then $(MAKE) --no-print-directory test-browser; \
	else echo "Browser tests skipped: no Chromium at $(CHROMIUM) (sudo apt-get install chromium, then make test-browser)."; fi

ruff: $(STAMP) ## lint the code and notebooks with ruff
	$(BIN)/ruff check .

# ================================================================ grading
# The nbgrader settings live in minigrad_course/grading/nbgrader_config.py. TIMEOUT=seconds
# overrides its per-cell time limit for `make check` and `make grade`; ASSIGNMENT=01_derivatives
# limits `make grade` to some exercises (default: those handed in).
# Every notebook runs in a sandbox (bubblewrap, installed like dot; see
# minigrad_course/grading/sandbox.py) with at most MEMORY of memory (default 2G). UNSAFE=1
# grades without the sandbox, and says so in the output and in every row of grades.csv.
TIMEOUT ?=
ASSIGNMENT ?=
MEMORY ?=
UNSAFE ?=
# JOBS=N grades N notebooks at once (default: the number of cores); grades do not depend on it.
JOBS ?=
GRADING_ARGS = $(if $(strip $(TIMEOUT)),--timeout $(TIMEOUT),)
GRADE_IS_UNSAFE = $(filter-out 0 no false,$(UNSAFE))

.PHONY: check grade
check: setup ## score one notebook per task: make check NOTEBOOK=exercises/01_derivatives.ipynb
	@test -n "$(NOTEBOOK)" || { echo "usage: make check NOTEBOOK=exercises/01_derivatives.ipynb" >&2; exit 2; }
	$(PY) -m minigrad_course.grading.check "$(NOTEBOOK)" $(GRADING_ARGS)

grade: setup ## grade a class with nbgrader, each notebook sandboxed: make grade SUBMISSIONS=dir (JOBS=N MEMORY=2G UNSAFE=1)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir, with dir/<student>/<NN_name>.ipynb" >&2; exit 2; }
	@$(if $(GRADE_IS_UNSAFE),true,bash setup/ensure_bwrap.sh)
	$(if $(strip $(MEMORY)),MINIGRAD_GRADING_MEMORY=$(MEMORY)) $(PY) -m minigrad_course.grading.grade "$(SUBMISSIONS)" $(GRADING_ARGS) $(foreach a,$(ASSIGNMENT),--assignment $(a)) $(if $(strip $(JOBS)),--jobs $(JOBS)) $(if $(GRADE_IS_UNSAFE),--no-sandbox)

# ================================================================ benchmark
# Every engine on the same workloads, the table with the ratios and the targets, and
# bench/results/latest.json for chapter 10. BENCH_ARGS=--quick runs the short version;
# BENCH_ARGS=--check also makes a missed target fail the command.
BENCH_ARGS ?=

.PHONY: bench bench-grading
# bench-grading: nbgrader's serial autograde, make grade JOBS=1 and JOBS=2 on one synthetic
# class (STUDENTS=40 by 3 exercises); notebooks per minute and the ratios.
STUDENTS ?= 40
bench-grading: setup ## time grading a synthetic class: nbgrader serial vs make grade JOBS=1, JOBS=2 (STUDENTS=40)
	@bash setup/ensure_bwrap.sh
	$(PY) bench/grading.py --students $(STUDENTS)

bench: setup ## run the benchmark: minigrad vs NumPy by hand, PyTorch, micrograd (BENCH_ARGS=--quick --check)
	$(PY) bench/benchmark.py $(BENCH_ARGS)

# ================================================================ web edition
.PHONY: html screenshots
html: setup ## render every chapter with its stored outputs as a static web site in build/html
	$(PY) web/build_html.py --output "$(CURDIR)/build/html"

# The README's pictures are what the browser tests see; they save them where this says.
screenshots: setup $(BROWSER_STAMP) ## regenerate the README's pictures in screenshots/ from the browser tests
	MINIGRAD_SCREENSHOTS="$(CURDIR)/screenshots" $(MAKE) --no-print-directory test-browser

# ================================================================ housekeeping
.PHONY: clean distclean help
clean: ## remove caches and build files (keeps .venv)
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .ipynb_checkpoints -o -name .pytest_cache \
	     -o -name .hypothesis -o -name .ruff_cache -o -name '*.egg-info' \) \
	  -type d -prune -exec rm -rf {} +
	rm -rf build dist

distclean: clean ## remove everything make created, .venv included
	rm -rf $(VENV)

help: ## list the targets
	@echo "minigrad: make lab (start the course), make test (run the tests). All targets:"
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z0-9_-]+:[^=]*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
