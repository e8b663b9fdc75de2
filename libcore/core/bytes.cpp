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
// Uppercase is rejected: the format is lowercase hex only.
constexpr std::array<std::int8_t, 256> kHexValues = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::int8_t>(c - 'a' + 10);
  return t;
}();
int hex_value(char c) { return kHexValues[static_cast<unsigned char>(c)]; }
}  // namespace

bool decode_hex_into(std::string_view digits, std::span<std::uint8_t> out) {
  if (digits.size() != 2 * out.size()) return false;
  int bad = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(digits[2 * i]), lo = hex_value(digits[2 * i + 1]);
    bad |= hi | lo;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return bad >= 0;
}

Result<Bytes> from_hex(std::string_view text, long expected_len) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x')
    return fail(Errc::bad_input, "hex must start with 0x");
  text.remove_prefix(2);
  if (text.size() % 2 != 0) return fail(Errc::bad_input, "hex has an odd number of digits");
  if (expected_len >= 0 && text.size() != static_cast<std::size_t>(expected_len) * 2)
    return fail(Errc::bad_input, "hex must be " + std::to_string(expected_len) + " bytes, got " +
                                     std::to_string(text.size() / 2));
  Bytes out(text.size() / 2);
  if (!decode_hex_into(text, out)) return fail(Errc::bad_input, "hex must be lowercase 0-9a-f");
  return out;
}

}  // namespace rollup
