#pragma once
// Schnorr signatures over ECgFp5, the account keys the STARK can check itself (issue #10): the
// challenge is an RPO hash, the rollup's algebraic hash, so that the AIR recomputes it with the
// hash columns it already has. docs/ecgfp5.md gives every byte and every element.
//
//   keys:    secret x in [1, n), public X = x G, sent as the 40 bytes of X's encoding w
//   sign:    k = nonce(x, message), R = k G, e = challenge(..., X, R, message), s = k + e x mod n
//   verify:  s G - e X == R, compared as encodings (w of R, canonical, 40 bytes)
//   bytes:   signature = w(R) (40 bytes) || s (40 bytes, little-endian, < n)
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ecgfp5/curve.hpp"
#include "ecgfp5/scalar.hpp"
#include "hash/rpo.hpp"

namespace rollup::ecgfp5 {

using PublicKey = std::array<std::uint8_t, 40>;
using Signature = std::array<std::uint8_t, 80>;
using Seed = std::array<std::uint8_t, 32>;

/// Which rollup a signature is for: a signature for one chain or namespace is no signature for
/// another (the same fields that bind an Ed25519 tx, codec::Tx).
struct SigningDomain {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
};

/// The domain tag that opens the challenge's input, and the one of the nonce derivation.
inline constexpr std::string_view kChallengeTag = "rollup-tools:ecgfp5-schnorr:challenge:v1";
inline constexpr std::string_view kNonceTag = "rollup-tools:ecgfp5-schnorr:nonce:v1";

class KeyPair {
 public:
  /// The key of 32 bytes from libsodium's randombytes.
  static KeyPair generate();
  /// The key of a seed: x = BLAKE2b-512 keyed by the seed over "...:secret:v1" reduced mod n (a
  /// counter byte follows the tag, raised in the 2^-319 case of x = 0); the nonce key =
  /// BLAKE2b-256 keyed by the seed over "...:nonce-key:v1".
  static KeyPair from_seed(const Seed& seed);
  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;
  /// Wipes the seed, the secret scalar and the nonce key (libsodium's sodium_memzero).
  ~KeyPair();

  const PublicKey& public_key() const { return public_key_; }
  const Seed& seed() const { return seed_; }
  /// For tests and the future AIR witness; the secret scalar never leaves this object otherwise.
  const Scalar& secret_scalar() const { return secret_; }

  /// Deterministic: the same key, domain and message always give the same signature.
  Signature sign(const SigningDomain& domain, std::span<const std::uint8_t> message) const;

  /// k = BLAKE2b-512 keyed by the nonce key over kNonceTag || public key || chain id (8 bytes LE)
  /// || namespace (4 bytes LE) || message, reduced mod n.
  Scalar nonce(const SigningDomain& domain, std::span<const std::uint8_t> message) const;

 private:
  KeyPair() = default;
  Seed seed_{};
  Scalar secret_;
  std::array<std::uint8_t, 32> nonce_key_{};
  PublicKey public_key_{};
};

/// True when `signature` is by `public_key` over (domain, message). Rejects a public key or an R
/// that is not the canonical encoding of a group element, the neutral as a public key, and s >= n.
bool verify(const PublicKey& public_key, const SigningDomain& domain,
            std::span<const std::uint8_t> message, const Signature& signature);

/// The RPO input of the challenge, one element each unless said:
///   kChallengeTag packed as bytes (below), chain_id mod 2^32, chain_id >> 32, namespace_id,
///   public key w (5 coefficients, z^0 first), R's w (5), message packed as bytes.
/// "Packed as bytes": the byte count, then the bytes in groups of 7, little-endian, the last
/// group zero-padded (7 bytes < 2^56 < p, so every element is canonical). Everything before the
/// message has a fixed size and the message carries its length: the packing is injective.
std::vector<Felt> challenge_elements(const SigningDomain& domain, const Gfp5& public_w,
                                     const Gfp5& commitment_w,
                                     std::span<const std::uint8_t> message);

/// e = d0 + d1 2^64 + d2 2^128 + d3 2^192 for the digest d = RPO(challenge_elements): below
/// 2^256 < n, so already canonical (no reduction, no bias), and four field elements in the AIR.
Scalar challenge(const SigningDomain& domain, const Gfp5& public_w, const Gfp5& commitment_w,
                 std::span<const std::uint8_t> message);

/// Appends `bytes` packed as above.
void pack_bytes(std::span<const std::uint8_t> bytes, std::vector<Felt>& out);

}  // namespace rollup::ecgfp5
