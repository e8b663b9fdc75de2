#pragma once
// The http:// and https:// URLs the tools take (--url, --rpc): split once, refused the same way.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rollup {

struct HttpUrl {
  std::string origin;  ///< scheme and authority: "http://127.0.0.1:8545"
  std::string path;    ///< "" or "/prefix", never ending in '/'
  bool https() const { return origin.starts_with("https://"); }
};

/// Splits `text`; Errc::usage naming `option` when it is not an http(s) URL with a host.
Result<HttpUrl> parse_http_url(std::string_view text, std::string_view option);

}  // namespace rollup
