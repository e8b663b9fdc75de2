#pragma once
// Key files: one JSON object holding a 32-byte seed and the scheme it is a key of (Ed25519 when
// the file names none, as every file from before schemes), readable by its owner only. A key
// file is a format, so it lives with the other formats in codec.
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
/// An ECgFp5 key's file also has `"scheme":"ecgfp5"` after "v"; an Ed25519 key's has none.
Status write_key_file(const std::string& path, const crypto::KeyPair& key, bool overwrite);
Status write_key_file(const std::string& path, const crypto::AccountKey& key, bool overwrite);
/// Reads a key file and checks that its public key matches its seed. A file that its group or
/// others may read or write is refused, as ssh does (Errc::io, exit 4): the seed may be known.
/// An account key of either scheme.
Result<crypto::AccountKey> read_account_key_file(const std::string& path);
/// An Ed25519 key (a sequencer's): an ECgFp5 key file is bad input.
Result<crypto::KeyPair> read_key_file(const std::string& path);
/// The text of a key file, `name` used in messages (the fuzz target's entry point too).
Result<crypto::AccountKey> parse_account_key_file(std::string_view text, const std::string& name);
Result<crypto::KeyPair> parse_key_file(std::string_view text, const std::string& name);

}  // namespace rollup::codec
