/*
 * server/hybrid: `workers` processes forked up front, each a coroutine server of its own on the shared
 * listener (processes x coroutines, as gunicorn's gevent workers): the connections spread over
 * processes, each serving many.
 */
#include "server.h"

static int child(struct srv_state *s)
{
	char why[160];
	return srv_serve_coroutines(s, why, sizeof(why));
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_fork_workers(s, child, why, len); }

/* conn_ns: a coroutine and its stack: 45 us a connection at 1,000 measured on a 2-vCPU VM */
static const struct srv_model model = {.serve = serve, .conn_ns = 4.5e4};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_hybrid, "hybrid", "workers processes, each a coroutine per connection it accepts on the shared "
	 "listener (processes x coroutines)", scenario);
