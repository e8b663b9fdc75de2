#pragma once
// Standard base64 (RFC 4648 §4, with padding): how Espresso's query service writes byte strings
// (transaction payloads, the namespace table) inside its JSON.
#include <span>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace rollup::espresso {

std::string to_base64(std::span<const std::uint8_t> bytes);
/// Strict inverse of to_base64: the standard alphabet, padding required, no whitespace, and the
/// unused low bits of the last symbol zero (so each byte string has exactly one spelling).
Result<Bytes> from_base64(std::string_view text);

}  // namespace rollup::espresso
