/* Child-process helpers shared by the models and the runner: no child outlives its parent. */
#ifndef CONCUR_PROC_H
#define CONCUR_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * In a fresh child: be killed when parent dies (-ESRCH if it already has), and
 * take the default action for fatal and stop signals whatever handlers the
 * parent installed, so that a crash ends the child and is seen as one.
 */
int cc_proc_child_init(pid_t parent);

/* If wait status st is not a clean exit, writes "<what> <index> killed by signal …" or
 * "… exited with status N" into why and returns true. */
bool cc_proc_describe_status(int st, char *why, size_t len, const char *what, unsigned index);

/* Kills process group pgid and reaps every member that is our child (direct or, as
 * subreaper, adopted). Safe to call when the group is already gone. */
void cc_proc_kill_group(pid_t pgid);

/* Reaps every child of ours that has ended, waiting for none: processes a killed cell's children left (MPI
 * ranks, each a process group of its own, die after it and are re-parented to us, the subreaper). */
void cc_proc_reap_ended(void);

/* The CPU time process pid has used so far, user and system, in seconds: from /proc/<pid>/schedstat
 * (nanoseconds), else /proc/<pid>/stat (clock ticks); < 0 when it cannot be read. For a helper that is
 * not our child (getrusage cannot see it). */
double cc_proc_cpu_s(pid_t pid);

/* rel (a path relative to the directory this program is in, from /proc/self/exe) into buf if it exists
 * with the access mode asked (R_OK, X_OK): buf, else NULL. How an installed concur finds its parts. */
const char *cc_beside_exe(const char *rel, int mode, char *buf, size_t len);

#endif
