// A key file's text.
#include "codec/keyfile.hpp"
#include "fuzz.hpp"

using namespace rollup;

FUZZ_TARGET(key_file) {
  auto key = codec::parse_key_file(fuzz::as_text(data), "fuzz.key");
  if (key) FUZZ_CHECK(key_file, crypto::keypair_from_seed(key->seed()).public_key == key->public_key);
}
