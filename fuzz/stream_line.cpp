// Any stream line, as every tool reads it: the strict JSON parser (limits, duplicates, NUL) and
// each object decoder by kind. A document it accepts must print and parse back to itself.
#include "air/block_proof.hpp"
#include "codec/objects.hpp"
#include "fuzz.hpp"
#include "vm/query.hpp"
#include "vm/state.hpp"

using namespace rollup;

FUZZ_TARGET(stream_line) {
  auto json = codec::parse_json(fuzz::as_text(data));
  if (json) {
    auto again = codec::parse_json(json->dump());
    FUZZ_CHECK(stream_line, again.has_value());
    FUZZ_CHECK(stream_line, *again == *json);
  }
  auto object = codec::parse_stream_object(fuzz::as_text(data));
  if (!object) return;
  const std::string kind = codec::kind_of(*object);
  if (kind == "tx") (void)codec::parse_tx(*object);
  if (kind == "block") (void)codec::parse_block(*object);
  if (kind == "exec") (void)vm::parse_exec_claim(*object);
  if (kind == "proof") (void)air::parse_proof_line(*object);
  if (kind == "account") (void)vm::parse_account(*object);
}
