#pragma once
// Ed25519 keys and signatures and BLAKE2b-256 hashing, both from libsodium.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/bytes.hpp"

namespace rollup::crypto {

using Seed = std::array<std::uint8_t, 32>;

struct KeyPair {
  PublicKey public_key{};
  std::array<std::uint8_t, 64> secret_key{};  ///< libsodium layout: seed || public key
  Seed seed() const;
};

/// Makes libsodium ready; every function here calls it, so callers never need to.
void ensure_sodium();

KeyPair generate_keypair();
KeyPair keypair_from_seed(const Seed& seed);
Signature sign(const KeyPair& key, std::span<const std::uint8_t> message);
bool verify(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& sig);

/// BLAKE2b with a 32-byte output, no key.
Hash32 blake2b256(std::span<const std::uint8_t> data);

/// Incremental BLAKE2b-256 for long inputs (tx lists, transcripts).
class Blake2b {
 public:
  Blake2b();
  Blake2b& update(std::span<const std::uint8_t> data);
  Blake2b& update(std::string_view text);
  Hash32 finish();

 private:
  alignas(64) std::array<std::uint8_t, 384> state_;  // crypto_generichash_state, opaque here
};

/// The deterministic dev key number `n`: seed = BLAKE2b-256("rollup-tools:dev-key:v1" || u64 n).
/// Anyone can compute these keys: they must never hold real value.
KeyPair dev_key(std::uint64_t n);

}  // namespace rollup::crypto
