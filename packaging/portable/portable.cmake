# SLUICE_PORTABLE=ON: every third-party library, libstdc++ and libgcc are linked statically, so the
# binary needs only glibc (2.34 or later) from the host: the same binary runs on Debian 12,
# Ubuntu 22.04/24.04, RHEL 9 and Amazon Linux 2023 (docs/install.md). Included from the top
# CMakeLists.txt after the find_package() calls.
#
# The imported targets those calls made point at Debian's shared objects; here each is pointed at
# the static archive of the same library instead: first from SLUICE_STATIC_DEPS (the libraries
# packaging/portable/static-deps.sh builds from Debian's source packages, because Debian's own
# archives of them need Kerberos, which Debian ships only shared), then Debian's .a next to the
# .so. A library with no static archive stops the configure with its name.

set(SLUICE_STATIC_DEPS "${CMAKE_SOURCE_DIR}/build/static-deps"
    CACHE PATH "Static archives built by packaging/portable/static-deps.sh")
if(NOT EXISTS "${SLUICE_STATIC_DEPS}/.built-by")
  message(STATUS "Building the static libraries into ${SLUICE_STATIC_DEPS} (once; a few minutes)")
endif()
execute_process(COMMAND "${CMAKE_CURRENT_LIST_DIR}/static-deps.sh" "${SLUICE_STATIC_DEPS}"
                RESULT_VARIABLE static_deps_result)
if(NOT static_deps_result EQUAL 0)
  message(FATAL_ERROR "packaging/portable/static-deps.sh ${SLUICE_STATIC_DEPS} failed; "
                      "or configure with -DSLUICE_PORTABLE=OFF to link Debian's shared libraries")
endif()
# Their headers first: they match the archives (cpp-httplib's is the header-only form).
include_directories(BEFORE SYSTEM "${SLUICE_STATIC_DEPS}/include")

# Libraries used from headers alone in a portable build (fmt: FMT_HEADER_ONLY, Debian ships no
# libfmt.a; cpp-httplib: its header-only form from static-deps).
set(sluice_header_only cpp-httplib fmt)

# The static archive for a shared object path (libfoo.so[.N...] → libfoo.a); "" for a
# header-only one; a fatal error when there is none.
function(sluice_static_archive shared out)
  get_filename_component(name "${shared}" NAME)
  string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" "" base "${name}")
  string(REGEX REPLACE "^lib" "" short "${base}")
  if(short IN_LIST sluice_header_only)
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  get_filename_component(dir "${shared}" DIRECTORY)
  foreach(candidate "${SLUICE_STATIC_DEPS}/lib/${base}.a" "${dir}/${base}.a" "${dir}/${base}_a.a")
    if(EXISTS "${candidate}")
      set(${out} "${candidate}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "SLUICE_PORTABLE: no static archive for ${shared} "
                      "(looked in ${SLUICE_STATIC_DEPS}/lib and ${dir})")
endfunction()

# Maps every shared object in a list of link items to its archive; keeps the rest.
function(sluice_static_items items out)
  set(mapped "")
  foreach(item IN LISTS items)
    if(item MATCHES "\\.so(\\.[0-9.]+)?$")
      sluice_static_archive("${item}" archive)
      if(archive)
        list(APPEND mapped "${archive}")
      endif()
    else()
      list(APPEND mapped "${item}")
    endif()
  endforeach()
  set(${out} "${mapped}" PARENT_SCOPE)
endfunction()

get_directory_property(sluice_imported IMPORTED_TARGETS)
foreach(target IN LISTS sluice_imported)
  get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
  if(links)
    sluice_static_items("${links}" links)
    set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${links}")
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "UNKNOWN_LIBRARY")
    foreach(property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE
                     IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_DEBUG)
      get_target_property(location ${target} ${property})
      if(location AND location MATCHES "\\.so(\\.[0-9.]+)?$")
        sluice_static_archive("${location}" archive)
        set_target_properties(${target} PROPERTIES ${property} "${archive}")
      endif()
    endforeach()
  endif()
endforeach()

# What the archives need in turn (a shared object records its own needs; an archive does not).
set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
set_property(TARGET PkgConfig::RDKAFKA APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             OpenSSL::SSL OpenSSL::Crypto PkgConfig::ZSTD ZLIB::ZLIB Threads::Threads
             ${CMAKE_DL_LIBS} rt m)
set_property(TARGET OpenSSL::Crypto APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             Threads::Threads ${CMAKE_DL_LIBS})
set_property(TARGET PkgConfig::LIBUV APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             Threads::Threads ${CMAKE_DL_LIBS} rt)
# cpp-httplib header-only: TLS and gzip as Debian builds it, without Brotli (the admin API and the
# test servers need no Brotli, and it would be three more archives).
set_target_properties(PkgConfig::HTTPLIB PROPERTIES INTERFACE_COMPILE_OPTIONS
                      "-DCPPHTTPLIB_OPENSSL_SUPPORT;-DCPPHTTPLIB_ZLIB_SUPPORT")
set_property(TARGET PkgConfig::HTTPLIB APPEND PROPERTY INTERFACE_LINK_LIBRARIES
             OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads)
# fmt: its header-only form (Debian ships no libfmt.a).
set(SLUICE_FMT_TARGET fmt::fmt-header-only)

# The C++ runtime inside the binary, and the unwinder's glibc 2.35 call answered locally.
function(sluice_make_portable target)
  target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  target_sources(${target} PRIVATE "${CMAKE_SOURCE_DIR}/packaging/portable/glibc_compat.cc")
endfunction()
