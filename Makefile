# Two commands do all the set-up on a fresh machine:
#   make demo   install, compile the catalogs, create the embedded database with the samples,
#               start the web application and a dialer worker (sim telephony) on 127.0.0.1,
#               print the address and the demo sign-ins, and run until Ctrl-C
#               (survey-engine demo --tour prints the terminal tour instead)
#   make test   install, compile the catalogs, and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install catalogs demo test lint bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

catalogs: install
	$(BIN)/survey-engine i18n compile

demo: catalogs
	$(BIN)/survey-engine demo

test: catalogs
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check survey_engine dialer results tests bench
	$(BIN)/mypy

bench: catalogs
	$(BIN)/python bench/questionnaire.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/import_contacts.py
	$(BIN)/python bench/simulate.py
	$(BIN)/python bench/sip.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) build *.egg-info
	find locales -name '*.mo' -delete
