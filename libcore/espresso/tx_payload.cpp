#include "espresso/tx_payload.hpp"

#include <algorithm>

namespace rollup::espresso {

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
  const std::size_t key_size = wide ? PublicKey::kMaxSize : PublicKey{}.size();
  const std::string_view tag = codec::Tx::signing_tag(key_size);
  if (!std::equal(tag.begin(), tag.end(), payload.begin()))
    return fail(Errc::bad_input, "a payload of " + std::to_string(payload.size()) + " bytes does not start with the tag \"" +
                                     std::string(tag) + "\"");
  ByteReader r(payload.subspan(tag.size()));
  codec::Tx tx;
  if (wide) {
    tx.from = PublicKey::zero(key_size);
    tx.to = PublicKey::zero(key_size);
    tx.sig = Signature::zero(Signature::kMaxSize);
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
