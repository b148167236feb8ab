#!/usr/bin/env bash
# Fuzz the KRM function (krm_input), the render path (render_input) and import
# (import_input) with cargo-fuzz
# (libFuzzer + AddressSanitizer), each for a bounded time. Not part of the default test run.
#
#   bash scripts/fuzz.sh                 # 60 s per target
#   bash scripts/fuzz.sh 300             # 300 s per target (or FUZZ_SECONDS=300)
#   bash scripts/fuzz.sh 60 krm_input    # one target
#
# Works on a stable toolchain: cargo-fuzz needs nightly flags (-Zsanitizer), enabled here with
# RUSTC_BOOTSTRAP=1. Set FUZZ_TOOLCHAIN=nightly to use a nightly toolchain instead.
# Seeds are rebuilt on every run from tests/fixtures/*/ and examples/ (fixtures wrapped into
# ResourceLists for krm_input), for import_input from the releases of tests/import/; what
# the fuzzer finds stays in fuzz/corpus/<target>/ (ignored by
# git). Crashes land in fuzz/artifacts/<target>/; the script exits 1 if there is any.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-60}}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(krm_input render_input import_input)
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
  CARGO=(cargo "+$FUZZ_TOOLCHAIN")
else
  export RUSTC_BOOTSTRAP=1
  CARGO=(cargo)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

wrap_resource_list() { # input.yaml [platform.yaml] -> a ResourceList on stdout
  echo "apiVersion: config.kubernetes.io/v1"
  echo "kind: ResourceList"
  echo "items:"
  awk 'BEGIN { start = 1 }
       /^---[[:space:]]*$/ { start = 1; next }
       start && /^[[:space:]]*(#.*)?$/ { next }
       start { print "- " $0; start = 0; next }
       { print "  " $0 }' "$1"
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "functionConfig:"
    sed 's/^/  /' "$2"
  fi
}

seed() { # target
  local dir="fuzz/corpus/$1" n=0 f case
  mkdir -p "$dir"
  rm -f "$dir"/seed-*
  if [ "$1" = import_input ]; then
    for f in tests/import/*/*.yaml; do
      case "$(basename "$f")" in platform.yaml) continue ;; esac
      cp "$f" "$dir/seed-$(echo "$f" | tr '/' '_')"
      n=$((n + 1))
    done
    echo "$n"
    return
  fi
  for f in tests/fixtures/*/input.yaml; do
    case="$(basename "$(dirname "$f")")"
    if [ "$1" = krm_input ]; then
      wrap_resource_list "$f" "$(dirname "$f")/platform.yaml" >"$dir/seed-fixture-$case"
    else
      cp "$f" "$dir/seed-fixture-$case"
    fi
    n=$((n + 1))
  done
  while IFS= read -r f; do
    case="$(echo "$f" | tr '/' '_')"
    if [ "$1" = krm_input ]; then
      wrap_resource_list "$f" >"$dir/seed-$case"
    else
      cp "$f" "$dir/seed-$case"
    fi
    n=$((n + 1))
  done < <(find examples -name '*.yaml' -not -path '*/node_modules/*' -not -name 'kustomization.yaml' | sort)
  echo "$n"
}

echo "==> building the fuzz targets"
"${CARGO[@]}" fuzz build --fuzz-dir fuzz

status=0
summary=()
for t in "${TARGETS[@]}"; do
  seeds="$(seed "$t")"
  mkdir -p "fuzz/artifacts/$t"
  before="$(find "fuzz/artifacts/$t" -type f | wc -l)"
  log="fuzz/artifacts/$t.log"
  echo "==> fuzzing $t for ${SECONDS_PER_TARGET}s ($seeds seeds)"
  set +e
  "${CARGO[@]}" fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=4096 -max_len=16384 \
    -dict=fuzz/yaml.dict -print_final_stats=1 >"$log" 2>&1
  code=$?
  set -e
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  after="$(find "fuzz/artifacts/$t" -type f | wc -l)"
  new=$((after - before))
  summary+=("$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, exit $code, $new new artifact(s) in fuzz/artifacts/$t (log: $log)")
  if [ "$code" -ne 0 ] || [ "$new" -gt 0 ]; then
    status=1
    grep -E 'ERROR|panicked|SUMMARY|Test unit written' "$log" | head -20 || true
  fi
done

echo
echo "==> fuzz summary"
printf '  %s\n' "${summary[@]}"
exit "$status"
