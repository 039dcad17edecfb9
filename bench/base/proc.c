/* Child-process helpers; see proc.h. */
#include "base/proc.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int cc_proc_child_init(pid_t parent)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGINT, SIGTERM, SIGHUP};
	sigset_t set;
	sigemptyset(&set);
	for (unsigned k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++) {
		signal(sigs[k], SIG_DFL);
		sigaddset(&set, sigs[k]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL); /* a parent that takes its signals in one thread blocked them */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	/* the parent may have died between fork and prctl */
	return getppid() == parent ? 0 : -ESRCH;
}

bool cc_proc_describe_status(int st, char *why, size_t len, const char *what, unsigned index)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return false;
	if (WIFSIGNALED(st))
		snprintf(why, len, "%s %u killed by signal %d (%s)", what, index, WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(why, len, "%s %u exited with status %d", what, index, WEXITSTATUS(st));
	return true;
}

void cc_proc_kill_group(pid_t pgid)
{
	if (kill(-pgid, SIGKILL) < 0 && errno == ESRCH)
		return;
	while (waitpid(-pgid, NULL, 0) > 0 || errno == EINTR)
		;
}

void cc_proc_reap_ended(void)
{
	for (;;) {
		pid_t got = waitpid(-1, NULL, WNOHANG);
		if (got == 0 || (got < 0 && errno != EINTR))
			return;
	}
}

double cc_proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long ns, ut, st;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(path, "r");
	int got = f ? fscanf(f, "%llu", &ns) : 0;
	if (f)
		fclose(f);
	if (got == 1)
		return (double)ns / 1e9;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *after = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!after || sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

const char *cc_beside_exe(const char *rel, int mode, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	int w = snprintf(buf, len, "%s/%s", exe, rel);
	return w > 0 && (size_t)w < len && access(buf, mode) == 0 ? buf : NULL;
}
