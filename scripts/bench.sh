#!/usr/bin/env bash
# Performance figures of the release binary (not a test: nothing here passes or fails on time).
#
#   bash scripts/bench.sh            # 31 interleaved rounds
#   RUNS=101 bash scripts/bench.sh   # steadier medians on a busy machine
#   PROFILE=dist bash scripts/bench.sh   # the image's profile (fat LTO)
#
# Method: every timed command is a whole process, started from a small Python harness
# (posix_spawn + wait4, wall time); the commands of a section run one after the other in each
# round (interleaved), so a load change on the machine hits them all alike, and each figure
# is the median over the rounds. Peak RSS is GNU time's %M (its own fork is ~2 MB), median of
# 5 runs. Prints the rows of issue 10's table first, then how fast hostile input is refused.
# Needs python3, GNU time (/usr/bin/time) and kubectl (kustomize v5) for the kustomize row.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${RUNS:-31}"
PROFILE="${PROFILE:-release}"

echo "==> building the binary (profile $PROFILE)"
cargo build --profile "$PROFILE" --locked --quiet
BIN="$ROOT/target/$PROFILE/appspec"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# $1 AppSpecs over every pattern, as ResourceList items (two-space indented list entries).
items() {
  awk -v n="$1" 'BEGIN {
    for (i = 0; i < n; i++) {
      m = i % 5
      printf "- apiVersion: platform.hypyr.space/v1alpha1\n  kind: AppSpec\n  metadata: {name: app-%d, namespace: team-%d}\n  spec:\n    image: ghcr.io/acme/app:1.%d.0\n    env: {LOG_LEVEL: info, INDEX: \"%d\"}\n", i, i % 50, i % 10, i
      if (m == 1) printf "    storage: {pattern: longhorn-persistent, size: 10}\n    backup: {strategy: volsync-snapshots}\n"
      if (m == 2) printf "    storage: {pattern: nas-mount, size: 100, nas: {endpoint: \"nfs://nas.internal:2049\", subpath: /mnt/apps/app-%d}}\n", i
      if (m == 3) printf "    storage: {pattern: s3-external, s3: {bucket: app-%d-data, region: us-east-1}}\n    ingress: {pattern: none}\n", i
      if (m == 4) printf "    ingress: {pattern: external-via-tunnel}\n"
    }
  }'
}
resource_list() { printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n'; items "$1"; }
# One file per app in directory $2 (the shape of a GitOps repo), plus a kustomization.
app_dir() {
  mkdir -p "$2"
  items "$1" | awk -v dir="$2" '/^- / { n++; f = sprintf("%s/app-%04d.yaml", dir, n); sub(/^- /, "") } { sub(/^  /, ""); print > f }'
}

echo "==> writing the inputs to $WORK"
resource_list 1 >"$WORK/one.yaml"
resource_list 1000 >"$WORK/apps-1000.yaml"
resource_list 3000 >"$WORK/apps-3000.yaml"
resource_list 10000 >"$WORK/apps-10000.yaml"
app_dir 200 "$WORK/render-200"
app_dir 3000 "$WORK/render-3000"

# kustomize: 50 apps and the function as a container transformer, run by a `docker` on PATH:
# the real one execs the binary, the stand-in returns a captured output at once.
app_dir 50 "$WORK/kustomize-50"
cp functions/appspec.yaml "$WORK/kustomize-50/function.yaml"
{
  echo 'resources:'
  (cd "$WORK/kustomize-50" && ls app-*.yaml | sed 's/^/- /')
  echo 'transformers: [function.yaml]'
} >"$WORK/kustomize-50/kustomization.yaml"
mkdir -p "$WORK/real" "$WORK/capture" "$WORK/standin"
printf '#!/bin/sh\nexec %q\n' "$BIN" >"$WORK/real/docker"
printf '#!/bin/sh\n%q | tee %q\n' "$BIN" "$WORK/captured.yaml" >"$WORK/capture/docker"
printf '#!/bin/sh\ncat >/dev/null\nexec cat %q\n' "$WORK/captured.yaml" >"$WORK/standin/docker"
chmod +x "$WORK"/{real,capture,standin}/docker
KUBECTL="$(command -v kubectl || true)"
if [ -n "$KUBECTL" ]; then
  PATH="$WORK/capture:$PATH" "$KUBECTL" kustomize --enable-alpha-plugins "$WORK/kustomize-50" >"$WORK/k-real.yaml"
  PATH="$WORK/standin:$PATH" "$KUBECTL" kustomize --enable-alpha-plugins "$WORK/kustomize-50" >"$WORK/k-standin.yaml"
  cmp -s "$WORK/k-real.yaml" "$WORK/k-standin.yaml" || { echo "the stand-in's kustomize output differs" >&2; exit 1; }
fi

# The pull-request gate (issue 23): a repository of 100 app roots, each
# `transformers: [../../functions]`, and the same with one app's image changed.
gate_repo() {
  mkdir -p "$1/functions"
  cp functions/appspec.yaml functions/kustomization.yaml "$1/functions/"
  for i in $(seq -w 1 100); do
    mkdir -p "$1/apps/app-$i"
    printf 'apiVersion: platform.hypyr.space/v1alpha1\nkind: AppSpec\nmetadata: {name: app-%s, namespace: media}\nspec:\n  image: ghcr.io/acme/app-%s:1.0.0\n  storage: {pattern: longhorn-persistent, size: 10}\n' "$i" "$i" >"$1/apps/app-$i/app.yaml"
    printf 'resources: [app.yaml]\ntransformers: [../../functions]\n' >"$1/apps/app-$i/kustomization.yaml"
  done
}
gate_repo "$WORK/gate/base"
cp -r "$WORK/gate/base" "$WORK/gate/head"
sed -i 's/:1.0.0/:1.0.1/' "$WORK/gate/head/apps/app-050/app.yaml"

# Hostile input (KRM mode, stdin): each must be refused with exit 1.
RL_HEAD=$'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n'
{ printf '%s' "$RL_HEAD"; printf 'pad: "'; head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' x; printf '"\n'; } >"$WORK/too-large-65MiB.yaml"
{
  printf '%s' "$RL_HEAD"
  echo 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'
  for i in 1 2 3 4 5 6 7 8 9; do
    p=$((i - 1))
    echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
  done
} >"$WORK/billion-laughs.yaml"
{ printf '%s' "$RL_HEAD"; echo 'x: &x {a: [1, 2, 3, 4, 5, 6, 7, 8]}'; awk 'BEGIN { printf "y: ["; for (i = 1; i < 50000; i++) printf "*x, "; print "*x]" }'; } >"$WORK/alias-flood.yaml"
{ printf '%s' "$RL_HEAD"; printf 'x: '; head -c 10000 /dev/zero | tr '\0' '['; printf 1; head -c 10000 /dev/zero | tr '\0' ']'; echo; } >"$WORK/deep-flow-10000.yaml"
{ printf '%s' "$RL_HEAD"; echo 'x:'; awk 'BEGIN { s = ""; for (i = 1; i <= 10000; i++) { s = s " "; print s "k:" } }'; } >"$WORK/deep-block-map-10000.yaml"
head -c 1048576 /dev/urandom >"$WORK/binary-garbage-1MiB.bin"
: >"$WORK/empty.yaml"

export BIN WORK RUNS KUBECTL
python3 - <<'PY'
import os, statistics, subprocess, time

BIN, WORK, RUNS, KUBECTL = os.environ["BIN"], os.environ["WORK"], int(os.environ["RUNS"]), os.environ["KUBECTL"]
NULL = os.open(os.devnull, os.O_RDWR)

def spawn(argv, stdin=None, env=None):
    """Wall time in ms and exit code of one whole process."""
    fd = os.open(stdin, os.O_RDONLY) if stdin else NULL
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env or os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, fd, 0), (os.POSIX_SPAWN_DUP2, NULL, 1),
                                        (os.POSIX_SPAWN_DUP2, NULL, 2)])
    _, status, _ = os.wait4(pid, 0)
    ms = (time.perf_counter() - t0) * 1000
    if stdin:
        os.close(fd)
    return ms, os.waitstatus_to_exitcode(status)

