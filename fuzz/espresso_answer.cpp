// An Espresso namespace answer with its header (what rollup-espresso from-espresso reads): hostile
// text must be refused cleanly, and whatever is accepted must read back the same from the JSON
// rollup-espresso would write for it, down to each payload's bytes and the namespace table's.
#include "codec/fields.hpp"
#include "espresso/base64.hpp"
#include "espresso/shapes.hpp"
#include "espresso/tx_payload.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(espresso_answer) {
  auto json = codec::parse_json(fuzz::as_text(data));
  if (!json) return;
  auto answer = espresso::parse_namespace_answer(*json);
  if (!answer) return;
  auto again = espresso::parse_namespace_answer(*codec::parse_json(espresso::namespace_answer_to_json(*answer).dump()));
  FUZZ_CHECK(espresso_answer, again.has_value());
  FUZZ_CHECK(espresso_answer, again->transactions.size() == answer->transactions.size());
  for (std::size_t i = 0; i < answer->transactions.size(); ++i) {
    FUZZ_CHECK(espresso_answer, again->transactions[i].payload == answer->transactions[i].payload);
    FUZZ_CHECK(espresso_answer, again->transactions[i].namespace_id == answer->transactions[i].namespace_id);
  }
  if (!answer->header) return;
  FUZZ_CHECK(espresso_answer, again->header.has_value());
  FUZZ_CHECK(espresso_answer, again->header->ns_table == answer->header->ns_table);
  auto table = espresso::encode_ns_table(answer->header->ns_table);
  FUZZ_CHECK(espresso_answer, espresso::parse_ns_table(table).has_value());
  for (std::uint32_t ns : {0u, 1u}) {
    auto txs = espresso::namespace_txs(*answer->header, *answer, espresso::RollupId{1, ns});
    if (!txs) continue;
    FUZZ_CHECK(espresso_answer, txs->txs.size() + txs->rejected.size() == answer->transactions.size());
    for (const auto& tx : txs->txs) {
      auto payload = espresso::encode_tx_payload(tx);
      auto decoded = espresso::decode_tx_payload(payload);
      FUZZ_CHECK(espresso_answer, decoded.has_value() && decoded->id() == tx.id());
    }
  }
}

// Raw bytes as a tx payload, and as base64 text: a decoded tx is the payload's only reading.
FUZZ_TARGET(espresso_payload) {
  if (auto tx = espresso::decode_tx_payload(data)) {
    auto payload = espresso::encode_tx_payload(*tx);
    FUZZ_CHECK(espresso_payload, Bytes(data.begin(), data.end()) == payload);
  }
  if (auto bytes = espresso::from_base64(fuzz::as_text(data)))
    FUZZ_CHECK(espresso_payload, espresso::to_base64(*bytes) == fuzz::as_text(data));
}
