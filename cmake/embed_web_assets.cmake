# Turns the page's files into a C++ source of byte arrays, so the binary serves them without the
# source tree. Run as a script:
#   cmake -DWEB_DIR=... -DOUTPUT=... -DFILES=index.html,assets/app.js,... -P embed_web_assets.cmake
# Each file becomes {path, bytes, sha256 prefix (the ETag)}; see src/api/web_assets.hpp.
# A file built elsewhere is given as NAME=PATH (served as /NAME, read from PATH).
string(REPLACE "," ";" FILES "${FILES}")
set(body "// Generated from web/ and docs/openapi.yaml by cmake/embed_web_assets.cmake. Do not edit.\n")
string(APPEND body "#include \"api/web_assets.hpp\"\n\nnamespace callscribe::api {\nnamespace {\n\n")
set(table "")
set(index 0)
foreach(file IN LISTS FILES)
  set(source "${WEB_DIR}/${file}")
  if(file MATCHES "^([^=]+)=(.+)$")
    set(file "${CMAKE_MATCH_1}")
    set(source "${CMAKE_MATCH_2}")
  endif()
  file(READ "${source}" hex HEX)
  file(SHA256 "${source}" digest)
  string(SUBSTRING "${digest}" 0 16 etag)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REPEAT "[0-9a-f]" 32 line_of_hex) # 16 bytes a line
  string(REGEX REPLACE "(${line_of_hex})" "\\1\n" hex "${hex}")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "constexpr char k_file_${index}[] = {\n${bytes}'\\0'};\n\n")
  string(APPEND table "    {\"/${file}\", std::string_view(k_file_${index}, ${size}), \"\\\"${etag}\\\"\"},\n")
  math(EXPR index "${index} + 1")
endforeach()
string(APPEND body "constexpr WebAsset k_assets[] = {\n${table}};\n\n} // namespace\n\n")
string(APPEND body "std::span<const WebAsset> web_assets() { return k_assets; }\n\n")
string(APPEND body "} // namespace callscribe::api\n")
file(WRITE "${OUTPUT}.tmp" "${body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
