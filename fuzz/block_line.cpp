// A block line: strict parsing, then the canonical encodings (tx ids, tx-list and deposit hashes,
// the block hash) must survive a round trip through the block's own JSON.
#include "codec/objects.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(block_line) {
  auto object = codec::parse_stream_object(fuzz::as_text(data));
  if (!object) return;
  auto block = codec::parse_block(*object);
  if (!block) return;
  FUZZ_CHECK(block_line, block->compute_hash() == block->hash);
  auto again = codec::parse_stream_object(codec::to_json(*block));
  FUZZ_CHECK(block_line, again.has_value());
  auto reparsed = codec::parse_block(*again);
  FUZZ_CHECK(block_line, reparsed.has_value());
  FUZZ_CHECK(block_line, reparsed->hash == block->hash);
  FUZZ_CHECK(block_line, codec::to_json(*reparsed) == codec::to_json(*block));
}
