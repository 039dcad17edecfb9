#!/usr/bin/env bash
# CI performance gate: runs a short suite and, if this machine has a baseline in
# results/baselines/<machine-id>.json, fails (exit 1) on a significant slowdown.
# Usage: scripts/bench-ci.sh [-s SUITE] [-r REPETITIONS] [-- extra concur run flags]
set -euo pipefail

usage() { echo "usage: scripts/bench-ci.sh [-s SUITE] [-r REPETITIONS] [-- concur run flags]" >&2; exit 64; }
. "$(dirname "$0")/lib.sh"
suite=quick
reps=7 # the U test needs at least 5 against 5 to reach p < 0.01
while getopts "s:r:h" opt; do
  case $opt in
    s) suite=$OPTARG ;;
    r) reps=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

mkdir -p results/ci
out=results/ci/$(date -u +%Y%m%dT%H%M%SZ).json
"$concur" run --suite "$suite" --repetitions "$reps" --out "$out" "$@" || [ $? -eq 1 ] || die "concur run failed"
id=$(sed -n 's/.*"concur_machine_id": "\([0-9a-f]*\)".*/\1/p' "$out" | head -n 1)
[ -n "$id" ] || die "$out has no machine id"
baseline=results/baselines/$id.json
if [ ! -f "$baseline" ]; then
  echo "concur: bench-ci: no baseline for machine $id; to make this run the baseline:" >&2
  echo "  mkdir -p results/baselines && cp $out $baseline && git add $baseline" >&2
  exit 0
fi
echo "concur: bench-ci: comparing with $baseline" >&2
exec "$concur" compare "$baseline" "$out" --gate
