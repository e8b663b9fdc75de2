#pragma once
// Key files: one JSON object holding an Ed25519 seed, readable by its owner only. A key file is
// a format, so it lives with the other formats in codec.
#include <string>
#include <string_view>

#include "crypto/crypto.hpp"

namespace rollup::codec {

/// A key file is one short line; anything much longer is not one (and is not read whole).
inline constexpr std::size_t kMaxKeyFileBytes = 4096;

/// Writes `{"kind":"key","v":1,"public_key":"0x…","seed":"0x…"}` with mode 0600, atomically: a
/// temporary file in the same directory is written and synced, then renamed over `path` (so a
/// symlink at `path` is replaced, never followed) or, without `overwrite`, linked to it (so an
/// existing file is never replaced). A failure (a full disk) leaves no file behind.
Status write_key_file(const std::string& path, const crypto::KeyPair& key, bool overwrite);
/// Reads a key file and checks that its public key matches its seed. A file that its group or
/// others may read or write is refused, as ssh does (Errc::io, exit 4): the seed may be known.
Result<crypto::KeyPair> read_key_file(const std::string& path);
/// The text of a key file, `name` used in messages (the fuzz target's entry point too).
Result<crypto::KeyPair> parse_key_file(std::string_view text, const std::string& name);

}  // namespace rollup::codec
