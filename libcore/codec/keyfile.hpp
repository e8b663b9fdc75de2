#pragma once
// Key files: one JSON object holding an Ed25519 seed, written with mode 0600 so only its owner
// can read it. A key file is a format, so it lives with the other formats in codec.
#include <string>

#include "crypto/crypto.hpp"

namespace rollup::codec {

/// Writes `{"kind":"key","v":1,"public_key":"0x…","seed":"0x…"}`; refuses to overwrite an
/// existing file unless `overwrite`.
Status write_key_file(const std::string& path, const crypto::KeyPair& key, bool overwrite);
/// Reads a key file and checks that its public key matches its seed.
Result<crypto::KeyPair> read_key_file(const std::string& path);

}  // namespace rollup::codec
