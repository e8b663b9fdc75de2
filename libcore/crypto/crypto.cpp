#include "crypto/crypto.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

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
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
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

KeyPair dev_key(std::uint64_t n) {
  ByteWriter w("rollup-tools:dev-key:v1");
  w.u64(n);
  return keypair_from_seed(blake2b256(w.bytes()));
}

}  // namespace rollup::crypto
