#include <cstdio>
#include <cstdlib>

#include "fuzz.hpp"

namespace rollup::fuzz {

void invariant_failed(const char* target, const char* what) {
  std::fprintf(stderr, "fuzz target %s: invariant failed: %s\n", target, what);
  std::abort();
}

}  // namespace rollup::fuzz
