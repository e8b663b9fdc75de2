#include "crypto/crypto.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "ecgfp5/schnorr.hpp"

namespace rollup::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384, "state buffer too small");

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

Seed KeyPair::seed() const {
  Seed s{};
  std::memcpy(s.data(), secret_key.data(), s.size());
  return s;
}

KeyPair generate_keypair() {
  ensure_sodium();
  KeyPair kp;
  crypto_sign_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

KeyPair keypair_from_seed(const Seed& seed) {
  ensure_sodium();
  KeyPair kp;
  crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), seed.data());
  return kp;
}

Signature sign(const KeyPair& key, std::span<const std::uint8_t> message) {
  ensure_sodium();
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       key.secret_key.data());
  return sig;
}

bool verify(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& sig) {
  ensure_sodium();
  if (key.size() != crypto_sign_PUBLICKEYBYTES || sig.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

std::string_view scheme_name(SignatureScheme scheme) {
  return scheme == SignatureScheme::ecgfp5 ? "ecgfp5" : "ed25519";
}

Result<SignatureScheme> parse_scheme(std::string_view name) {
  if (name == "ed25519") return SignatureScheme::ed25519;
  if (name == "ecgfp5") return SignatureScheme::ecgfp5;
  return fail(Errc::bad_input, "unknown signature scheme \"" + std::string(name) + "\" (ed25519 or ecgfp5)");
}

Result<SignatureScheme> scheme_from_number(std::uint64_t value) {
  if (value == static_cast<std::uint64_t>(SignatureScheme::ed25519)) return SignatureScheme::ed25519;
  if (value == static_cast<std::uint64_t>(SignatureScheme::ecgfp5)) return SignatureScheme::ecgfp5;
  return fail(Errc::bad_input, "unknown signature scheme number " + std::to_string(value));
}

std::size_t key_size(SignatureScheme scheme) {
  return scheme == SignatureScheme::ecgfp5 ? ecgfp5::PublicKey{}.size() : std::size_t{crypto_sign_PUBLICKEYBYTES};
}

std::size_t signature_size(SignatureScheme scheme) {
  return scheme == SignatureScheme::ecgfp5 ? ecgfp5::Signature{}.size() : std::size_t{crypto_sign_BYTES};
}

std::optional<SignatureScheme> scheme_of_key(const PublicKey& key) {
  for (auto scheme : {SignatureScheme::ed25519, SignatureScheme::ecgfp5})
    if (key.size() == key_size(scheme)) return scheme;
  return std::nullopt;
}

Status check_key_scheme(SignatureScheme scheme, const PublicKey& key, std::string_view what) {
  if (key.size() == key_size(scheme)) return {};
  const auto other = scheme_of_key(key);
  return fail(Errc::bad_input,
              std::string(what) + ": a " + std::to_string(key.size()) + "-byte " +
                  (other ? std::string(scheme_name(*other)) + " " : std::string()) + "key, but this rollup's accounts are " +
                  std::string(scheme_name(scheme)) + " keys of " + std::to_string(key_size(scheme)) + " bytes");
}

namespace {
ecgfp5::PublicKey ecgfp5_key(const PublicKey& key) {
  ecgfp5::PublicKey out{};
  std::copy(key.begin(), key.end(), out.begin());
  return out;
}
}  // namespace

Status check_key_encoding(const PublicKey& key, std::string_view what) {
  const auto scheme = scheme_of_key(key);
  if (!scheme)
    return fail(Errc::bad_input, std::string(what) + ": a key is 32 bytes (ed25519) or 40 (ecgfp5), got " +
                                     std::to_string(key.size()));
  if (*scheme == SignatureScheme::ecgfp5 && !ecgfp5::Gfp5::from_bytes(std::span<const std::uint8_t, 40>(key.data(), 40)))
    return fail(Errc::bad_input, std::string(what) + ": not an ecgfp5 key (a coefficient is not below p)");
  return {};
}

Status check_public_key(SignatureScheme scheme, const PublicKey& key, std::string_view what) {
  ROLLUP_TRY(check_key_scheme(scheme, key, what));
  if (scheme == SignatureScheme::ecgfp5) {
    const auto point = ecgfp5::Point::from_bytes(std::span<const std::uint8_t, 40>(key.data(), 40));
    if (!point || point->is_neutral())
      return fail(Errc::bad_input, std::string(what) + ": not an ecgfp5 public key (no curve point, or the neutral)");
  }
  return {};
}

bool verify_tx_signature(SignatureScheme scheme, const SigningDomain& domain, const PublicKey& key,
                         std::span<const std::uint8_t> message, const Signature& sig) {
  if (key.size() != key_size(scheme) || sig.size() != signature_size(scheme)) return false;
  if (scheme == SignatureScheme::ed25519) return verify(key, message, sig);
  ecgfp5::Signature s{};
  std::copy(sig.begin(), sig.end(), s.begin());
  return ecgfp5::verify(ecgfp5_key(key), ecgfp5::SigningDomain{domain.chain_id, domain.namespace_id}, message, s);
}

AccountKey::AccountKey(std::variant<KeyPair, ecgfp5::KeyPair> pair) : pair_(std::move(pair)) {
  if (const auto* ed = std::get_if<KeyPair>(&pair_)) {
    scheme_ = SignatureScheme::ed25519;
    public_key_ = ed->public_key;
  } else {
    scheme_ = SignatureScheme::ecgfp5;
    public_key_ = std::get<ecgfp5::KeyPair>(pair_).public_key();
  }
}

AccountKey AccountKey::from_seed(SignatureScheme scheme, const Seed& seed) {
  if (scheme == SignatureScheme::ed25519) return AccountKey(keypair_from_seed(seed));
  return AccountKey(ecgfp5::KeyPair::from_seed(seed));
}

Seed AccountKey::seed() const {
  if (const auto* ed = std::get_if<KeyPair>(&pair_)) return ed->seed();
  return std::get<ecgfp5::KeyPair>(pair_).seed();
}

AccountKey AccountKey::generate(SignatureScheme scheme) {
  ensure_sodium();
  Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  AccountKey key = from_seed(scheme, seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

AccountKey AccountKey::ed25519(const KeyPair& pair) { return AccountKey(pair); }

Signature AccountKey::sign_tx(const SigningDomain& domain, std::span<const std::uint8_t> message) const {
  if (const auto* ed = std::get_if<KeyPair>(&pair_)) return sign(*ed, message);
  return std::get<ecgfp5::KeyPair>(pair_).sign(ecgfp5::SigningDomain{domain.chain_id, domain.namespace_id}, message);
}

Hash32 blake2b256(std::span<const std::uint8_t> data) {
  ensure_sodium();
  Hash32 out{};
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Blake2b::Blake2b() {
  ensure_sodium();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_.data()), nullptr, 0,
                          32);
}

Blake2b& Blake2b::update(std::span<const std::uint8_t> data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_.data()),
                            data.data(), data.size());
  return *this;
}

Blake2b& Blake2b::update(std::string_view text) {
  return update(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Hash32 Blake2b::finish() {
  Hash32 out{};
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_.data()), out.data(),
                           out.size());
  return out;
}

namespace {
Seed dev_seed(std::uint64_t n) {
  ByteWriter w("rollup-tools:dev-key:v1");
  w.u64(n);
  return blake2b256(w.bytes());
}
}  // namespace

KeyPair dev_key(std::uint64_t n) { return keypair_from_seed(dev_seed(n)); }

AccountKey dev_account_key(SignatureScheme scheme, std::uint64_t n) {
  return AccountKey::from_seed(scheme, dev_seed(n));
}

}  // namespace rollup::crypto
