/* What a worker reports: see worker.h. */
#include "work/worker.h"

void cc_worker_note_cpu(struct cc_worker_info *w, int cpu)
{
	if (w->nobserved && w->observed[w->nobserved - 1] == cpu)
		return;
	for (unsigned k = 0; k < w->nobserved; k++)
		if (w->observed[k] == cpu)
			goto moved; /* back on one seen before */
	if (w->nobserved < CC_MAX_OBSERVED)
		w->observed[w->nobserved++] = cpu;
	else
		w->observed[CC_MAX_OBSERVED - 1] = cpu; /* the list is full: keep the latest */
	if (w->nobserved == 1)
		return;
moved:
	w->migrations++;
}
