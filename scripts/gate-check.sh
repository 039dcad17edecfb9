#!/usr/bin/env bash
# Checks the CI gate itself with real runs: N A/A pairs (the same build twice: the gate must pass)
# and N A/B pairs (then a build whose busy loop does PCT% more work per task with the same results:
# the gate must fail). Each pair is a fresh base run and a new run --like it, minutes apart on a
# shared machine, exactly as bench-ci runs them. Prints each verdict and the totals.
# Usage: scripts/gate-check.sh [-n PAIRS] [-p PCT] [-t THRESHOLD] [-o DIR] [-- concur run flags]
set -euo pipefail

usage() { echo "usage: scripts/gate-check.sh [-n PAIRS] [-p PCT] [-t THRESHOLD] [-o DIR] [-- concur run flags]" >&2; exit 64; }
. "$(dirname "$0")/lib.sh"
pairs=10
pct=5
threshold=3% # below the change looked for: a 5% busier loop makes the batch 3-7% slower here
out="results/gate-check/$(date -u +%Y%m%dT%H%M%SZ)"
while getopts "n:p:t:o:h" opt; do
  case $opt in
    t) threshold=$OPTARG ;;
    n) pairs=$OPTARG ;;
    p) pct=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || usage
[[ "$pct" =~ ^[1-9][0-9]?$ ]] || usage
mkdir -p "$out"

# The slowed build: same sources, CONCUR_SELFTEST_SLOWDOWN_PCT set (recorded in its results' build flags).
slow=build-slow-$pct
cmake -S . -B "$slow" -DCMAKE_BUILD_TYPE=Release -DCONCUR_SELFTEST_SLOWDOWN_PCT="$pct" >/dev/null
cmake --build "$slow" -j "$(nproc)" --target concur >/dev/null
# Batches of about 50 ms (2500 tasks of 20 us), long enough for a 5% change to stand out of this
# VM's noise; the models whose tasks are the work itself (per-task spawning would dilute it).
run=(run --suite quick --workloads spin --param ns=20000 --models serial,threads,processes,thread-pool,process-pool
  --repetitions 7 "$@")

# gate BIN LABEL K: one pair; prints the gate's line; returns the gate's exit status
gate() {
  local bin=$1 label=$2 k=$3
  local base="$out/$label-$k-base.json" new="$out/$label-$k-new.json"
  "$concur" "${run[@]}" --tasks 2500 --out "$base" 2>"$out/$label-$k-base.log" || die "base run failed: $out/$label-$k-base.log"
  "$bin" "${run[@]}" --like "$base" --out "$new" 2>"$out/$label-$k-new.log" || die "new run failed: $out/$label-$k-new.log"
  local rc=0
  "$concur" compare "$base" "$new" --gate --threshold "$threshold" >"$out/$label-$k.txt" 2>"$out/$label-$k.log" || rc=$?
  echo "$label pair $k: $(grep 'gate:' "$out/$label-$k.log")" >&2
  return $rc
}

# exit 1: the gate failed; 3: it could judge nothing (said apart: neither a false alarm nor a catch)
false_alarms=0 caught=0 aa_unjudged=0 ab_unjudged=0
for k in $(seq 1 "$pairs"); do
  rc=0; gate "$concur" aa "$k" || rc=$?
  case $rc in 0) ;; 1) false_alarms=$((false_alarms + 1)) ;; 3) aa_unjudged=$((aa_unjudged + 1)) ;;
    *) die "compare failed (exit $rc): $out/aa-$k.log" ;; esac
  rc=0; gate "$slow/concur" ab "$k" || rc=$?
  case $rc in 0) ;; 1) caught=$((caught + 1)) ;; 3) ab_unjudged=$((ab_unjudged + 1)) ;;
    *) die "compare failed (exit $rc): $out/ab-$k.log" ;; esac
done
echo "concur: gate-check: A/A: $false_alarms false alarm(s) in $pairs pairs ($aa_unjudged inconclusive);" \
  "A/B (+$pct% work): caught in $caught of $pairs pairs ($ab_unjudged inconclusive); files in $out" >&2
[ "$false_alarms" -eq 0 ] && [ "$caught" -eq "$pairs" ]
