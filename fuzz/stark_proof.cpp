// The STARK proof encoding: strict decoding, and what decodes must encode to the same bytes
// (one encoding per proof, or a verifier could be shown two texts of one proof).
#include "fuzz.hpp"
#include "stark/proof.hpp"

using namespace rollup;

FUZZ_TARGET(stark_proof) {
  auto proof = stark::deserialize(data);
  if (!proof) return;
  auto bytes = stark::serialize(*proof);
  FUZZ_CHECK(stark_proof, bytes.has_value());
  FUZZ_CHECK(stark_proof, std::equal(bytes->begin(), bytes->end(), data.begin(), data.end()));
}
