# A scenario swept over one parameter (a message's size): time per operation, or bytes per second,
# against it, one line per executor and placement, on logarithmic axes. Variables: title, param, what
# (the y axis), better (lower or higher), lts, dts.
load 'style.gp'
set title title.': '.what.' by '.param.' ('.better.' is better)'
set xlabel param.' (log scale)'
set ylabel what
set logscale x 2
set logscale y 10
set format x '%.0s%c'
set format y '%g'
plot for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
