// A tx line: the fast scanner (codec/tx_line.cpp) must never accept what the general parser
// refuses, nor decide differently; an accepted tx must come back from its canonical JSON.
#include "codec/objects.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(tx_line) {
  const auto line = fuzz::as_text(data);
  auto fast = codec::parse_tx_line_fast(line);
  auto object = codec::parse_stream_object(line);
  std::optional<codec::Tx> general;
  if (object && codec::kind_of(*object) == "tx") {
    if (auto tx = codec::parse_tx(*object)) general = *tx;
  }
  if (fast) {
    FUZZ_CHECK(tx_line, general.has_value());
    FUZZ_CHECK(tx_line, general->id() == fast->id());
  }
  if (general) {
    const std::string canonical = codec::to_json(*general);
    auto again = codec::parse_tx_line_fast(canonical);
    FUZZ_CHECK(tx_line, again.has_value());
    FUZZ_CHECK(tx_line, again->id() == general->id());
    FUZZ_CHECK(tx_line, again->signing_message() == general->signing_message());
  }
}
