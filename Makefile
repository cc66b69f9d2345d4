# sessionlog — developer entry points. `make test` is the one command CI runs.
SHELL := /bin/bash
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
export SESSIONLOG_CFN_LINT := $(VENV)/bin/cfn-lint

.PHONY: all setup test templates bench bench-scale bench-build render lint man test-hooks

all: test

## Install pinned test tools (cfn-lint, moto, boto3, awscli, pre-commit, pykwalify) into .venv, checkov into .venv-checkov;
## the access and SCP proofs' evaluator (npm ci); zsh, fish, groff if missing.
setup:
	./scripts/test-setup.sh

## The whole suite: unit, snapshot, config-error table, cfn-lint matrix, e2e.
test: setup
	cargo test --locked --all-targets --no-fail-fast
	cargo run --locked --quiet -- render --check
	cargo run --locked --quiet -- schema | diff -u schemas/sessionlog.schema.json -

## Benchmarks, side by side in one run: validate vs cfn-lint, deploy vs the AWS CLI (moto),
## the scale benchmark on the StackSets simulator,
## sessions vs cp + zcat | jq over a synthetic organization-week.
bench: setup
	cargo build --release --locked
	./scripts/bench-validate.sh
	./scripts/bench-deploy.sh
	./scripts/bench-scale.sh
	./scripts/bench-sessions.sh

## 1,000 accounts x 17 Regions on the StackSets simulator: sessionlog vs the
## AWS CLI sequence vs one StackSet after another, and the floor (docs/scale.md).
bench-scale: setup
	./scripts/bench-scale.sh

## Regenerate the committed output of the embedded example, the schema, and the docs
## generated from them (configuration reference, validation rules: tests/docs.rs).
templates:
	cargo run --locked --quiet -- render
	cargo run --locked --quiet -- schema > schemas/sessionlog.schema.json
	UPDATE_DOCS=1 cargo test --locked --quiet --test docs

render: templates

## cfn-lint (-c I) on every template of the configuration matrix, each for its own regions.
lint: setup
	cargo test --locked --test cfn_lint

## Cold build of the README's first command (`cargo run --locked -- render`) in a
## fresh target directory: wall and CPU time, load average (README, "First build").
bench-build:
	./scripts/measure-cold-build.sh

## Manual pages: sessionlog.1 and one page per subcommand, into target/man/.
man:
	cargo run --locked --quiet -- man --out-dir target/man

## The self-building pre-commit hooks (tests/pre_commit.rs, ignored by `make test`):
## pre-commit clones this repository and the hook builds sessionlog there. The hook's
## target directory is kept between runs, so only the first run compiles everything.
HOOK_TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/pre-commit-hook
test-hooks: setup
	SESSIONLOG_HOOK_TARGET_DIR=$(HOOK_TARGET_DIR) cargo test --locked --test pre_commit -- --ignored
