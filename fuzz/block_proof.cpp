// The proof encoding of one or more blocks (claims and subtree roots before the STARK proof):
// strict decoding, and re-encoding what decoded gives the same bytes.
#include "air/block_proof.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(block_proof) {
  if (auto block = air::decode_proof(data)) {
    auto bytes = air::encode_proof(block->first, block->second);
    FUZZ_CHECK(block_proof, std::equal(bytes.begin(), bytes.end(), data.begin(), data.end()));
  }
}
