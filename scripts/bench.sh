#!/usr/bin/env bash
# Performance figures of the release binary (not a test: nothing here passes or fails on time).
#
#   bash scripts/bench.sh            # 5 runs per input
#   RUNS=20 bash scripts/bench.sh
#
# Times how fast each hostile input of tests/limits.rs is refused in KRM mode (stdin), and how
# long 5 000 AppSpecs take to expand in one ResourceList (KRM), in one file (render, the Argo
# CD path, whose repo-server timeout is 60 s) and into a directory (render --out, for Flux).
# Uses hyperfine when it is installed, else `date +%s%N` around each run. Prints one line per
# input: exit code, input size, mean and min wall time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-5}"
APPS="${APPS:-5000}"

echo "==> building the release binary"
cargo build --release --locked --quiet
BIN="$ROOT/target/release/appspec"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

RL_HEAD=$'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n'

echo "==> writing the inputs to $WORK"
# 65 MiB: above the default limit of 64 MiB.
{ printf '%s' "$RL_HEAD"; printf 'pad: "'; head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' x; printf '"\n'; } >"$WORK/too-large-65MiB.yaml"
# 2 000 bytes against --max-input-bytes 1000.
{ printf '%s' "$RL_HEAD"; printf 'pad: "'; head -c 1900 /dev/zero | tr '\0' x; printf '"\n'; } >"$WORK/too-large-2000B.yaml"
# Billion laughs: 10 levels of 10 references.
{
  printf '%s' "$RL_HEAD"
  echo 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
  for i in 1 2 3 4 5 6 7 8 9; do
    p=$((i - 1))
    echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
  done
} >"$WORK/billion-laughs.yaml"
# 50 000 aliases of one anchor.
{ printf '%s' "$RL_HEAD"; echo 'x: &x {a: [1, 2, 3, 4, 5, 6, 7, 8]}'; awk 'BEGIN { printf "y: ["; for (i = 1; i < 50000; i++) printf "*x, "; print "*x]" }'; } >"$WORK/alias-flood.yaml"
# 10 000-deep nesting.
{ printf '%s' "$RL_HEAD"; printf 'x: '; head -c 10000 /dev/zero | tr '\0' '['; printf 1; head -c 10000 /dev/zero | tr '\0' ']'; echo; } >"$WORK/deep-flow-10000.yaml"
{ printf '%s' "$RL_HEAD"; printf 'x:\n  '; head -c 10000 /dev/zero | sed 's/\x0/- /g'; echo x; } >"$WORK/deep-block-seq-10000.yaml"
{ printf '%s' "$RL_HEAD"; echo 'x:'; awk 'BEGIN { s = ""; for (i = 1; i <= 10000; i++) { s = s " "; print s "k:" } }'; } >"$WORK/deep-block-map-10000.yaml"
# Not a ResourceList, not text, nothing.
echo '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}' >"$WORK/json-deployment.json"
head -c 1048576 /dev/urandom >"$WORK/binary-garbage-1MiB.bin"
: >"$WORK/empty.yaml"
printf 'apiVersion: v1\nkind: ResourceList\nitems: []\n' >"$WORK/wrong-apiversion.yaml"
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {a: 1}\n' >"$WORK/items-not-a-list.yaml"

# $APPS AppSpecs over every pattern: as ResourceList items, and as a plain stream for render.
awk -v n="$APPS" 'BEGIN {
  for (i = 0; i < n; i++) {
    m = i % 5
    printf "- apiVersion: platform.hypyr.space/v1alpha1\n  kind: AppSpec\n  metadata: {name: app-%d, namespace: team-%d}\n  spec:\n    image: ghcr.io/acme/app:1.%d.0\n    env: {LOG_LEVEL: info, INDEX: \"%d\"}\n", i, i % 50, i % 10, i
    if (m == 1) printf "    storage: {pattern: longhorn-persistent, size: 10}\n    backup: {strategy: volsync-snapshots}\n"
    if (m == 2) printf "    storage: {pattern: nas-mount, size: 100, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/app-%d}}\n", i
    if (m == 3) printf "    storage: {pattern: s3-external, s3: {bucket: app-%d-data, region: us-east-1}}\n    ingress: {pattern: none}\n", i
    if (m == 4) printf "    ingress: {pattern: external-via-tunnel}\n"
  }
}' >"$WORK/items.yaml"
{ echo 'apiVersion: config.kubernetes.io/v1'; echo 'kind: ResourceList'; echo 'items:'; cat "$WORK/items.yaml"; } >"$WORK/apps-$APPS.yaml"
awk '/^- / { print "---"; sub(/^- /, "") } { sub(/^  /, ""); print }' "$WORK/items.yaml" >"$WORK/apps-$APPS-stream.yaml"

