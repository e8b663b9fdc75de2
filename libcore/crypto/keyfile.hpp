#pragma once
// Key files: one JSON object holding an Ed25519 seed, written with mode 0600 so only its owner
// can read it. Dev keys are derived from a number, for tests, demos and benchmarks only.
#include <string>

#include "crypto/crypto.hpp"

namespace rollup::crypto {

/// Writes `{"kind":"key","v":1,"public_key":"0x…","seed":"0x…"}`; refuses to overwrite an
/// existing file unless `overwrite`.
Status write_key_file(const std::string& path, const KeyPair& key, bool overwrite);
/// Reads a key file and checks that its public key matches its seed.
Result<KeyPair> read_key_file(const std::string& path);

/// The deterministic dev key number `n`: seed = BLAKE2b-256("rollup-tools:dev-key:v1" || u64 n).
/// Anyone can compute these keys: they must never hold real value.
KeyPair dev_key(std::uint64_t n);

}  // namespace rollup::crypto
