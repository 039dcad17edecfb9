/* Workloads built only into the test binaries (concur-test): they exercise the harness's failure paths. */
WL(wl_test_fault)
WL(wl_test_broken)
WL(wl_test_lossy)
