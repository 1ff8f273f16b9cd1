# Installation of the documentation (man pages, bash completion) and the Debian package
# (CPack DEB: `make package`, or `cpack` in the build directory).
#
# Included once at the end of the top-level CMakeLists.txt, after every install() rule:
# the binaries (daemon/, daemon/inspect/, adapters/oneway/), the systemd units,
# sysusers.d, tmpfiles.d and the example configurations are installed there; this file
# adds the rest and packs it all. sekisho-sim, the tests and the benchmarks have no
# install() rule, so they are never packaged (tests/integration/install/check-package.sh
# checks it).
#
# This file is also a script (cmake -P) that prepares one man page: the version in its
# .TH line is set to the project's, then the page is compressed with gzip -9n as Debian
# expects (man pages under /usr/share/man are .gz; CPack does not compress them).

if(CMAKE_SCRIPT_MODE_FILE)
  # cmake -DIN=page -DOUT=dir/page -DVERSION=x.y.z -DGZIP=gzip -P Packaging.cmake
  file(READ "${IN}" _page)
  string(REGEX REPLACE "(\n\\.TH [^\n]*\")Sekisho [0-9.]+\"" "\\1Sekisho ${VERSION}\""
         _page "${_page}")
  file(WRITE "${OUT}" "${_page}")
  execute_process(COMMAND "${GZIP}" -9nf "${OUT}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "gzip ${OUT} failed: ${_rc}")
  endif()
  return()
endif()

# --- Man pages --------------------------------------------------------------------
find_program(SEKISHO_GZIP gzip REQUIRED)
set(_sekisho_man_pages
  docs/man/sekishod.8
  docs/man/sekishoctl.8
  docs/man/sekisho-send.8
  docs/man/sekisho-recv.8
  docs/man/sekishod.conf.5)
set(_sekisho_man_outputs)
foreach(_page IN LISTS _sekisho_man_pages)
  get_filename_component(_name "${_page}" NAME)
  string(REGEX MATCH "[0-9]$" _section "${_name}")
  set(_dir "${PROJECT_BINARY_DIR}/man/man${_section}")
  set(_out "${_dir}/${_name}.gz")
  add_custom_command(
    OUTPUT "${_out}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_dir}"
    COMMAND "${CMAKE_COMMAND}" "-DIN=${PROJECT_SOURCE_DIR}/${_page}" "-DOUT=${_dir}/${_name}"
            "-DVERSION=${PROJECT_VERSION}" "-DGZIP=${SEKISHO_GZIP}"
            -P "${CMAKE_CURRENT_LIST_FILE}"
    DEPENDS "${PROJECT_SOURCE_DIR}/${_page}" "${CMAKE_CURRENT_LIST_FILE}"
    COMMENT "Compressing man page ${_name}"
    VERBATIM)
  list(APPEND _sekisho_man_outputs "${_out}")
  install(FILES "${_out}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${_section}")
endforeach()
add_custom_target(sekisho_man_pages ALL DEPENDS ${_sekisho_man_outputs})

# --- Bash completion ----------------------------------------------------------------
install(FILES scripts/completion/sekishoctl.bash
  DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
  RENAME sekishoctl)

# --- Debian package -----------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "sekisho")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "Sekisho project")
set(CPACK_PACKAGE_CONTACT "Sekisho project")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Hardened gateway between an insurer's core system and external networks")
# The binaries have the install paths compiled in (/usr/bin, /usr/libexec/sekisho):
# the package must put them exactly there.
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # sekisho_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Sekisho project")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
execute_process(COMMAND dpkg --print-architecture
  OUTPUT_VARIABLE _sekisho_deb_arch OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
  RESULT_VARIABLE _sekisho_dpkg_rc)
if(_sekisho_dpkg_rc EQUAL 0 AND _sekisho_deb_arch)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_sekisho_deb_arch}")
endif()
# Depends from the binaries' shared libraries (dpkg-shlibdeps, which needs `file`).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "clamav-daemon")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
# postinst: the system users and directories (systemd-sysusers, systemd-tmpfiles);
# prerm/postrm: stop on removal, tidy up on purge. The service is never enabled or
# started by the package: that is the administrator's decision.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/packaging/deb/postinst"
  "${PROJECT_SOURCE_DIR}/packaging/deb/prerm"
  "${PROJECT_SOURCE_DIR}/packaging/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PACKAGE_DESCRIPTION
  "Sekisho (a checkpoint gate) replaces the carrying of data on removable media
between a health insurance society's isolated core system and the external
networks it takes data from: employers' electronic filings from Mynaportal and
result files from the intermediate server. One daemon, sekishod, fetches over
mutual TLS, inspects each package in a sandboxed worker, scans it with clamd,
seals it in an encrypted queue with a hash-chained audit log, waits for an
authorised operator's release (sekishoctl), and hands released items to the core
system over a one-way UDP link (sekisho-send, sekisho-recv).

The package installs the programs, hardened systemd units, sysusers.d and
tmpfiles.d entries, man pages and example configurations. It does not write
/etc/sekisho/sekishod.toml and does not enable or start any service.")
# A source package is not made with CPack (the repository is the source).
set(CPACK_SOURCE_GENERATOR "TXZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.cache/")
include(CPack)
