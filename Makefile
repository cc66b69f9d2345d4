# sessionlog — developer entry points. `make test` is the one command CI runs.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
export SESSIONLOG_CFN_LINT := $(VENV)/bin/cfn-lint

.PHONY: all setup test templates check-templates bench schema render lint

all: test

## Install pinned test tools (cfn-lint, moto, boto3, awscli) into .venv.
setup:
	./scripts/test-setup.sh

## The whole suite: unit, snapshot, config-error table, cfn-lint matrix, e2e.
test: setup
	cargo test --locked --all-targets --no-fail-fast
	cargo run --locked --quiet -- render --check
	cargo run --locked --quiet -- schema | diff -u schemas/sessionlog.schema.json -

## Regenerate the committed output of the embedded example and the schema.
templates:
	cargo run --locked --quiet -- render
	cargo run --locked --quiet -- schema > schemas/sessionlog.schema.json

render: templates

## cfn-lint on the committed templates, as users gate merges.
lint: setup
	cfn-lint -c I --regions us-east-1 eu-west-1 eu-south-1 -- templates/*.yaml
