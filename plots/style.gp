# The shared style of every concur figure: palette, fonts, grid, and the terminal.
# Each figure script loads this first; concur sets, with -e: fmt ('svg' or 'png'),
# out (the output path without extension) and data (the figure's TSV data file).
# concur draws a figure's SVG and then its PNG in one gnuplot, the script twice: every setting starts afresh
# (arrows and labels would otherwise be drawn twice)
reset
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
# 12 series that stay apart: colour (Okabe-Ito, then Tol's muted tones, for colour-blind readers), point
# shape and dash all differ, so that two lines are told apart in grey or where they cross. concur gives
# each model its own line type in every figure (its place in the model list).
array C[12] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#882255', \
               '#999933', '#44AA99', '#661100', '#888888']
array P[12] = [7, 5, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14]
array D[12] = [1, 2, 4, 5, 1, 2, 4, 5, 1, 2, 4, 5]
do for [i=1:12] { set linetype i lc rgb C[i] lw 2 pt P[i] ps 0.9 dt D[i] }
set linetype cycle 12
# The series of a line figure: lts holds each data block's line type, dts its dash (0: the line type's own;
# several machines are told apart by dash). Used as: lt LT(i) dt DT(i), for block i from 1.
if (!exists('lts')) lts = ''
if (!exists('dts')) dts = ''
LT(i) = int(word(lts, i))
DT(i) = (int(word(dts, i)) > 0) ? int(word(dts, i)) : D[(LT(i) - 1) % 12 + 1]
