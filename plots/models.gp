# Every model side by side at all cores: throughput (higher is better) and CPU time (lower is
# better), one bar per machine. Extra variables: machines (how many), workers (a label).
load 'style.gp'
set datafile missing '?'
set multiplot layout 1,2 title title.': every model at all cores ('.workers.' workers)' font 'Sans,14'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -35 noenhanced
set yrange [0:*]
if (machines > 1) { set key outside bottom center horizontal } else { unset key }
set title 'throughput (tasks/s, higher is better)'
plot for [i=2:machines+1] data using i:xtic(1) lt (i-1) dt 1 title columnheader(i)
set title 'CPU time per batch (s, lower is better)'
plot for [i=machines+2:2*machines+1] data using i:xtic(1) lt (i-machines-1) dt 1 title columnheader(i)
unset multiplot
