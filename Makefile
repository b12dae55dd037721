# The two set-up commands for a fresh machine: `make test` and `make demo`.
# Each creates .venv, installs perfsight with its test extra, installs the Debian packages it
# needs when they are missing, then runs the whole test suite or the demo.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := redis-server prometheus chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test demo lint typecheck pytest system-packages install clean

test: install system-packages lint typecheck pytest

demo: install system-packages
	$(BIN)/perfsight demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml setup.py
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(COMPILED)

# The analysis hot path is compiled with mypyc next to its sources (perfsight/compiled.py):
# the install builds them; they are rebuilt whenever one of them changes, or Python would
# import the old build.
HOT_PATH := $(shell $(PYTHON) -c "import runpy; print(*runpy.run_path('perfsight/compiled.py')['MODULES'])")
COMPILED := $(VENV)/.compiled

$(COMPILED): $(STAMP) perfsight/compiled.py $(HOT_PATH)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(COMPILED)

install: $(STAMP) $(COMPILED)

# Install redis-server, prometheus and chromium from Debian when a binary is missing.
system-packages:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing \
		|| { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; }; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install system-packages
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .perfsight .pytest_cache .mypy_cache .ruff_cache build perfsight/compiled_sources.json
	find analyzers collectors perfsight -name "*.so" -delete
