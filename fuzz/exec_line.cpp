// An exec line, as the prover and the contract read it.
#include "fuzz.hpp"
#include "vm/state.hpp"

using namespace rollup;

FUZZ_TARGET(exec_line) {
  auto object = codec::parse_stream_object(fuzz::as_text(data));
  if (!object) return;
  (void)vm::parse_exec_claim(*object);
}
