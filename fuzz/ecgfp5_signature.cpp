// An ECgFp5 public key (40 bytes), signature (80 bytes) and message (the rest), as a verifier
// receives them. Decoding must be canonical (what decodes re-encodes to the same bytes) and
// verification must reject what it cannot parse without crashing.
#include <algorithm>
#include <array>

#include "ecgfp5/schnorr.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(ecgfp5_signature) {
  std::array<std::uint8_t, 120> head{};
  std::copy_n(data.begin(), std::min(data.size(), head.size()), head.begin());
  const auto message = data.size() > head.size() ? data.subspan(head.size()) : fuzz::Input{};

  ecgfp5::PublicKey key{};
  ecgfp5::Signature signature{};
  std::copy_n(head.begin(), key.size(), key.begin());
  std::copy_n(head.begin() + key.size(), signature.size(), signature.begin());

  if (auto point = ecgfp5::Point::from_bytes(key))
    FUZZ_CHECK(ecgfp5_signature, point->to_bytes() == key);
  if (auto s = ecgfp5::Scalar::from_bytes(std::span(signature).last<40>())) {
    const auto bytes = s->to_bytes();
    FUZZ_CHECK(ecgfp5_signature, std::equal(bytes.begin(), bytes.end(), signature.begin() + 40));
  }
  const bool accepted = ecgfp5::verify(key, ecgfp5::SigningDomain{1, 1}, message, signature);
  // Nothing but a real signature passes; flipping the message's first byte must break it.
  if (accepted && !message.empty()) {
    std::vector<std::uint8_t> altered(message.begin(), message.end());
    altered[0] ^= 1;
    FUZZ_CHECK(ecgfp5_signature,
               !ecgfp5::verify(key, ecgfp5::SigningDomain{1, 1}, altered, signature));
  }
}
