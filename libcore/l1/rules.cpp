// The contract's rules that need no ledger: who may sign a block, the work a block carries, dev keys,
// the L1 clock.
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <set>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"

namespace rollup::l1 {

namespace {

// Tools hand out dev keys by small numbers (rollup-keygen --dev N, the tests' sequencer is 1000):
// a key among the first ones is a dev key for any practical purpose.
constexpr std::uint64_t kDevKeysScanned = 4096;

Result<std::uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty() || text.size() > 19) return fail(Errc::usage, "not a number");
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return fail(Errc::usage, "not a number");
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

std::uint64_t block_ops(const codec::Block& block, std::uint32_t namespace_id) {
  const auto* ns = block.find_namespace(namespace_id);
  return ops_of(ns ? ns->txs.size() : 0, block.deposits_of(namespace_id).deposits.size());
}

Status check_sequencer_signature(const codec::Block& b, const PublicKey& sequencer) {
  if (b.sequencer != sequencer)
    return fail(Errc::rejected, "block is signed by " + to_hex(b.sequencer) + ", not the registered sequencer " +
                                    to_hex(sequencer));
  if (!crypto::verify(b.sequencer, b.hash, b.sig))
    return fail(Errc::rejected, fmt::format("block {}: bad sequencer signature", b.height));
  return {};
}

bool is_dev_key(const PublicKey& key) {
  static const std::set<PublicKey> dev_keys = [] {
    std::set<PublicKey> keys;
    for (std::uint64_t n = 0; n < kDevKeysScanned; ++n) keys.insert(crypto::dev_key(n).public_key);
    return keys;
  }();
  return dev_keys.contains(key);
}

Result<std::uint64_t> l1_time() {
  if (const char* forced = std::getenv("ROLLUP_L1_TIME"); forced != nullptr) {
    auto t = parse_unsigned(forced);
    if (!t) return fail(Errc::usage, "ROLLUP_L1_TIME must be unix seconds, not '" + std::string(forced) + "'");
    return *t;
  }
  return static_cast<std::uint64_t>(std::time(nullptr));
}

Result<std::uint64_t> parse_duration(std::string_view text) {
  std::uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0;
    }
    if (unit != 0) text.remove_suffix(1);
    else unit = 1;
  }
  auto n = parse_unsigned(text);
  if (!n || *n > UINT64_MAX / unit / 2)
    return fail(Errc::usage, "a duration is N, Ns, Nm, Nh or Nd (seconds, minutes, hours, days)");
  return *n * unit;
}

}  // namespace rollup::l1
