#!/usr/bin/env bash
# Entry point of the `language: script` pre-commit hooks (.pre-commit-hooks.yaml):
# run sessionlog built from this checkout — the revision the user's
# .pre-commit-config.yaml pins — building it on first use.
#
# pre-commit keeps one clone per revision, so the build happens once per
# revision; it uses Cargo.lock (--locked) and your usual CARGO_HOME, so crates
# already downloaded are reused and an offline machine with them works
# (CARGO_NET_OFFLINE=true). Environment:
#   SESSIONLOG_HOOK_PROFILE     cargo profile (default: dev — the profile tuned for a fast
#                               first build; render and validate need no more speed)
#   SESSIONLOG_HOOK_TARGET_DIR  target directory (default: target/ of this clone);
#                               one shared by several clones is rebuilt as needed
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${SESSIONLOG_HOOK_PROFILE:-dev}"
target="${SESSIONLOG_HOOK_TARGET_DIR:-$here/target}"
case "$profile" in
  dev | test) out=debug ;;
  bench) out=release ;;
  *) out=$profile ;;
esac
bin="$target/$out/sessionlog"

# A private target directory of an immutable clone: built once is built.
if [ -n "${SESSIONLOG_HOOK_TARGET_DIR:-}" ] || [ ! -x "$bin" ]; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: the sessionlog hooks build sessionlog with cargo, which is not on PATH" >&2
    echo "   = help: install Rust (https://rustup.rs), or use the sessionlog-*-system hooks with sessionlog installed" >&2
    exit 1
  fi
  if [ ! -x "$bin" ]; then
    echo "sessionlog: building $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo 'the hook revision') (first run of this hook revision)" >&2
  fi
  cargo build --locked --quiet --profile "$profile" --bin sessionlog \
    --manifest-path "$here/Cargo.toml" --target-dir "$target" >&2
fi
exec "$bin" "$@"
