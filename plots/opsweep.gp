# A scenario swept over one parameter (a message's size): time per operation against it, one line per
# executor and placement (lower is better), on logarithmic axes. Variables: title, param, lts, dts.
load 'style.gp'
set title title.': time per operation by '.param.' (lower is better)'
set xlabel param.' (log scale)'
set ylabel 'ns per operation'
set logscale x 2
set logscale y 10
set format x '%g'
set format y '%g'
plot for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
