// The contract's rules that need no ledger: who may sign a block, the work a block carries, dev keys,
// the L1 clock.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
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

unsigned subtree_depth(std::uint64_t positions) {
  for (unsigned d : {6u, 14u})
    if (positions <= (std::uint64_t{1} << d)) return d;
  for (unsigned d = 15; d <= 30; ++d)
    if (positions <= (std::uint64_t{1} << d)) return d;
  return 0;
}

unsigned prover_depth(std::uint64_t accounts) { return subtree_depth(add_saturating(accounts, 1)); }

std::uint64_t trace_ops_cap(std::uint64_t accounts) {
  const unsigned depth = prover_depth(accounts);
  if (depth == 0) return 0;
  return kMaxTraceRows / rows_per_op(depth) - 1;
}

namespace {

std::uint64_t work_cap(std::uint64_t txs, std::uint64_t deposits, std::uint64_t accounts_before,
                       const Config& config) {
  std::uint64_t cap = trace_ops_cap(add_saturating(accounts_before, new_accounts_bound(txs, deposits)));
  if (config.max_block_ops != 0) cap = std::min(cap, config.max_block_ops);
  return cap;
}

// The largest count below `hi` that `fits`, for a `fits` that holds up to some count and not
// beyond, given that it holds for 0 (the caller's to know): 0 when no larger count fits.
template <class Fits>
std::uint64_t largest_fitting(std::uint64_t hi, Fits&& fits) {
  std::uint64_t lo = 0;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

bool block_work_fits(std::uint64_t txs, std::uint64_t deposits, std::uint64_t accounts_before,
                     const Config& config) {
  if (txs > kMaxBlockOps || deposits > kMaxBlockOps) return false;
  return ops_of(txs, deposits) <= work_cap(txs, deposits, accounts_before, config);
}

Status check_block_work(std::uint64_t txs, std::uint64_t deposits, std::uint64_t accounts_before,
                        const Config& config) {
  if (block_work_fits(txs, deposits, accounts_before, config)) return {};
  const std::uint64_t after = add_saturating(accounts_before, new_accounts_bound(txs, deposits));
  const std::uint64_t trace_cap = trace_ops_cap(after);
  std::string why = config.max_block_ops != 0 && config.max_block_ops < trace_cap
                        ? fmt::format("the contract's cap of {} ops", config.max_block_ops)
                        : fmt::format("the {} ops a trace of 2^20 rows holds at subtree depth {} (up to {} accounts "
                                      "after the block)",
                                      trace_cap, prover_depth(after), after);
  return fail(Errc::rejected,
              fmt::format("{} ops of work (txs x {} + deposits x {} + {}), over {}",
                          ops_of(txs, deposits),
                          kMaxOpsPerTx, kMaxOpsPerDeposit, kMaxOpsPerBlock, why));
}

std::uint64_t max_block_txs(std::uint64_t accounts_before, const Config& config) {
  // The largest count whose work stays within seven eighths of the cap, so that deposits (forced
  // inclusion) always find room in the rest. Fitting is monotone in the count.
  auto fits = [&](std::uint64_t t) {
    const std::uint64_t cap = work_cap(t, 0, accounts_before, config);
    return ops_of(t, 0) <= cap - cap / 8;
  };
  if (!fits(0)) return 1;
  return std::max<std::uint64_t>(1, largest_fitting(kMaxBlockOps / kMaxOpsPerTx + 1, fits));
}

std::uint64_t max_block_deposits(std::uint64_t txs, std::uint64_t accounts_before, const Config& config) {
  if (!block_work_fits(txs, 0, accounts_before, config)) return 0;
  return largest_fitting(kMaxBlockOps / kMaxOpsPerDeposit + 1,
                         [&](std::uint64_t d) { return block_work_fits(txs, d, accounts_before, config); });
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
  const auto scheme = crypto::scheme_of_key(key);
  if (!scheme) return false;
  // Built on first use per scheme: 4096 ECgFp5 keys take a fixed-base multiplication each.
  static const auto dev_keys_of = [](crypto::SignatureScheme s) {
    std::set<PublicKey> keys;
    for (std::uint64_t n = 0; n < kDevKeysScanned; ++n) keys.insert(crypto::dev_account_key(s, n).public_key());
    return keys;
  };
  if (*scheme == crypto::SignatureScheme::ed25519) {
    static const std::set<PublicKey> ed25519 = dev_keys_of(crypto::SignatureScheme::ed25519);
    return ed25519.contains(key);
  }
  static const std::set<PublicKey> ecgfp5 = dev_keys_of(crypto::SignatureScheme::ecgfp5);
  return ecgfp5.contains(key);
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
