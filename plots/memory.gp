# The memory one worker cost at its peak (rss_per_worker_kb) per model and worker count (KiB, lower is better).
load 'style.gp'
set title title.': memory of one worker (KiB, lower is better)'
set xlabel 'workers'
set ylabel 'KiB a worker'
set logscale x 2
set logscale y
stats data using 1 nooutput
# a single worker count: widen the axis around it rather than let gnuplot warn of an empty range
if (STATS_min == STATS_max) set xrange [STATS_min / 2.0 : STATS_max * 2.0]
plot for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
