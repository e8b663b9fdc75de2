#include "core/url.hpp"

#include <fmt/format.h>

namespace rollup {

Result<HttpUrl> parse_http_url(std::string_view text, std::string_view option) {
  std::string_view rest = text;
  std::string_view scheme;
  if (rest.starts_with("http://")) {
    scheme = "http://";
  } else if (rest.starts_with("https://")) {
    scheme = "https://";
  } else {
    return fail(Errc::usage, fmt::format("{} must start with http:// or https://: '{}'", option, text));
  }
  rest.remove_prefix(scheme.size());
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return fail(Errc::usage, fmt::format("{} has no host: '{}'", option, text));
  HttpUrl url{std::string(scheme) + std::string(authority),
              std::string(slash == std::string_view::npos ? std::string_view{} : rest.substr(slash))};
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  return url;
}

}  // namespace rollup
