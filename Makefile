# movierec: `make run` installs everything and runs the main job, `make test` installs everything and runs
# the tests, `make lab` opens the tutorial (the notebooks in nbs/) in JupyterLab. Both share `make install`, which is idempotent (it re-runs only when settings.ini or setup.py change).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A checkout that sits beside ../shared/data finds the MovieLens archives there instead of downloading them.
ifneq ($(wildcard ../shared/data),)
export MOVIEREC_DATA ?= $(abspath ../shared/data)
endif

.PHONY: install run test lab check notebooks docs browser pytest clean

install: $(VENV)/.installed

$(VENV)/.installed: settings.ini setup.py
	@start=$$(date +%s); set -ex; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(BIN)/python -m pip install -q --upgrade pip; \
	$(BIN)/python -m pip install torch==2.13.0 torchvision==0.28.0; \
	$(BIN)/python -m pip install -e ".[dev]"; \
	touch $@; set +x; echo "stage install: $$(( $$(date +%s) - start )) s"

run: install
	$(BIN)/movierec similar "Toy Story"

test: install browser
	@start=$$(date +%s); $(MAKE) --no-print-directory check && \
	s1=$$(date +%s) && echo "stage check: $$((s1-start)) s" && \
	$(MAKE) --no-print-directory notebooks && s2=$$(date +%s) && echo "stage notebooks: $$((s2-s1)) s" && \
	$(MAKE) --no-print-directory docs && s3=$$(date +%s) && echo "stage docs: $$((s3-s2)) s" && \
	MOVIEREC_DOCS_SITE=$(abspath _docs) $(MAKE) --no-print-directory pytest && s4=$$(date +%s) && echo "stage pytest: $$((s4-s3)) s"

# JupyterLab on nbs/ from the project's environment, on this machine only; the notebooks find the data as `make run`
# does (MOVIEREC_DATA above). Root needs --allow-root. LAB_ARGS sets the rest (say --port=8890).
LAB_ARGS ?= --no-browser
lab: install
	$(BIN)/jupyter lab --notebook-dir=nbs --ip=127.0.0.1 $(LAB_ARGS) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# nbdev_export and nbdev_clean must change nothing: the package is generated from the notebooks, which are clean.
check: install
	@before="$$(git status --porcelain; git diff)"; \
	PATH=$(BIN):$$PATH nbdev_export && PATH=$(BIN):$$PATH nbdev_clean; \
	after="$$(git status --porcelain; git diff)"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_export or nbdev_clean changed files: run both and commit the result."; git status --short; exit 1; \
	fi; echo "nbdev_export and nbdev_clean change nothing"
	$(BIN)/movierec_docs --check

# Two notebooks run at once, so each gets half the cores: two torch processes that each start a thread per core on the
# same two cores slow each other down about tenfold (fit_collab, 2 epochs: 2.3 s alone, 31 s two at once, 3.0 s two at
# once with OMP_NUM_THREADS=1; measured 2026-12-04).
NB_THREADS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n > 3 ? n / 2 : 1 )))
notebooks: install
	PATH=$(BIN):$$PATH CI=$${CI:-1} OMP_NUM_THREADS=$(NB_THREADS) nbdev_test --n_workers 2 --timing

# The documentation site, into _docs/ (and README.md from nbs/index.ipynb, which `check` has already compared).
docs: install
	PATH=$(BIN):$$PATH movierec_docs

# Debian's chromium for the docs browser test (tests/test_docs.py); installing it needs root.
browser:
	@start=$$(date +%s); command -v chromium >/dev/null || { echo "installing Debian's chromium for the docs browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "could not install chromium (needs root): the browser test will be skipped"; }; \
	echo "stage browser: $$(( $$(date +%s) - start )) s"

pytest: install
	CI=$${CI:-1} $(BIN)/python -m pytest tests -q

clean:
	rm -rf $(VENV) *.egg-info _docs _proc tests/screenshots
