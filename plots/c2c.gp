# The core-to-core matrix: one-way time of a cache line from the row's CPU to the column's (ns, lower
# is better), with the topology's boundaries marked: thin between cores, thicker between L3s, NUMA
# nodes and packages. Variables: n (CPUs), cpus (their OS numbers, in matrix order), bounds (the
# boundaries' data file).
load 'style.gp'
set title 'core to core: one-way cache-line transfer (ns, lower is better)'
set xlabel 'to CPU (matrix order: topology order)'
set ylabel 'from CPU'
set xrange [-0.5:n-0.5]
set yrange [n-0.5:-0.5]
set size ratio -1
set palette defined (0 '#ffffcc', 1 '#fd8d3c', 2 '#800026')
set cbrange [0:*]
set cblabel 'ns'
unset key
set xtics () font ',8' rotate by 90
set ytics () font ',8'
step = n > 64 ? int(n / 32) : 1
do for [i=1:n:step] { set xtics add (word(cpus, i) i - 1); set ytics add (word(cpus, i) i - 1) }
set datafile missing 'nan'
plot data matrix with image, \
     for [lvl=1:4] bounds using ($5 == lvl ? $1 : NaN):2:3:4 with vectors nohead lc rgb '#222222' lw (0.5 * lvl)
