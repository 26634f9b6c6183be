# Optional: give the installed binary CAP_NET_RAW (permitted only) at install time.
#
#   cmake -S . -B build -DRAWPROBE_INSTALL_SETCAP=ON && cmake --build build
#   sudo cmake --install build          # then: setcap cap_net_raw+p PREFIX/bin/rawprobe
#
# Permitted only, as iputils installs ping: rawprobe raises CAP_NET_RAW around the
# socket calls and clears every capability before it reads any input. Never setuid.
# --prefix and DESTDIR are honoured. When setcap is missing or fails (not root, a
# filesystem without extended attributes, a packaging chroot), the install still
# succeeds and a warning gives the command to run as root on the final path.
# RAWPROBE_SETCAP_PROGRAM names the setcap to use (found in PATH and /usr/sbin, /sbin).
#
# The install rule includes this file again at install time (CMAKE_ROLE SCRIPT):
# then it only defines rawprobe_setcap() for the rule to call.

# FILE: the installed binary (with DESTDIR); FINAL: where it will run from; SETCAP: the program.
function(rawprobe_setcap file final setcap)
  # Indented lines stay whole in CMake warnings: the commands remain copyable.
  set(by_hand "To let users other than root ping, run as root:\n  setcap cap_net_raw+p ${final}")
  if(NOT setcap OR NOT EXISTS "${setcap}")
    message(WARNING "rawprobe: setcap not found (Debian: apt-get install libcap2-bin), so "
      "${file} was installed without CAP_NET_RAW. ${by_hand}")
    return()
  endif()
  execute_process(COMMAND "${setcap}" cap_net_raw+p "${file}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(STRIP "${out}" out)
    message(WARNING "rawprobe: setcap failed (it needs root, and a filesystem with extended "
      "attributes), so the binary was installed without CAP_NET_RAW:\n"
      "  ${setcap} cap_net_raw+p ${file}\n  ${out}\n${by_hand}")
    return()
  endif()
  message(STATUS "Capability: cap_net_raw+p on ${file}")
endfunction()

get_property(_rawprobe_role GLOBAL PROPERTY CMAKE_ROLE)
if(_rawprobe_role STREQUAL "SCRIPT")
  return()
endif()

option(RAWPROBE_INSTALL_SETCAP
  "At install time, run setcap cap_net_raw+p on the installed rawprobe (needs root)" OFF)
if(NOT RAWPROBE_INSTALL_SETCAP)
  return()
endif()

find_program(RAWPROBE_SETCAP_PROGRAM setcap PATHS /usr/sbin /sbin
  DOC "setcap(8), from libcap2-bin: gives the installed rawprobe CAP_NET_RAW")
if(NOT RAWPROBE_SETCAP_PROGRAM)
  message(WARNING "RAWPROBE_INSTALL_SETCAP is ON but setcap was not found (Debian: "
    "apt-get install libcap2-bin); the install will say what to run by hand")
endif()

# Paths are put together at install time, so `cmake --install --prefix` and DESTDIR count.
if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
  set(_rawprobe_final "${CMAKE_INSTALL_BINDIR}/$<TARGET_FILE_NAME:rawprobe>")
else()
  set(_rawprobe_final "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/$<TARGET_FILE_NAME:rawprobe>")
endif()
install(CODE "
  include(\"${CMAKE_CURRENT_LIST_FILE}\")
  rawprobe_setcap(\"\$ENV{DESTDIR}${_rawprobe_final}\" \"${_rawprobe_final}\"
    \"${RAWPROBE_SETCAP_PROGRAM}\")
")
