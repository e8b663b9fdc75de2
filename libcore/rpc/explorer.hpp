#pragma once
// rollup-serve's explorer page (GET /): plain HTML, JavaScript and CSS kept as files in
// libcore/rpc/explorer/ and embedded into the binary at build time (cmake/embed_files.cmake), so
// the server needs nothing beside its binary and the page stays editable as HTML.
#include <span>
#include <string_view>

namespace rollup::rpc {

struct EmbeddedFile {
  std::string_view name;  ///< its file name in libcore/rpc/explorer/
  std::string_view body;  ///< its bytes, as in the repository
};

/// The page's files: index.html (served at /) and those it loads (served at /NAME).
std::span<const EmbeddedFile> explorer_files();

}  // namespace rollup::rpc
