# A scenario whose roles vary (a lock, a queue): a figure against the number of roles, one line per
# executor and placement. Variables: title, what (the y axis), better (lower or higher), logy, lts, dts.
load 'style.gp'
set title title.': '.what.' by roles ('.better.' is better)'
set xlabel 'roles'
set ylabel what
set logscale x 2
set format x '%g'
if (logy) { set logscale y 10; set format y '%g' } else { set yrange [0:1.05] }
plot for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
