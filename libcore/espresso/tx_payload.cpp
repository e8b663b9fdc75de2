#include "espresso/tx_payload.hpp"

#include <algorithm>

namespace rollup::espresso {

namespace {
// The tags that open a signed message (docs/formats.md "tx"): version 2 with 32-byte (Ed25519)
// keys, version 3 with 40-byte (ECgFp5) keys. Both are 18 bytes.
constexpr std::string_view kTxTag = "rollup-tools:tx:v2";
constexpr std::string_view kTx40Tag = "rollup-tools:tx:v3";
}  // namespace

Bytes encode_tx_payload(const codec::Tx& tx) {
  Bytes out = tx.signing_message();
  out.insert(out.end(), tx.sig.begin(), tx.sig.end());
  return out;
}

Result<codec::Tx> decode_tx_payload(std::span<const std::uint8_t> payload) {
  const bool wide = payload.size() == kTx40PayloadSize;
  if (payload.size() != kTxPayloadSize && !wide)
    return fail(Errc::bad_input, "payload is " + std::to_string(payload.size()) + " bytes, a tx is " +
                                     std::to_string(kTxPayloadSize) + " (ed25519) or " +
                                     std::to_string(kTx40PayloadSize) + " (ecgfp5)");
  const std::string_view tag = wide ? kTx40Tag : kTxTag;
  if (!std::equal(tag.begin(), tag.end(), payload.begin()))
    return fail(Errc::bad_input, "a payload of " + std::to_string(payload.size()) + " bytes does not start with the tag \"" +
                                     std::string(tag) + "\"");
  ByteReader r(payload.subspan(tag.size()));
  codec::Tx tx;
  if (wide) {
    tx.from = PublicKey::zero(40);
    tx.to = PublicKey::zero(40);
    tx.sig = Signature::zero(80);
  }
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
  if (tx.type == codec::TxType::withdraw) {
    if (tx.to != PublicKey::zero(tx.from.size()))
      return fail(Errc::bad_input, "payload is a withdraw with a nonzero recipient");
    tx.to = PublicKey{};
  }
  // The range rules are those of a tx line: hand the decoded fields to the line parser rather
  // than keep a second copy of them here.
  auto object = codec::parse_json(codec::to_json(tx));
  if (!object) return fail(Errc::internal, "a decoded tx does not print as JSON: " + object.error().message);
  auto checked = codec::parse_tx(*object, "payload");
  if (!checked) return std::unexpected(checked.error());
  return *checked;
}

}  // namespace rollup::espresso
