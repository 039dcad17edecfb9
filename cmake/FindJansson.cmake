# FindJansson: jansson (JSON results) as the imported target Jansson::Jansson.
include(PkgConfigImport)
concur_pkg_config_import(Jansson jansson jansson.h jansson)