def interleaved(commands):
    """Median wall time per command over RUNS rounds, one run of each per round."""
    for argv, stdin, env in commands.values():  # warm-up
        spawn(argv, stdin, env)
    times = {name: [] for name in commands}
    codes = {}
    for _ in range(RUNS):
        for name, (argv, stdin, env) in commands.items():
            ms, code = spawn(argv, stdin, env)
            times[name].append(ms)
            codes[name] = code
    return {n: statistics.median(t) for n, t in times.items()}, codes

def rss_mb(argv, stdin):
    """Median peak RSS (MB) of 5 runs, by GNU time."""
    out = []
    for _ in range(5):
        with open(stdin or os.devnull, "rb") as f:
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdin=f,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        out.append(int(r.stderr.strip().splitlines()[-1]) / 1024)
    return statistics.median(out)

def row(what, now, goal):
    print(f"| {what} | {now} | {goal} |")

w = lambda f: os.path.join(WORK, f)
env_with = lambda d: dict(os.environ, PATH=f"{w(d)}:{os.environ['PATH']}")
commands = {
    "spawn": (["cat"], w("one.yaml"), None),
    "one": ([BIN], w("one.yaml"), None),
    "1000": ([BIN], w("apps-1000.yaml"), None),
    "render200": ([BIN, "render", w("render-200")], None, None),
    # render --out (Flux): after the warm-up run, each is an unchanged re-run.
    "out200": ([BIN, "render", "--out", w("hydrated-200"), w("render-200")], None, None),
}
if KUBECTL:
    k = [KUBECTL, "kustomize", "--enable-alpha-plugins", w("kustomize-50")]
    commands["k-real"] = (k, None, env_with("real"))
    commands["k-standin"] = (k, None, env_with("standin"))
    # The gate: `risk` and `diff` of the 100-app repository with one app changed, against
    # one app's `render` (each builds with kustomize and the function inside it).
    # (the app's kustomization reaches ../../functions: the repository is gate/base)
    commands["gate-render1"] = ([BIN, "render", w("gate/base/apps/app-050")], None,
                                dict(os.environ, APPSPEC_ROOT=w("gate/base")))
    commands["gate-risk"] = ([BIN, "risk", w("gate/base"), w("gate/head")], None, None)
    commands["gate-diff"] = ([BIN, "diff", "--format", "markdown", w("gate/base"), w("gate/head")], None, None)
