# XRT (Xilinx Runtime), for the xrt backend of host/hal. Debian's xrt.pc
# names wrong paths (prefix /usr//usr), so the headers and the library are
# found here. Only libxrt_coreutil is linked: XRT loads its device shim at
# run time from $XILINX_XRT/lib (libxrt_core for a card, libxrt_noop for
# XCL_EMULATION_MODE=noop), and a shim linked in as well would clash.
#
# Defines SCRUB_HAVE_XRT and, when found, the imported target scrub::xrt and
# SCRUB_XRT_LIBDIR (the folder holding XRT's libraries).
function(scrub_find_xrt)
  find_path(SCRUB_XRT_INCLUDE_DIR xrt/xrt_device.h PATH_SUFFIXES xrt
            DOC "XRT's include folder (holding xrt/xrt_device.h and xclbin.h)")
  find_library(SCRUB_XRT_COREUTIL xrt_coreutil DOC "XRT's libxrt_coreutil")
  find_library(SCRUB_UUID uuid DOC "libuuid, which libxrt_coreutil needs")
  if(SCRUB_XRT_INCLUDE_DIR AND SCRUB_XRT_COREUTIL AND SCRUB_UUID)
    set(found TRUE)
  else()
    set(found FALSE)
  endif()
  set(SCRUB_HAVE_XRT ${found} PARENT_SCOPE)
  scrub_optional("xrt card backend" ${found} "XRT (libxrt-dev: xrt/xrt_device.h, libxrt_coreutil; uuid-dev)")
  if(NOT found)
    return()
  endif()
  add_library(scrub::xrt INTERFACE IMPORTED GLOBAL)
  target_include_directories(scrub::xrt SYSTEM INTERFACE ${SCRUB_XRT_INCLUDE_DIR})
  target_link_libraries(scrub::xrt INTERFACE ${SCRUB_XRT_COREUTIL} ${SCRUB_UUID})
  get_filename_component(libdir ${SCRUB_XRT_COREUTIL} DIRECTORY)
  set(SCRUB_XRT_LIBDIR ${libdir} PARENT_SCOPE)
endfunction()
