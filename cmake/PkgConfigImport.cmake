# concur_pkg_config_import(NAME MODULE HEADER LIBRARY): finds a library through
# pkg-config (falling back to the default paths) and defines the imported target
# NAME::NAME, NAME_FOUND and NAME_VERSION. Shared by the Find modules.
macro(concur_pkg_config_import name module header library)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(PC_${name} QUIET ${module})
  endif()
  find_path(${name}_INCLUDE_DIR NAMES ${header} HINTS ${PC_${name}_INCLUDE_DIRS})
  find_library(${name}_LIBRARY NAMES ${library} HINTS ${PC_${name}_LIBRARY_DIRS})
  set(${name}_VERSION ${PC_${name}_VERSION})
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(${name} REQUIRED_VARS ${name}_LIBRARY ${name}_INCLUDE_DIR
                                    VERSION_VAR ${name}_VERSION)
  if(${name}_FOUND AND NOT TARGET ${name}::${name})
    add_library(${name}::${name} UNKNOWN IMPORTED)
    set_target_properties(${name}::${name} PROPERTIES IMPORTED_LOCATION "${${name}_LIBRARY}"
                          INTERFACE_INCLUDE_DIRECTORIES "${${name}_INCLUDE_DIR}")
  endif()
  mark_as_advanced(${name}_INCLUDE_DIR ${name}_LIBRARY)
endmacro()
