# FindHwloc: hwloc (topology and binding) as the imported target Hwloc::Hwloc.
include(PkgConfigImport)
concur_pkg_config_import(Hwloc hwloc hwloc.h hwloc)
