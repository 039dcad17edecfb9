# A sweep: speedup against serial versus the swept parameter (task length, ratio, size), per model
# (higher is better); below 1x, running tasks this way is slower than not running them concurrently.
# Variables: title, param (the parameter's name), logx (1: its values span magnitudes).
load 'style.gp'
set title title.': speedup by '.param.' (higher is better)'
set ylabel 'speedup (x serial)'
if (logx) {
  set xlabel param.' (log scale; 0 is drawn at 1)'
  set logscale x 10
} else {
  set xlabel param
  set xtics 1
}
set logscale y 10
set format x '%g'
set format y '%g'
stats data using 1 nooutput
plot 1 with lines dt 3 lc rgb '#aaaaaa' title 'serial', \
     for [i=1:words(lts)] data index (i-1) using 1:2 with linespoints lt LT(i) dt DT(i) title columnheader(1)
