#include "ecgfp5/schnorr.hpp"

#include <sodium.h>

#include <stdexcept>

namespace rollup::ecgfp5 {
namespace {

constexpr std::string_view kSecretTag = "rollup-tools:ecgfp5-schnorr:secret:v1";
constexpr std::string_view kNonceKeyTag = "rollup-tools:ecgfp5-schnorr:nonce-key:v1";
constexpr std::size_t kPackedBytes = 7;

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

/// BLAKE2b keyed by `key` over the concatenation of `parts` (libsodium's, constant time).
template <std::size_t kOut>
std::array<std::uint8_t, kOut> keyed_blake2b(
    std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts) {
  ensure_sodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), kOut);
  for (auto part : parts) crypto_generichash_update(&state, part.data(), part.size());
  std::array<std::uint8_t, kOut> out{};
  crypto_generichash_final(&state, out.data(), kOut);
  sodium_memzero(&state, sizeof state);
  return out;
}

template <typename T>
std::array<std::uint8_t, sizeof(T)> le_bytes(T v) {
  std::array<std::uint8_t, sizeof(T)> out{};
  for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

}  // namespace

KeyPair::~KeyPair() {
  sodium_memzero(seed_.data(), seed_.size());
  sodium_memzero(&secret_, sizeof secret_);
  sodium_memzero(nonce_key_.data(), nonce_key_.size());
}

KeyPair KeyPair::generate() {
  ensure_sodium();
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  KeyPair key = from_seed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

KeyPair KeyPair::from_seed(const Seed& seed) {
  KeyPair key;
  key.seed_ = seed;
  for (std::uint8_t counter = 0;; ++counter) {
    auto wide = keyed_blake2b<64>(seed, {bytes_of(kSecretTag), std::span(&counter, 1)});
    key.secret_ = Scalar::reduce_bytes(wide);
    sodium_memzero(wide.data(), wide.size());
    if (!key.secret_.is_zero()) break;
  }
  key.nonce_key_ = keyed_blake2b<32>(seed, {bytes_of(kNonceKeyTag)});
  key.public_key_ = Point::mul_generator(key.secret_).to_bytes();
  return key;
}

Scalar KeyPair::nonce(const SigningDomain& domain, std::span<const std::uint8_t> message) const {
  auto wide =
      keyed_blake2b<64>(nonce_key_, {bytes_of(kNonceTag), public_key_, le_bytes(domain.chain_id),
                                     le_bytes(domain.namespace_id), message});
  const Scalar k = Scalar::reduce_bytes(wide);
  sodium_memzero(wide.data(), wide.size());
  return k;
}

Signature KeyPair::sign(const SigningDomain& domain, std::span<const std::uint8_t> message) const {
  const Scalar k = nonce(domain, message);
  const Gfp5 commitment = Point::mul_generator(k).encode();
  const Gfp5 public_w = *Gfp5::from_bytes(public_key_);
  const Scalar e = challenge(domain, public_w, commitment, message);
  const Scalar s = k + e * secret_;
  Signature out{};
  const auto r_bytes = commitment.to_bytes();
  const auto s_bytes = s.to_bytes();
  std::copy(r_bytes.begin(), r_bytes.end(), out.begin());
  std::copy(s_bytes.begin(), s_bytes.end(), out.begin() + r_bytes.size());
  return out;
}

bool verify(const PublicKey& public_key, const SigningDomain& domain,
            std::span<const std::uint8_t> message, const Signature& signature) {
  const auto public_point = Point::from_bytes(public_key);
  if (!public_point || public_point->is_neutral()) return false;
  const std::span<const std::uint8_t, 80> sig(signature);
  const auto commitment_point = Point::from_bytes(sig.first<40>());
  const auto s = Scalar::from_bytes(sig.last<40>());
  // A neutral R is refused too: it only arises from a nonce k = 0 (never, for an honest signer)
  // and the in-proof check (air::SchnorrAir) proves R valid by decoding it, which the neutral,
  // the point (0, 0), does not pass; both checks must give the same verdict.
  if (!commitment_point || commitment_point->is_neutral() || !s) return false;
  const Gfp5 public_w = *Gfp5::from_bytes(public_key);
  const Gfp5 commitment = *Gfp5::from_bytes(sig.first<40>());
  const Scalar e = challenge(domain, public_w, commitment, message);
  // s G - e X = k G + e x G - e x G = R; group elements have one encoding each. e (256 bits)
  // multiplies -X rather than -e (319 bits) X: fewer doublings.
  return Point::mul_add_generator_vartime(*s, e, -*public_point).encode() == commitment;
}

void pack_bytes(std::span<const std::uint8_t> bytes, std::vector<Felt>& out) {
  out.push_back(Felt(bytes.size()));
  for (std::size_t begin = 0; begin < bytes.size(); begin += kPackedBytes) {
    std::uint64_t v = 0;
    const std::size_t end = std::min(bytes.size(), begin + kPackedBytes);
    for (std::size_t i = begin; i < end; ++i) v |= std::uint64_t{bytes[i]} << (8 * (i - begin));
    out.push_back(Felt(v));
  }
}

std::vector<Felt> challenge_elements(const SigningDomain& domain, const Gfp5& public_w,
                                     const Gfp5& commitment_w,
                                     std::span<const std::uint8_t> message) {
  std::vector<Felt> elements;
  elements.reserve(24 + message.size() / kPackedBytes);
  pack_bytes(bytes_of(kChallengeTag), elements);
  elements.push_back(Felt(domain.chain_id & 0xFFFFFFFFULL));
  elements.push_back(Felt(domain.chain_id >> 32));
  elements.push_back(Felt(domain.namespace_id));
  for (Felt c : public_w.coefficients()) elements.push_back(c);
  for (Felt c : commitment_w.coefficients()) elements.push_back(c);
  pack_bytes(message, elements);
  return elements;
}

Scalar challenge(const SigningDomain& domain, const Gfp5& public_w, const Gfp5& commitment_w,
                 std::span<const std::uint8_t> message) {
  const hash::Digest d =
      hash::hash_elements(challenge_elements(domain, public_w, commitment_w, message));
  return Scalar::from_limbs_unchecked({d[0].value(), d[1].value(), d[2].value(), d[3].value(), 0});
}

}  // namespace rollup::ecgfp5
