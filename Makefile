# sessionlog — developer entry points. `make test` is the one command CI runs.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
export SESSIONLOG_CFN_LINT := $(VENV)/bin/cfn-lint

.PHONY: all setup test templates bench render lint

all: test

## Install pinned test tools (cfn-lint, moto, boto3, awscli) into .venv.
setup:
	./scripts/test-setup.sh

## The whole suite: unit, snapshot, config-error table, cfn-lint matrix, e2e.
test: setup
	cargo test --locked --all-targets --no-fail-fast
	cargo run --locked --quiet -- render --check
	cargo run --locked --quiet -- schema | diff -u schemas/sessionlog.schema.json -

## Benchmarks, side by side in one run: validate vs cfn-lint, deploy vs the AWS CLI (moto).
bench: setup
	cargo build --release --locked
	./scripts/bench-validate.sh
	./scripts/bench-deploy.sh

## Regenerate the committed output of the embedded example and the schema.
templates:
	cargo run --locked --quiet -- render
	cargo run --locked --quiet -- schema > schemas/sessionlog.schema.json

render: templates

## cfn-lint (-c I) on every template of the configuration matrix, each for its own regions.
lint: setup
	cargo test --locked --test cfn_lint
