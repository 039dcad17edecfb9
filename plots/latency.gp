# Per-task latency percentiles per model (ns, lower is better).
load 'style.gp'
set title title.': per-task latency at '.workers.' workers (ns, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -35 noenhanced
set logscale y
set ylabel 'ns per task'
plot data using 2:xtic(1) title 'p50' lt 1 dt 1, '' using 3 title 'p90' lt 2 dt 1, '' using 4 title 'p99' lt 3 dt 1, \
     '' using 5 title 'p99.9' lt 4 dt 1