size() { wc -c <"$1" | awk '{ printf "%.1f KiB", $1 / 1024 }'; }

# time_one NAME INPUT_FILE ARGS... : mean and min over $RUNS runs, stdin from INPUT_FILE.
time_one() {
  local name="$1" input="$2" code mean min
  shift 2
  set +e
  "$BIN" "$@" <"$input" >"$WORK/out" 2>"$WORK/err"
  code=$?
  set -e
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --runs "$RUNS" --warmup 1 -i --style none --export-json "$WORK/h.json" \
      --input "$input" "$(printf '%q ' "$BIN" "$@")" >/dev/null 2>&1
    mean="$(grep -o '"mean": *[0-9.e-]*' "$WORK/h.json" | head -1 | awk '{ printf "%.1f", $2 * 1000 }')"
    min="$(grep -o '"min": *[0-9.e-]*' "$WORK/h.json" | head -1 | awk '{ printf "%.1f", $2 * 1000 }')"
  else
    local total=0 best="" t0 t1 ms i
    for ((i = 0; i < RUNS; i++)); do
      t0="$(date +%s%N)"
      "$BIN" "$@" <"$input" >/dev/null 2>&1 || true
      t1="$(date +%s%N)"
      ms=$(((t1 - t0) / 1000))
      total=$((total + ms))
      if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    mean="$(awk -v t="$total" -v n="$RUNS" 'BEGIN { printf "%.1f", t / n / 1000 }')"
    min="$(awk -v t="$best" 'BEGIN { printf "%.1f", t / 1000 }')"
  fi
  printf '%-34s exit %-3s %12s %10s ms mean %10s ms min   %s\n' "$name" "$code" "$(size "$input")" "$mean" "$min" \
    "$(head -c 90 "$WORK/err" | head -1)"
}

echo "==> $RUNS runs each ($(command -v hyperfine >/dev/null 2>&1 && echo hyperfine || echo 'date +%s%N')); binary $BIN"
echo "-- hostile input, KRM mode (stdin); exit 1 expected"
time_one "65 MiB (default limit 64 MiB)" "$WORK/too-large-65MiB.yaml"
time_one "2000 B, --max-input-bytes 1000" "$WORK/too-large-2000B.yaml" --max-input-bytes 1000
time_one "billion laughs" "$WORK/billion-laughs.yaml"
time_one "50 000 aliases" "$WORK/alias-flood.yaml"
time_one "10 000-deep flow [[[" "$WORK/deep-flow-10000.yaml"
time_one "10 000-deep block - - -" "$WORK/deep-block-seq-10000.yaml"
time_one "10 000-deep block mappings" "$WORK/deep-block-map-10000.yaml"
time_one "JSON Deployment" "$WORK/json-deployment.json"
time_one "1 MiB binary garbage" "$WORK/binary-garbage-1MiB.bin"
time_one "empty" "$WORK/empty.yaml"
time_one "wrong apiVersion" "$WORK/wrong-apiversion.yaml"
time_one "items not a list" "$WORK/items-not-a-list.yaml"
echo "-- expansion; exit 0 expected"
time_one "$APPS AppSpecs, KRM ResourceList" "$WORK/apps-$APPS.yaml"
items="$(grep -c '^- apiVersion:' "$WORK/out" || true)"
echo "   ($items objects out, $(wc -c <"$WORK/out" | awk '{ printf "%.1f MiB", $1 / 1048576 }') of YAML)"
time_one "$APPS AppSpecs, render FILE" "$WORK/apps-$APPS-stream.yaml" render "$WORK/apps-$APPS-stream.yaml"
echo "   ($(grep -c '^---$' "$WORK/out" || true) objects out)"
# render --out (the Flux CI path): the first write of a new directory, then re-runs that find
# every file unchanged.
t0="$(date +%s%N)"
"$BIN" render --out "$WORK/hydrated" "$WORK/apps-$APPS-stream.yaml" >/dev/null
t1="$(date +%s%N)"
printf '%-34s %s ms, %s files\n' "$APPS AppSpecs, render --out (new)" "$(((t1 - t0) / 1000000))" \
  "$(find "$WORK/hydrated" -type f | wc -l)"
time_one "$APPS AppSpecs, render --out (same)" "$WORK/apps-$APPS-stream.yaml" render --out "$WORK/hydrated" "$WORK/apps-$APPS-stream.yaml"
