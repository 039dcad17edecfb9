# The task-size crossover: speedup against serial versus task length, per model (higher is better);
# below 1x, running tasks this way is slower than not running them concurrently at all.
load 'style.gp'
set title title.': speedup by task size (higher is better)'
set xlabel 'task length (ns of busy work; an empty task is drawn at 1)'
set ylabel 'speedup (x serial)'
set logscale x 10
set logscale y 10
set format x '%g'
set format y '%g'
stats data using 1 nooutput
plot 1 with lines dt 3 lc rgb '#aaaaaa' title 'serial', \
     for [i=0:STATS_blocks-1] data index i using 1:2 with linespoints lt (i+1) title columnheader(1)
