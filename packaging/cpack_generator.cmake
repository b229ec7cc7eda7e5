# CPack's per-generator settings (CPACK_PROJECT_CONFIG_FILE, read once per generator).
# DEB: CPack splits the debug symbols into sluice-dbgsym and strips the binary itself, which it
# can only do with the binary unstripped; RPM: stripped here (its debug file is written by
# scripts/package).
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_STRIP_FILES OFF)
else()
  set(CPACK_STRIP_FILES ON)
endif()
