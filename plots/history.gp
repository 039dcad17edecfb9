# A benchmark's median over successive runs, change points marked (lower is better: it is time).
load 'style.gp'
set title title.': median per run (lower is better)'
set xlabel 'run (in date order)'
set ylabel 'median time (ns)'
set yrange [0:*]
if (changes > 0) {
    plot data index 0 using 1:2 with linespoints lt 1 title 'median', \
         data index 1 using 1:2 with impulses lt 2 dt 1 lw 3 title 'change point'
} else {
    plot data index 0 using 1:2 with linespoints lt 1 title 'median (no change point)'
}
