/* Every workload, one line each: WL(symbol of its struct wl_desc). */
WL(wl_cpu_hash)
WL(wl_cpu_spin)
