#!/usr/bin/env bash
# Regenerates every derived file of the repository from the code, in dependency order:
#   1. src/input/skeletons.rs (the reader's compiled skeletons of the JSON Schemas)
#   2. functions/appspec.schema.json and functions/platformconfig.schema.json (`appspec schema`)
#   3. the insta snapshots (fixtures, import, kustomize end to end, Backstage) and the
#      examples' expected.yaml, examples/flux/deploy (APPSPEC_BLESS=1)
#   4. the import fixtures' dropped lists (UPDATE_DROPPED=1)
# Then it shows what changed: READ THE DIFF before committing; a snapshot that changed
# without a reason is a defect, not a new truth.
# Usage: bash scripts/bless.sh        (from anywhere; needs what scripts/test.sh installs)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }
export APPSPEC_VENV="${APPSPEC_VENV:-$ROOT/.venv}"

step "src/input/skeletons.rs"
APPSPEC_BLESS=1 cargo test --locked --lib skeletons -- --quiet

step "functions/*.schema.json"
cargo build --locked --quiet
target/debug/appspec schema appspec >functions/appspec.schema.json
target/debug/appspec schema platform >functions/platformconfig.schema.json

step "insta snapshots, expected.yaml, the hydrated Flux example, import dropped lists"
INSTA_UPDATE=always APPSPEC_BLESS=1 UPDATE_DROPPED=1 \
  cargo test --locked --test fixtures --test import --test kustomize_e2e --test flux_example \
  --test backstage -- --quiet

step "what changed (review it)"
git status --short -- src/input/skeletons.rs functions tests examples
