# Speedup against serial versus workers, one line per model (and machine); the ideal
# line and the physical core count are marked. Extra variable: cores.
load 'style.gp'
set title title.': speedup against serial (higher is better)'
set xlabel 'workers'
set ylabel 'speedup (x serial)'
set logscale x 2
set yrange [0:*]
stats data using 1 nooutput
# a single worker count: widen the axis around it rather than let gnuplot warn of an empty range
if (STATS_min == STATS_max) set xrange [STATS_min / 2.0 : STATS_max * 2.0]
# far past the cores (the waiting sweep) speedups span decades: a logarithmic axis shows each one
if (STATS_max > 8 * cores) { set logscale y 2; set yrange [0.5:*] }
set arrow from cores, graph 0 to cores, graph 1 nohead dt 2 lc rgb '#888888'
set label sprintf('%d physical cores', cores) at cores, graph 0.96 right offset -0.5,0 tc rgb '#666666'
plot x with lines dt 3 lc rgb '#aaaaaa' title 'ideal', \
     for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
