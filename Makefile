# Trợ lý Dịch vụ công: every task a developer, QA or CI runs. `make help` lists them.
# The two commands a newcomer needs: `make run` (the whole bot) and `make test` (the whole suite).

SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_PY  := .venv-app/bin/python
RASA    := .venv-rasa/bin/rasa
RASA_PY := .venv-rasa/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

.PHONY: help setup run test lint types validate train test-unit test-bot test-stories replay eval-nlu bench bench-connectors bench-search bench-conversations bench-upstream bench-web bench-zalo bench-load clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## create .venv-app and .venv-rasa from the lock files (only what is missing or stale)
	@scripts/setup.sh

run: setup ## run the whole bot: connectors :8000, actions :5055, Rasa :5005, chat page; trains if needed
	@$(APP_PY) -m scripts.stack run

train: setup ## train the Rasa model if config, domain or data changed (models/vi-<fingerprint>.tar.gz)
	@$(APP_PY) -m scripts.stack train

lint: setup ## ruff on every Python file
	@.venv-app/bin/ruff check actions connectors scripts tests bot qa vnid

types: setup ## mypy --strict on actions, connectors, scripts
	@.venv-app/bin/mypy

validate: setup ## rasa data validate: domain, rules, stories, NLU consistency, story conflicts
	@$(RASA) data validate --domain bot/domain --data data --config config.yml --max-history 5

test-bot: setup ## unit tests of bot/ (tokenizer, normaliser) in the Rasa environment
	@$(RASA_PY) -m pytest -q -p no:cacheprovider tests/bot

test-unit: setup train ## app-environment tests: connectors (SQLite + PostgreSQL), actions, data, end to end
	@$(APP_PY) -m pytest -q --durations=25 --ignore=tests/bot tests

test-stories: setup train ## Rasa story tests (tests/stories), failing on any wrong prediction
	@$(RASA) test core --model models/vi-$$($(APP_PY) -m scripts.stack fingerprint).tar.gz \
		--stories tests/stories --fail-on-prediction-errors --out var/results/stories

replay: setup ## QA conversations (tests/conversations) against the running bot; ARGS="--url ... --tag smoke"
	@.venv-app/bin/replay $(ARGS)

test: setup lint types validate train test-bot test-stories test-unit ## the whole suite (what CI runs)
	@echo "make test: all checks passed"

eval-nlu: setup ## NLU evaluation on the held-out split + cross-validation, with the baseline; writes a report
	@$(RASA_PY) -m scripts.eval_nlu

bench-connectors: setup ## connectors latency/throughput (SQLite and PostgreSQL) and search quality
	@$(APP_PY) -m scripts.bench_connectors

bench-search: setup ## procedure search over the whole catalogue: exams and dev sets, writes reports/search
	@$(APP_PY) -m scripts.bench_search

bench-conversations: setup ## conversation exam and dev set against the running bot (`make run`)
	@$(APP_PY) -m scripts.bench_conversations

bench-upstream: setup ## dossier look-up through a fake province system: p50/p95 uncached/cached, upstream down
	@$(APP_PY) -m scripts.bench_upstream

bench-web: setup ## the chat page in headless chromium: time to the first bot message over 20 fresh loads
	@$(APP_PY) -m scripts.bench_web

bench-zalo: setup ## the Zalo webhook under a burst of 100 signed events (fake Zalo): acknowledgement p50/p95
	@$(APP_PY) -m scripts.bench_zalo

bench-load: setup ## REST load vs stock `rasa init`, 1 and 2 Rasa: latency, msg/s, CPU, RSS; writes docs/benchmarks.md (ARGS=--quick)
	@$(APP_PY) -m scripts.bench_load $(ARGS)

bench: bench-connectors bench-search bench-upstream eval-nlu ## all benchmarks that need no running bot

clean: ## remove models, local databases, logs (not the environments)
	rm -rf models var/log var/results var/portal.sqlite3*
