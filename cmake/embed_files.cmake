# Writes a C++ source that holds files byte for byte as string literals, so that a binary carries
# them (rollup-serve's explorer page) while they stay ordinary files in the repository.
# cmake -DSOURCE_DIR=dir -DFILES=a.html,b.js -DOUTPUT=out.cpp -DHEADER=rpc/x.hpp
#       -DNAMESPACE=rollup::rpc -DFUNCTION=explorer_files -P embed_files.cmake
# HEADER declares `struct EmbeddedFile { std::string_view name, body; }` and the FUNCTION that
# answers the files (std::span<const EmbeddedFile>). Every byte is written as a \xHH escape: no
# delimiter or character set question, whatever the files hold.
foreach(var SOURCE_DIR FILES OUTPUT HEADER NAMESPACE FUNCTION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_files.cmake: -D${var}=... is required")
  endif()
endforeach()

string(REPLACE "," ";" names "${FILES}")
set(literals "")
set(entries "")
set(n 0)
foreach(name ${names})
  file(READ "${SOURCE_DIR}/${name}" bytes HEX)
  string(LENGTH "${bytes}" hex_digits)
  math(EXPR size "${hex_digits} / 2")
  # 32 bytes a line: "\x3c\x21..." pieces that the compiler joins into one literal.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${bytes}")
  string(REPEAT "\\\\x[0-9a-f][0-9a-f]" 32 line_of_bytes)  # CMake's regex has no {32}
  string(REGEX REPLACE "(${line_of_bytes})" "\\1\"\n    \"" escaped "${escaped}")
  string(APPEND literals
         "// ${name}, ${size} bytes\nconstexpr std::string_view kFile${n}{\n    \"${escaped}\",\n    ${size}};\n\n")
  string(APPEND entries "      {\"${name}\", kFile${n}},\n")
  math(EXPR n "${n} + 1")
endforeach()

set(content "// Generated at build time by cmake/embed_files.cmake from ${SOURCE_DIR}: edit those
// files, not this one.
#include \"${HEADER}\"

namespace ${NAMESPACE} {

namespace {

${literals}}  // namespace

std::span<const EmbeddedFile> ${FUNCTION}() {
  static constexpr EmbeddedFile kFiles[] = {
${entries}  };
  return kFiles;
}

}  // namespace ${NAMESPACE}
")
file(WRITE "${OUTPUT}" "${content}")
