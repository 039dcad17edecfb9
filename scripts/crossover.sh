#!/usr/bin/env bash
# The crossover benchmark: cpu/spin with task sizes from 0 to 1 ms under every
# model, showing from which task size spawning a thread or a process per task
# stops hurting. One concur run sweeping the size (a normal, schema-valid result
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

# One run sweeping the task length; concur scales each point's task count to keep about the work
# of the 10 us default (4 times as many empty tasks, a sixteenth as many 1 ms ones).
# Exit 1 (a benchmark failed) still leaves a result file to read; anything else stops here.
"$concur" run --suite quick --workloads spin --param "ns=0,1000,10000,100000,1000000" --workers "$workers" \
  --out "$out/crossover.json" "$@" 2>"$out/crossover.log" || [ $? -eq 1 ] || die "concur run failed: see $out/crossover.log"

"$python" - "$out" "$workers" <<'PY'
import json, os, sys
out, workers = sys.argv[1], int(sys.argv[2])
rows, models = {}, []
for b in json.load(open(os.path.join(out, "crossover.json")))["concur"]["benchmarks"]:
    if b["model"] != "serial" and b["workers"] != workers:
        continue
    if b["model"] not in models:
        models.append(b["model"])
    us = b["wall_s"]["median"] / b["tasks"] * 1e6 if b["status"] == "ok" else None
    rows.setdefault(b["params"]["ns"], {})[b["model"]] = (us, b.get("speedup"), b["valid"])
print(f"time per task in us, and speedup against serial, at {workers} workers (serial: 1)", file=sys.stderr)
print("%10s" % "task ns" + "".join("%22s" % m for m in models), file=sys.stderr)
for ns, cells in sorted(rows.items()):
    line = "%10d" % ns
    for m in models:
        us, sp, valid = cells.get(m, (None, None, False))
        line += "%22s" % ("failed" if us is None else "%9.3f %6.2fx%s" % (us, sp or 0, "" if valid else "!"))
    print(line, file=sys.stderr)
print(f"\nresults: {out}/crossover.json ('!' marks an invalid cell)", file=sys.stderr)
PY
"$concur" plot "$out/crossover.json" --out "$out/plots" || echo "concur: crossover: no charts (see above)" >&2
