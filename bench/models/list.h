/* Every execution model, one line each, in the order cells are run: serial first. */
MODEL(model_serial)
MODEL(model_threads)
MODEL(model_processes)
MODEL(model_thread_per_task)
MODEL(model_process_per_task)
MODEL(model_thread_pool)
MODEL(model_process_pool)
MODEL(model_coroutines)
MODEL(model_coro_pool)
MODEL(model_hybrid)
MODEL(model_gil)
#ifdef CONCUR_HAVE_MPI /* built when CMake finds MPI (Open MPI, MPICH) */
MODEL(model_mpi)
MODEL(model_mpi_static)
#endif
