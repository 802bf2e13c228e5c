# Project-wide build rules: warnings, sanitizers, optional tools and tests.

# Our own sources: warnings are errors. Generated and third-party headers are
# included as SYSTEM so their warnings are not ours.
set(SCRUB_WARNINGS -Wall -Wextra -Werror -Wshadow
    $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes> $<$<COMPILE_LANGUAGE:C>:-Wmissing-prototypes>
    $<$<COMPILE_LANGUAGE:CXX>:-Wmissing-declarations>)
if(SCRUB_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# libFuzzer's coverage in our code; the fuzz targets link -fsanitize=fuzzer.
if(SCRUB_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SCRUB_FUZZ needs clang (scripts/fuzz-dots)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(scrub_target_warnings target)
  target_compile_options(${target} PRIVATE ${SCRUB_WARNINGS})
endfunction()

# Optional parts are built when their tools are present. A skip is said
# clearly; under CI=true a missing tool is an error.
function(scrub_optional name found what)
  if(found)
    message(STATUS "scrub: ${name}: building (${what})")
  elseif("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "scrub: ${name}: ${what} not found, and CI=true makes that an error (scripts/bootstrap installs it)")
  else()
    message(WARNING "scrub: ${name}: SKIPPED, ${what} not found (scripts/bootstrap installs it)")
  endif()
endfunction()

function(scrub_optional_tools)
  find_program(SCRUB_VERILATOR verilator)
  find_program(SCRUB_YOSYS yosys)
  set(SCRUB_HAVE_VERILATOR ${SCRUB_VERILATOR} PARENT_SCOPE)
  set(SCRUB_HAVE_YOSYS ${SCRUB_YOSYS} PARENT_SCOPE)
  scrub_optional("Verilog checks" "${SCRUB_VERILATOR}" "verilator")
  scrub_optional("Verilog synthesis checks" "${SCRUB_YOSYS}" "yosys")
endfunction()

# scrub_add_test(NAME name LABEL label TIMEOUT seconds
#                SOURCES ... [LIBS ...] [ARGS ...])
# A cmocka unit test built from our sources, with a label and a timeout.
function(scrub_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS;ARGS" ${ARGN})
  if(NOT T_NAME OR NOT T_LABEL OR NOT T_TIMEOUT OR NOT T_SOURCES)
    message(FATAL_ERROR "scrub_add_test needs NAME, LABEL, TIMEOUT and SOURCES")
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  scrub_target_warnings(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()

# scrub_add_script_test(NAME name LABEL label TIMEOUT seconds COMMAND ...)
function(scrub_add_script_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "COMMAND" ${ARGN})
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
  set_tests_properties(${T_NAME} PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()

# scrub_verilate(TARGET name TOP module SOURCES ... [ARGS ...]
#                [OPT_FAST flag] [OPT_SLOW flag])
# A static library of the Verilated model of module (class V<module>), for
# testbenches to link. Verilator runs with -Wall: a lint warning stops the
# build. Single-threaded, -O3 unless told (OPT_FAST: the code run every
# clock; OPT_SLOW: construction and initial blocks, run once) and never
# sanitized (it is the simulator, not code under test); its headers and
# Verilator's are SYSTEM includes of its users. The RTL includes the
# generated scrub_regmap.vh.
function(scrub_verilate)
  cmake_parse_arguments(V "" "TARGET;TOP;OPT_FAST;OPT_SLOW" "SOURCES;ARGS" ${ARGN})
  if(NOT V_TARGET OR NOT V_TOP OR NOT V_SOURCES)
    message(FATAL_ERROR "scrub_verilate needs TARGET, TOP and SOURCES")
  endif()
  if(NOT V_OPT_FAST)
    set(V_OPT_FAST -O3)
  endif()
  if(NOT V_OPT_SLOW)
    set(V_OPT_SLOW -O3)
  endif()
  get_filename_component(gen_dir ${SCRUB_REGMAP_VH} DIRECTORY)
  add_library(${V_TARGET} STATIC)
  verilate(${V_TARGET} PREFIX V${V_TOP} TOP_MODULE ${V_TOP} SOURCES ${V_SOURCES} THREADS 1
    VERILATOR_ARGS -Wall -I${gen_dir} ${V_ARGS}
    OPT_FAST ${V_OPT_FAST} OPT_SLOW ${V_OPT_SLOW} OPT_GLOBAL -O3)
  add_dependencies(${V_TARGET} scrub_regmap_gen)
  set_target_properties(${V_TARGET} PROPERTIES SYSTEM ON)
  if(SCRUB_SANITIZE)
    target_compile_options(${V_TARGET} PRIVATE -fno-sanitize=all)
  endif()
endfunction()
