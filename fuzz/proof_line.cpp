// A proof line, as rollup-submit and rollup-verify read it: the JSON fields, the base64 proof,
// the block or range proof header and the STARK proof inside it.
#include "air/block_proof.hpp"
#include "fuzz.hpp"
#include "stark/proof.hpp"

using namespace rollup;

FUZZ_TARGET(proof_line) {
  auto object = codec::parse_stream_object(fuzz::as_text(data));
  if (!object) return;
  auto line = air::parse_proof_line(*object);
  if (!line) return;
  if (auto block = air::decode_proof(line->proof)) (void)stark::deserialize(block->second);
}
