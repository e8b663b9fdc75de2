#include "espresso/tx_payload.hpp"

#include <algorithm>

namespace rollup::espresso {

namespace {
// The tag that opens every version 2 signed message (docs/formats.md "tx").
constexpr std::string_view kTxTag = "rollup-tools:tx:v2";
}  // namespace

Bytes encode_tx_payload(const codec::Tx& tx) {
  Bytes out = tx.signing_message();
  out.insert(out.end(), tx.sig.begin(), tx.sig.end());
  return out;
}

Result<codec::Tx> decode_tx_payload(std::span<const std::uint8_t> payload) {
  if (payload.size() != kTxPayloadSize)
    return fail(Errc::bad_input, "payload is " + std::to_string(payload.size()) + " bytes, a tx is " +
                                     std::to_string(kTxPayloadSize));
  if (!std::equal(kTxTag.begin(), kTxTag.end(), payload.begin()))
    return fail(Errc::bad_input, "payload does not start with the tag \"rollup-tools:tx:v2\"");
  ByteReader r(payload.subspan(kTxTag.size()));
  codec::Tx tx;
  std::uint8_t type = 0;
  r.u64(tx.chain_id);
  r.u32(tx.namespace_id);
  r.u8(type);
  r.raw(tx.from);
  r.raw(tx.to);
  r.u64(tx.amount);
  r.u64(tx.fee);
  r.u64(tx.nonce);
  r.raw(tx.sig);
  if (!r.done()) return fail(Errc::internal, "tx payload layout does not add up to its size");
  if (type != static_cast<std::uint8_t>(codec::TxType::transfer) && type != static_cast<std::uint8_t>(codec::TxType::withdraw))
    return fail(Errc::bad_input, "payload has tx type " + std::to_string(type) + " (1 transfer, 2 withdraw)");
  tx.type = static_cast<codec::TxType>(type);
  if (tx.type == codec::TxType::withdraw && tx.to != PublicKey{})
    return fail(Errc::bad_input, "payload is a withdraw with a nonzero recipient");
  // The range rules are those of a tx line: hand the decoded fields to the line parser rather
  // than keep a second copy of them here.
  auto object = codec::parse_json(codec::to_json(tx));
  if (!object) return fail(Errc::internal, "a decoded tx does not print as JSON: " + object.error().message);
  auto checked = codec::parse_tx(*object, "payload");
  if (!checked) return std::unexpected(checked.error());
  return *checked;
}

}  // namespace rollup::espresso
