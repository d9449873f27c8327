# whisper.cpp and ggml, built from source as static libraries for the `whisper` engine
# (src/stt/whisper/). Debian 12 has no package of it: scripts/fetch-whisper.sh brings whisper.cpp
# 1.9.1's source from the npm registry, pinned by third_party/whisper/package-lock.json.
#
# Included before the project's own compile options: whisper.cpp is built optimized and without
# the sanitizers and fuzzing instrumentation of a sanitized build (it is not the code under test,
# and at -O0 a test transcription would take minutes), and without the project's warnings.

set(CALLSCRIBE_WHISPER_SOURCE
    "${PROJECT_SOURCE_DIR}/third_party/whisper/node_modules/nodejs-whisper/cpp/whisper.cpp"
    CACHE PATH "whisper.cpp source folder (version 1.9.1)")
if(NOT EXISTS "${CALLSCRIBE_WHISPER_SOURCE}/include/whisper.h")
  message(FATAL_ERROR "whisper.cpp source not found in ${CALLSCRIBE_WHISPER_SOURCE}: run "
                      "scripts/fetch-whisper.sh")
endif()

set(BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE) # whisper.cpp's option() would ignore a plain variable
set(GGML_NATIVE OFF CACHE BOOL "" FORCE) # AVX2/FMA/F16C baseline, not this machine's exact CPU
foreach(off WHISPER_BUILD_TESTS WHISPER_BUILD_EXAMPLES WHISPER_BUILD_SERVER WHISPER_SDL2
            WHISPER_CURL WHISPER_ALL_WARNINGS GGML_ALL_WARNINGS GGML_BUILD_TESTS
            GGML_BUILD_EXAMPLES)
  set(${off} OFF CACHE BOOL "" FORCE)
endforeach()

# Optimized whatever the build type; set here, these reach only whisper.cpp's folder.
foreach(lang C CXX)
  foreach(config DEBUG RELEASE RELWITHDEBINFO MINSIZEREL)
    set(CMAKE_${lang}_FLAGS_${config} "-O2 -DNDEBUG")
  endforeach()
endforeach()
# ggml compiles the git commit of its folder into ggml-base; from npm's copy git would find this
# project's commit, which changes every commit and so would miss ccache. Git stops at the source.
set(git_ceiling "$ENV{GIT_CEILING_DIRECTORIES}")
set(ENV{GIT_CEILING_DIRECTORIES} "${CALLSCRIBE_WHISPER_SOURCE}")
add_subdirectory(${CALLSCRIBE_WHISPER_SOURCE} ${PROJECT_BINARY_DIR}/whisper.cpp EXCLUDE_FROM_ALL)
set(ENV{GIT_CEILING_DIRECTORIES} "${git_ceiling}")
foreach(lang C CXX)
  foreach(config DEBUG RELEASE RELWITHDEBINFO MINSIZEREL)
    unset(CMAKE_${lang}_FLAGS_${config})
  endforeach()
endforeach()
