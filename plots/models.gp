# Every model side by side at all cores: throughput (higher is better) and CPU time (lower is better).
load 'style.gp'
set multiplot layout 1,2 title title.': every model at '.workers.' workers' font 'Sans,14'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.8
set xtics rotate by -35 noenhanced
set yrange [0:*]
unset key
set title 'throughput (tasks/s, higher is better)'
plot data using 2:xtic(1) lt 1
set title 'CPU time per batch (s, lower is better)'
plot data using 3:xtic(1) lt 2
unset multiplot
