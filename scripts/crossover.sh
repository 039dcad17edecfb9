#!/usr/bin/env bash
# The crossover benchmark: cpu/spin with task sizes from 0 to 1 ms under every
# model, showing from which task size spawning a thread or a process per task
# stops hurting. One concur run per size (each a normal, schema-valid result
# file under the output directory), then a table of speedup against serial.
# Usage: scripts/crossover.sh [-o DIR] [-w WORKERS] [-- extra concur run flags]
set -euo pipefail

usage() { echo "usage: scripts/crossover.sh [-o DIR] [-w WORKERS] [-- concur run flags]" >&2; exit 64; }
. "$(dirname "$0")/lib.sh"
out="results/crossover/$(date -u +%Y%m%dT%H%M%SZ)"
workers=$(nproc)
while getopts "o:w:h" opt; do
  case $opt in
    o) out=$OPTARG ;;
    w) workers=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
python=/usr/bin/python3
[ -x "$python" ] || python=python3
mkdir -p "$out"

# Sizes in ns, and how many tasks keep each run near 50 ms of serial work: at least 40, and at
# most 20000 (a fork per task costs ~300 us here: a million would take minutes for one figure).
for ns in 0 1000 10000 100000 1000000; do
  tasks=$(( ns ? 50000000 / ns : 20000 ))
  [ "$tasks" -lt 40 ] && tasks=40
  [ "$tasks" -gt 20000 ] && tasks=20000
  echo "concur: crossover: ns=$ns, $tasks tasks" >&2
  # exit 1 (a benchmark failed) still leaves a result file to read; anything else stops here
  "$concur" run --suite quick --workloads spin --param "ns=$ns" --tasks "$tasks" --workers "$workers" \
    --out "$out/ns-$ns.json" "$@" 2>"$out/ns-$ns.log" || [ $? -eq 1 ] || die "concur run failed: see $out/ns-$ns.log"
done

"$python" - "$out" "$workers" <<'PY'
import glob, json, os, sys
out, workers = sys.argv[1], int(sys.argv[2])
rows, models = {}, []
for path in sorted(glob.glob(os.path.join(out, "ns-*.json")), key=lambda p: int(p.rsplit("-", 1)[1][:-5])):
    ns = int(path.rsplit("-", 1)[1][:-5])
    for b in json.load(open(path))["concur"]["benchmarks"]:
        if b["model"] != "serial" and b["workers"] != workers:
            continue
        if b["model"] not in models:
            models.append(b["model"])
        us = b["wall_s"]["median"] / b["tasks"] * 1e6 if b["status"] == "ok" else None
        rows.setdefault(ns, {})[b["model"]] = (us, b.get("speedup"), b["valid"])
print(f"time per task in us, and speedup against serial, at {workers} workers (serial: 1)", file=sys.stderr)
print("%10s" % "task ns" + "".join("%22s" % m for m in models), file=sys.stderr)
for ns, cells in rows.items():
    line = "%10d" % ns
    for m in models:
        us, sp, valid = cells.get(m, (None, None, False))
        line += "%22s" % ("failed" if us is None else "%9.3f %6.2fx%s" % (us, sp or 0, "" if valid else "!"))
    print(line, file=sys.stderr)
print(f"\nresults: {out}/ns-*.json ('!' marks an invalid cell)", file=sys.stderr)
PY
"$concur" plot "$out"/ns-*.json --out "$out/plots" || echo "concur: crossover: no charts (see above)" >&2
