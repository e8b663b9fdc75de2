#include "core/bytes.hpp"

#include <algorithm>

namespace rollup {

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 + 2 * bytes.size());
  out += "0x";
  for (auto b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is rejected: the format is lowercase hex only
}
}  // namespace

Result<Bytes> from_hex(std::string_view text, long expected_len) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x')
    return fail(Errc::bad_input, "hex must start with 0x");
  text.remove_prefix(2);
  if (text.size() % 2 != 0) return fail(Errc::bad_input, "hex has an odd number of digits");
  if (expected_len >= 0 && text.size() != static_cast<std::size_t>(expected_len) * 2)
    return fail(Errc::bad_input, "hex must be " + std::to_string(expected_len) + " bytes, got " +
                                     std::to_string(text.size() / 2));
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return fail(Errc::bad_input, "hex must be lowercase 0-9a-f");
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace rollup
