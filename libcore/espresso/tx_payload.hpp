#pragma once
// A toolkit tx as the bytes of an Espresso transaction payload: the tx's canonical binary
// encoding, i.e. its signed message (docs/formats.md "tx") followed by the signature: 119 + 64
// bytes for an Ed25519 tx, 135 + 80 for an ECgFp5 tx (version 3). Espresso orders these bytes
// and never looks inside them.
#include <span>

#include "codec/objects.hpp"

namespace rollup::espresso {

/// Payload lengths: signed message plus signature, Ed25519 and ECgFp5.
inline constexpr std::size_t kTxPayloadSize = codec::Tx::kEncodedSize;
inline constexpr std::size_t kTx40PayloadSize = codec::Tx::kEcgfp5EncodedSize;

Bytes encode_tx_payload(const codec::Tx& tx);
/// Decodes a payload into a tx under the same field rules as a tx line (codec::parse_tx): the
/// domain tag of tx version 2 (or 3 for the ECgFp5 length), a known type, amount 1..2^53-1, fee,
/// nonce and chain id below 2^53, zero bytes as the recipient of a withdraw, and nothing after the signature. The
/// signature itself is the executor's to check, as for a tx line. Bad input otherwise.
Result<codec::Tx> decode_tx_payload(std::span<const std::uint8_t> payload);

}  // namespace rollup::espresso
