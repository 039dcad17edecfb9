/* Charts with gnuplot: the scripts in plots/, one per figure, fed with TSV files written here. */
#ifndef CONCUR_CLI_PLOT_H
#define CONCUR_CLI_PLOT_H

#include <stdbool.h>
#include <stdio.h>

/* 0 if gnuplot can be run; otherwise says how to install it and returns CC_EXIT_NO_RESOURCE. */
int plot_check_gnuplot(const char *verb);
/* Renders script (a file in plots/) to out.svg and out.png from data; vars are extra
 * gnuplot assignments ("cores=2; title='x'"). 0, or -1 after saying what failed. */
int plot_render(const char *script, const char *data, const char *out, const char *vars);
/* The same, drawn while the caller goes on (as many gnuplots at once as CPUs): *failed is set if gnuplot fails,
 * by the time plot_wait returns. */
void plot_render_start(const char *script, const char *data, const char *out, const char *vars, bool *failed);
void plot_wait(void);
/* mkdir -p; 0 or -errno. */
int plot_mkdirs(const char *dir);
/* A file name made from a benchmark name: letters, digits, '-' and '.', the rest as '_'. */
void plot_safe_name(char *dst, size_t len, const char *name);
/* Outside input reaches gnuplot only as data. A gnuplot string literal of s: single-quoted, quotes
 * doubled (gnuplot gives backslashes no meaning there), control characters as '?', always closed even
 * when cut short to len. */
void plot_quote(char *dst, size_t len, const char *s);
/* s and suffix as one double-quoted string of a data file: quotes and control characters as '?'. */
void plot_data_string(FILE *f, const char *s, const char *suffix);
/* s as HTML text: & < > " ' escaped. */
void plot_html(FILE *f, const char *s);

#endif
