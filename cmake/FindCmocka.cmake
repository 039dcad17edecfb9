# FindCmocka: cmocka (unit tests) as the imported target Cmocka::Cmocka.
include(PkgConfigImport)
concur_pkg_config_import(Cmocka cmocka cmocka.h cmocka)
