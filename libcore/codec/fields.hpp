#pragma once
// Strict reading of JSON object fields: every accessor checks type and range, and `finish()`
// rejects fields nobody asked for, so a typo in a field name is an error, not a silent default.
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/bytes.hpp"
#include "core/limits.hpp"

namespace rollup::codec {

using Json = nlohmann::json;

class FieldReader {
 public:
  /// `context` names the object in messages, e.g. "tx" or "deposits[3]".
  FieldReader(const Json& object, std::string context);

  /// An unsigned integer < 2^53 (and >= min).
  Result<std::uint64_t> u53(const char* name, std::uint64_t min = 0);
  Result<std::string> string(const char* name);
  Result<Bytes> hex(const char* name, long length);
  template <std::size_t N>
  Result<std::array<std::uint8_t, N>> hex_fixed(const char* name) {
    auto b = hex(name, static_cast<long>(N));
    if (!b) return std::unexpected(b.error());
    std::array<std::uint8_t, N> out{};
    std::copy(b->begin(), b->end(), out.begin());
    return out;
  }
  /// An account key: 32 bytes (Ed25519) or 40 (ECgFp5); which one the rollup takes is checked
  /// where the rollup is known.
  Result<PublicKey> key(const char* name);
  /// An account signature: 64 bytes (Ed25519) or 80 (ECgFp5).
  Result<Signature> signature(const char* name);
  Result<const Json*> array(const char* name);
  Result<const Json*> object(const char* name);
  bool has(const char* name) const { return object_.contains(name); }
  /// Marks a field as known without reading it (annotations that readers ignore).
  void allow(const char* name) { seen_.insert(name); }
  /// Fails if the object has a field that was not read or allowed.
  Status finish() const;

  Error error(const std::string& field, const std::string& what) const;

 private:
  Result<const Json*> field(const char* name);
  const Json& object_;
  std::string context_;
  std::set<std::string> seen_;
};

/// Nesting deeper than this is bad input: no stream object needs more than a handful of levels,
/// and building a document for a line of 25 million brackets would cost gigabytes.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Parses one JSON text, stricter than RFC 8259 allows a parser to be: a duplicate key (which
/// copy would a reader take?), a NUL byte (nlohmann's lexer reads it as end of input, so text
/// after it would pass unseen), a number no double holds (1e400, a 5,000-digit integer) and
/// nesting deeper than kMaxJsonDepth are bad input like any syntax error.
Result<Json> parse_json(std::string_view text);
/// The tx object's version. Version 2 signs the namespace as well as the chain id; version 1
/// lines are refused, as their signatures could be replayed in every rollup of their chain.
inline constexpr std::uint64_t kTxFormatVersion = 2;
/// Parses one line into a JSON object that has `"kind"` (string) and the kind's current `"v"`
/// (kTxFormatVersion for a tx, 1 or 2 for a block, 1 for every other kind).
Result<Json> parse_stream_object(std::string_view text);
/// The `kind` of an object returned by parse_stream_object.
std::string kind_of(const Json& object);

}  // namespace rollup::codec
