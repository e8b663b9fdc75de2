#pragma once
// Ed25519 keys and signatures and BLAKE2b-256 hashing, both from libsodium; and the one place
// that says, for a rollup's signature scheme, how long its keys and signatures are and how a tx
// signature is checked (Ed25519 here, ECgFp5 Schnorr in the ecgfp5 module).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/bytes.hpp"
#include "ecgfp5/schnorr.hpp"

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

/// The account signature scheme a rollup chooses when its contract is initialised (docs/design.md
/// §6). The numbers are those stored in the contract's config.
enum class SignatureScheme : std::uint8_t { ed25519 = 0, ecgfp5 = 1 };
inline constexpr SignatureScheme kDefaultScheme = SignatureScheme::ed25519;

/// "ed25519" or "ecgfp5".
std::string_view scheme_name(SignatureScheme scheme);
/// Inverse of scheme_name; Errc::bad_input for any other text.
Result<SignatureScheme> parse_scheme(std::string_view name);
/// The scheme stored as `value` (a config column); Errc::bad_input for an unknown number.
Result<SignatureScheme> scheme_from_number(std::uint64_t value);
/// Account keys: 32 bytes (Ed25519) or 40 (ECgFp5: the point's encoding w).
std::size_t key_size(SignatureScheme scheme);
/// Signatures: 64 bytes (Ed25519) or 80 (ECgFp5: R || s).
std::size_t signature_size(SignatureScheme scheme);
/// The scheme whose keys are `key`'s length.
std::optional<SignatureScheme> scheme_of_key(const PublicKey& key);

/// Errc::bad_input, naming `what` (e.g. "to"), unless `key` is one of `scheme`'s length: a key of
/// another scheme than the rollup's.
Status check_key_scheme(SignatureScheme scheme, const PublicKey& key, std::string_view what);
/// Errc::bad_input unless `key` has a length some scheme takes and, for an ECgFp5 key, five
/// canonical coefficients (each < p): the condition for its key id to name it alone
/// (smt::account_key_bytes). Every format that reads a key applies it.
Status check_key_encoding(const PublicKey& key, std::string_view what);
/// Stricter, for keys a user names to a tool (a recipient): `scheme`'s length and, for ECgFp5, a
/// key that decodes to a group element other than the neutral, so that it could ever sign.
Status check_public_key(SignatureScheme scheme, const PublicKey& key, std::string_view what);

/// The rollup a tx signature is for.
struct SigningDomain {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
};

/// True when `sig` is a valid signature of `message` by `key` under `scheme`, key and signature
/// of that scheme's lengths. Ed25519 signs `message` itself (which already holds the domain);
/// ECgFp5 Schnorr binds the domain in its challenge as well (docs/ecgfp5.md).
bool verify_tx_signature(SignatureScheme scheme, const SigningDomain& domain, const PublicKey& key,
                         std::span<const std::uint8_t> message, const Signature& sig);

/// An account's signing key under either scheme, made from a 32-byte seed (what a key file
/// keeps). Ed25519: libsodium's seed keypair; ECgFp5: ecgfp5::KeyPair::from_seed.
class AccountKey {
 public:
  static AccountKey from_seed(SignatureScheme scheme, const Seed& seed);
  /// A fresh key from libsodium's randombytes.
  static AccountKey generate(SignatureScheme scheme);
  /// The Ed25519 key `key`, as an account key.
  static AccountKey ed25519(const KeyPair& key);

  SignatureScheme scheme() const { return scheme_; }
  const PublicKey& public_key() const { return public_key_; }
  Seed seed() const;
  /// Signs a tx's signing message for `domain` (verify_tx_signature's inverse).
  Signature sign_tx(const SigningDomain& domain, std::span<const std::uint8_t> message) const;

 private:
  explicit AccountKey(std::variant<KeyPair, ecgfp5::KeyPair> pair);
  SignatureScheme scheme_ = kDefaultScheme;
  std::variant<KeyPair, ecgfp5::KeyPair> pair_;
  PublicKey public_key_{};
};

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
/// Dev key number `n` of `scheme`, from the same seed (dev_key(n) for Ed25519).
AccountKey dev_account_key(SignatureScheme scheme, std::uint64_t n);

}  // namespace rollup::crypto
