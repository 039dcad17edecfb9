# A latency distribution as a percentile curve: latency at p50, p90, p99, p99.9 and the largest, one
# line per sweep point, executor and placement. Variables: title, what (the latency's meaning), lts, dts.
load 'style.gp'
set title title.': '.what.' by percentile (us, lower is better)'
set xlabel 'percentile'
set ylabel what.' (us)'
set xtics ('p50' 0.30103, 'p90' 1, 'p99' 2, 'p99.9' 3, 'max' 4)
set xrange [0.2:4.1]
set logscale y 10
set format y '%g'
plot for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
