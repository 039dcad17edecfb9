#!/usr/bin/env bash
# CI performance gate: runs a short suite and, if this machine has a baseline, fails (exit 1)
# on a real slowdown (exit 3: nothing could be judged). The baseline is results/baselines/<machine-id>/
# (several runs: the gate holds a change to their spread) or results/baselines/<machine-id>.json.
# The new run does exactly the baseline's work (concur run --like its oldest run), so its checksums
# can be held to the baseline's. Without a baseline it makes three runs and says how to keep them.
# Usage: scripts/bench-ci.sh [-s SUITE] [-r ROUNDS] [-k LAST] [-- extra concur run flags]
set -euo pipefail

usage() { echo "usage: scripts/bench-ci.sh [-s SUITE] [-r ROUNDS] [-k LAST] [-- concur run flags]" >&2; exit 64; }
. "$(dirname "$0")/lib.sh"
suite=ci # the quick suite's benchmarks with batches long enough to judge a 5% change
rounds=  # the suite's (ci: 5), or the baseline's
last=5   # a directory of baseline runs: its newest 5
while getopts "s:r:k:h" opt; do
  case $opt in
    s) suite=$OPTARG ;;
    r) rounds=$OPTARG ;;
    k) last=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

id=$("$concur" topo --json | sed -n 's/.*"machine_id": "\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] || die "cannot tell this machine's id (concur topo --json)"
baseline=""
if [ -d "results/baselines/$id" ]; then
  baseline=results/baselines/$id
  like=$(ls -1 "$baseline"/*.json 2>/dev/null | sort | head -n 1) # the first: the others did its work
  [ -n "$like" ] || die "$baseline has no result files"
elif [ -f "results/baselines/$id.json" ]; then
  baseline=results/baselines/$id.json
  like=$baseline
fi

mkdir -p results/ci
stamp() { date -u +%Y%m%dT%H%M%SZ; }
reps=()
[ -n "$rounds" ] && reps=(--repetitions "$rounds")
if [ -z "$baseline" ]; then
  # A baseline is three runs: one run cannot tell how much a benchmark moves from run to run, which is
  # the noise that matters on a shared machine. The second and third do the first one's work.
  echo "concur: bench-ci: no baseline for machine $id: making one of three runs" >&2
  first=results/ci/$(stamp)-base1.json
  "$concur" run --suite "$suite" "${reps[@]}" --out "$first" "$@" || [ $? -eq 1 ] || die "concur run failed"
  for k in 2 3; do
    "$concur" run --like "$first" "${reps[@]}" --out "results/ci/$(stamp)-base$k.json" "$@" ||
      [ $? -eq 1 ] || die "concur run failed"
  done
  echo "concur: bench-ci: to make these three runs the baseline (add more later: the gate uses the newest 5):" >&2
  echo "  mkdir -p results/baselines/$id && cp results/ci/*-base[123].json results/baselines/$id/ &&" \
    "git add results/baselines/$id" >&2
  exit 0
fi
out=results/ci/$(stamp).json
"$concur" run --like "$like" "${reps[@]}" --out "$out" "$@" || [ $? -eq 1 ] || die "concur run failed"
echo "concur: bench-ci: comparing with $baseline" >&2
exec "$concur" compare "$baseline" "$out" --last "$last" --gate
