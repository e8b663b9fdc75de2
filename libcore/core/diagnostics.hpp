#pragma once
// Warnings libcore gives on its own, about a danger the caller did not ask about (a contract
// deployed with dev keys). They go to stderr as `prog: warning: ...`; cli::Tool turns them off
// with --quiet.
#include <string_view>

namespace rollup {

void set_warnings_enabled(bool enabled);
void warn(std::string_view message);

}  // namespace rollup
