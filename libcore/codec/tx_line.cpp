// The fast path for tx lines: the sequencer reads one per tx and a general JSON parser costs
// more than everything else it does. This scanner accepts only a plain subset of JSON (one flat
// object, string values without escapes, unsigned integer values) and only lines that are valid
// tx objects; for anything else it gives up, and the caller takes the general path, which
// parses every JSON text and produces the diagnostics. So it can never accept what the general
// path refuses, nor decide differently (tests/codec_test.cpp holds the two against each other).
#include "core/limits.hpp"
#include "codec/objects.hpp"
#include "crypto/crypto.hpp"

#include <algorithm>

namespace rollup::codec {

namespace {

struct Scanner {
  std::string_view s;
  std::size_t i = 0;
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  /// A string without escapes or control characters.
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    std::size_t start = i;
    while (i < s.size() && s[i] != '"') {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '\\' || c < 0x20) return false;
      ++i;
    }
    if (i == s.size()) return false;
    out = s.substr(start, i - start);
    ++i;
    return true;
  }
  /// An unsigned integer below 2^53 in plain JSON form (no leading zeros, no fraction/exponent).
  bool number(std::uint64_t& out) {
    ws();
    std::size_t start = i;
    std::uint64_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (v >= kBalanceLimit) return false;
      ++i;
    }
    std::size_t len = i - start;
    if (len == 0 || (len > 1 && s[start] == '0')) return false;
    if (i < s.size() && (s[i] == '.' || s[i] == 'e' || s[i] == 'E')) return false;
    out = v;
    return true;
  }
};

// A key (32 or 40 bytes) or a signature (64 or 80 bytes); which lengths go together is checked
// once the whole line is read, as parse_tx does.
template <typename T, std::size_t K>
bool hex_field(std::string_view text, T& out, const std::array<std::size_t, K>& sizes) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x' || text.size() % 2 != 0) return false;
  const std::size_t bytes = (text.size() - 2) / 2;
  if (std::find(sizes.begin(), sizes.end(), bytes) == sizes.end()) return false;
  T value = T::zero(bytes);
  if (!decode_hex_into(text.substr(2), std::span<std::uint8_t>(value.data(), bytes))) return false;
  out = value;
  return true;
}

}  // namespace

std::optional<Tx> parse_tx_line_fast(std::string_view line) {
  Scanner sc{line};
  if (!sc.eat('{')) return std::nullopt;
  enum : unsigned { kKind = 1, kV = 2, kType = 4, kChain = 8, kFrom = 16, kTo = 32, kAmount = 64,
                    kFee = 128, kNonce = 256, kSig = 512, kNamespace = 1024 };
  unsigned seen = 0;
  Tx tx;
  bool withdraw = false;
  for (bool first = true;; first = false) {
    if (!first && !sc.eat(',')) break;
    std::string_view key, text;
    std::uint64_t number = 0;
    if (!sc.string(key) || !sc.eat(':')) return std::nullopt;
    unsigned bit = 0;
    bool ok = false;
    if (key == "kind") {
      bit = kKind;
      ok = sc.string(text) && text == "tx";
    } else if (key == "v") {
      bit = kV;
      ok = sc.number(number) && number == kTxFormatVersion;
    } else if (key == "type") {
      bit = kType;
      ok = sc.string(text) && (text == "transfer" || text == "withdraw");
      withdraw = text == "withdraw";
    } else if (key == "chain_id") {
      bit = kChain;
      ok = sc.number(tx.chain_id);
    } else if (key == "namespace") {
      bit = kNamespace;
      ok = sc.number(number) && number <= 0xFFFFFFFFu;
      tx.namespace_id = static_cast<std::uint32_t>(number);
    } else if (key == "from") {
      bit = kFrom;
      ok = sc.string(text) && hex_field(text, tx.from, kAccountKeySizes);
    } else if (key == "to") {
      bit = kTo;
      ok = sc.string(text) && hex_field(text, tx.to, kAccountKeySizes);
    } else if (key == "amount") {
      bit = kAmount;
      ok = sc.number(tx.amount) && tx.amount >= 1;
    } else if (key == "fee") {
      bit = kFee;
      ok = sc.number(tx.fee);
    } else if (key == "nonce") {
      bit = kNonce;
      ok = sc.number(tx.nonce);
    } else if (key == "sig") {
      bit = kSig;
      ok = sc.string(text) && hex_field(text, tx.sig, kSignatureSizes);
    }
    if (!ok || (seen & bit)) return std::nullopt;  // unknown key, bad value or duplicate
    seen |= bit;
  }
  if (!sc.eat('}')) return std::nullopt;
  sc.ws();
  if (sc.i != line.size()) return std::nullopt;
  tx.type = withdraw ? TxType::withdraw : TxType::transfer;
  unsigned required = kKind | kV | kType | kChain | kNamespace | kFrom | kAmount | kFee | kNonce | kSig;
  if (seen != (withdraw ? required : required | kTo)) return std::nullopt;
  // parse_tx's rules on lengths and encodings; any doubt goes to the general path.
  const auto scheme = crypto::scheme_of_key(tx.from);
  if (!scheme || tx.sig.size() != crypto::signature_size(*scheme)) return std::nullopt;
  if (!withdraw && tx.to.size() != tx.from.size()) return std::nullopt;
  if (*scheme != crypto::SignatureScheme::ed25519 &&
      (!crypto::check_key_encoding(tx.from, "from") || (!withdraw && !crypto::check_key_encoding(tx.to, "to"))))
    return std::nullopt;
  return tx;
}

}  // namespace rollup::codec
