# A scenario at each placement: time per operation (lower is better) and the CPU time every role
# together spent on it (lower is better), one bar per machine, on logarithmic axes: same-cpu and
# cross-CPU figures stand side by side, never averaged. Extra variables: machines (how many).
load 'style.gp'
set datafile missing '?'
set multiplot layout 1,2 title title.': per operation, by executor and placement' font 'Sans,14'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set xtics rotate by -35 noenhanced
set logscale y
if (machines > 1) { set key outside bottom center horizontal } else { unset key }
set title 'time per operation (ns, lower is better)'
plot for [i=2:machines+1] data using i:xtic(1) lt (i-1) dt 1 title columnheader(i)
set title 'CPU of all roles per operation (ns, lower is better)'
plot for [i=machines+2:2*machines+1] data using i:xtic(1) lt (i-machines-1) dt 1 title columnheader(i)
unset multiplot