med, codes = interleaved(commands)
bad = {n: c for n, c in codes.items() if c != 0}
if bad:
    raise SystemExit(f"unexpected exit codes: {bad}")

one_rss = rss_mb([BIN], w("one.yaml"))
rss = {n: rss_mb([BIN], w(f"apps-{n}.yaml")) for n in (1000, 3000, 10000)}
render_rss = rss_mb([BIN, "render", w("render-3000")], None)
per_app_kb = (rss[10000] - rss[1000]) / 9000 * 1024

print(f"\n==> {RUNS} interleaved rounds, medians; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {BIN}\n")
print("| what | this run | goal (issue 10) |")
print("|---|---|---|")
row("one AppSpec through the KRM function, over process spawn",
    f"{med['one'] - med['spawn']:.2f} ms ({med['one']:.2f} ms whole, `cat` of the same input {med['spawn']:.2f} ms)", "<= 2 ms")
row("peak RSS for one AppSpec", f"{one_rss:.1f} MB", "<= 10 MB")
row("1,000 AppSpecs in one ResourceList", f"{med['1000']:.1f} ms", "<= 80 ms")
row("peak RSS for 1,000", f"{rss[1000]:.1f} MB (3,000: {rss[3000]:.1f} MB, 10,000: {rss[10000]:.1f} MB, "
    f"{per_app_kb:.0f} KB per app; `render` of 3,000 files: {render_rss:.1f} MB)",
    "<= 60 MB, and 3,000+ apps in 256 Mi")
if KUBECTL:
    row("`kubectl kustomize` of 50 apps, against a stand-in that `cat`s the captured output",
        f"{med['k-real'] / med['k-standin']:.3f}x ({med['k-real']:.1f} ms vs {med['k-standin']:.1f} ms)", "<= 1.05x")
else:
    row("`kubectl kustomize` of 50 apps", "kubectl not installed", "<= 1.05x")
row("`render` of a directory of 200 apps", f"{med['render200']:.1f} ms", "keep <= 150 ms")
if KUBECTL:
    for what, name in (("risk", "gate-risk"), ("diff --format markdown", "gate-diff")):
        row(f"`{what}` of 100 app roots with one app changed, against one app's `render`",
            f"{med[name] / med['gate-render1']:.2f}x ({med[name]:.1f} ms vs {med['gate-render1']:.1f} ms)",
            "<= 5x (issue 23)")
else:
    row("`risk` and `diff` of 100 app roots, one changed", "kubectl not installed", "<= 5x")
row("`render --out DIR` of the same 200 apps (an unchanged re-run)", f"{med['out200']:.1f} ms", "-")

print("\n-- hostile input, KRM mode (stdin): median ms, exit code (1 expected)")
hostile = ["too-large-65MiB.yaml", "billion-laughs.yaml", "alias-flood.yaml", "deep-flow-10000.yaml",
           "deep-block-map-10000.yaml", "binary-garbage-1MiB.bin", "empty.yaml"]
med, codes = interleaved({f: ([BIN], w(f), None) for f in hostile})
for f in hostile:
    print(f"   {f:28} {os.path.getsize(w(f)) / 1024:10.1f} KiB  {med[f]:8.2f} ms  exit {codes[f]}  "
          f"peak {rss_mb([BIN], w(f)):.1f} MB")
PY
