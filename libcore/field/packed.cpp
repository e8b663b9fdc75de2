#include "field/packed.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

namespace rollup::field {
namespace {

std::vector<VectorIsa> detect_vector_isas() {
  std::vector<VectorIsa> out;
#if ROLLUP_FIELD_X86_SIMD
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) {
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq"))
      out.push_back(VectorIsa::avx512);
    out.push_back(VectorIsa::avx2);
  }
#endif
  out.push_back(VectorIsa::scalar);
  return out;
}

std::atomic<VectorIsa>& active_isa() {
  static std::atomic<VectorIsa> isa{supported_vector_isas().front()};
  return isa;
}

}  // namespace

std::string_view vector_isa_name(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::avx512: return "avx512";
    case VectorIsa::avx2: return "avx2";
    case VectorIsa::scalar: return "scalar";
  }
  return "unknown";
}

const std::vector<VectorIsa>& supported_vector_isas() {
  static const std::vector<VectorIsa> isas = detect_vector_isas();
  return isas;
}

VectorIsa vector_isa() { return active_isa().load(std::memory_order_relaxed); }

namespace detail {

void set_vector_isa(VectorIsa isa) {
  const auto& supported = supported_vector_isas();
  if (std::find(supported.begin(), supported.end(), isa) == supported.end())
    throw std::invalid_argument("field: this CPU lacks the " + std::string(vector_isa_name(isa)) +
                                " instruction set");
  active_isa().store(isa, std::memory_order_relaxed);
}

}  // namespace detail
}  // namespace rollup::field
