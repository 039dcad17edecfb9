# Turnaround of tasks of differing lengths per model and queue order (ms, lower is better). Variables: title.
load 'style.gp'
set title title.': turnaround from the start to a task''s end (ms, lower is better)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -35 noenhanced
set ylabel 'ms'
set yrange [0:*]
plot data using 2:xtic(1) title 'mean' lt 1 dt 1, '' using 3 title 'p50' lt 2 dt 1, '' using 4 title 'p99' lt 3 dt 1, \
     '' using 5 title 'last (makespan)' lt 4 dt 1
