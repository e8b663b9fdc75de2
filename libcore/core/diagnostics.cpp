#include "core/diagnostics.hpp"

#include <errno.h>

#include <atomic>
#include <cstdio>
#include <string>

namespace rollup {

namespace {
std::atomic<bool> warnings_enabled{true};
}

void set_warnings_enabled(bool enabled) { warnings_enabled = enabled; }

void warn(std::string_view message) {
  if (!warnings_enabled) return;
  const std::string text(message);
  std::fprintf(stderr, "%s: warning: %s\n", program_invocation_short_name, text.c_str());
}

}  // namespace rollup
