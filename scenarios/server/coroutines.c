/*
 * server/coroutines: a coroutine per connection on one thread (the notes' gevent server): each blocks in
 * the IO layer, which parks it on the runtime's poller, so the code reads like the thread-per-connection
 * server and runs on one thread (srv_serve_coroutines, which coro-pool and hybrid run on several).
 */
#include "server.h"

/* conn_ns: a coroutine and its stack: 45 us a connection at 1,000 measured on a 2-vCPU VM */
static const struct srv_model model = {.serve = srv_serve_coroutines, .conn_ns = 4.5e4};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_coroutines, "coroutines", "a coroutine per connection on one thread, parking in the IO layer "
	 "(the notes' gevent server)", scenario);
