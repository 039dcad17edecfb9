# The shared style of every concur figure: palette, fonts, grid, and the terminal.
# Each figure script loads this first; concur sets, with -e: fmt ('svg' or 'png'),
# out (the output path without extension) and data (the figure's TSV data file).
if (fmt eq 'svg') {
    set terminal svg size 960,560 dynamic font 'Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 960,560 font 'Sans,11' background rgb 'white'
}
set output out.'.'.fmt
set encoding utf8
set datafile separator "\t"
set border 3 lc rgb '#444444'
set tics nomirror
set grid back lc rgb '#e0e0e0' lw 1
set key outside right top noenhanced
set title font 'Sans,14' noenhanced
# a palette that stays apart in grey and for colour-blind readers (Okabe-Ito)
array C[8] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442']
do for [i=1:8] { set linetype i lc rgb C[i] lw 2 pt 7 ps 0.8 }
set linetype cycle 8
