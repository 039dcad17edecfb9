/* Every scenario, one line each: WL(symbol of its struct wl_desc, whose .scenario is set). */
WL(sc_spawn_thread)
WL(sc_spawn_fork)
WL(sc_switch_pipe)
WL(sc_switch_futex)
WL(sc_ipc_socketpair)
