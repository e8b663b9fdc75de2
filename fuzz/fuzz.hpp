#pragma once
// One fuzz target per decoder (docs: fuzz/README.md). Each target file defines its body with
// FUZZ_TARGET(name): built with clang and -fsanitize=fuzzer (ROLLUP_FUZZ) the body becomes that
// binary's LLVMFuzzerTestOneInput; built normally it registers itself with the replay driver,
// which runs every input kept under tests/data/fuzz/<name>/ on each ctest run.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rollup::fuzz {

using Input = std::span<const std::uint8_t>;
using Target = void (*)(Input);

/// Registers a target for the replay driver (returns true, for a static initializer).
bool register_target(const char* name, Target target);
/// A broken invariant: what a fuzzer must report as a crash, in either build.
[[noreturn]] void invariant_failed(const char* target, const char* what);

inline std::string_view as_text(Input data) {
  return {reinterpret_cast<const char*>(data.data()), data.size()};
}

}  // namespace rollup::fuzz

#define FUZZ_CHECK(target, condition) \
  ((condition) ? void(0) : ::rollup::fuzz::invariant_failed(#target, #condition))

#ifdef ROLLUP_LIBFUZZER
#define FUZZ_TARGET(name)                                                                \
  static void fuzz_##name(::rollup::fuzz::Input data);                                   \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {   \
    fuzz_##name({bytes, size});                                                          \
    return 0;                                                                            \
  }                                                                                      \
  static void fuzz_##name(::rollup::fuzz::Input data)
#else
#define FUZZ_TARGET(name)                                                                       \
  static void fuzz_##name(::rollup::fuzz::Input data);                                          \
  [[maybe_unused]] static const bool fuzz_registered_##name =                                   \
      ::rollup::fuzz::register_target(#name, fuzz_##name);                                      \
  static void fuzz_##name(::rollup::fuzz::Input data)
#endif
