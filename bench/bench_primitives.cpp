// Prints the raw rates that bound the executor: Ed25519 verifications/s and RPO permutations/s,
// on one core and on all cores, and the hashing work per transfer measured on a real block; and
// the native sign and verify rates of Schnorr over ECgFp5 (issue #10's key type) beside Ed25519's,
// on the same signing message.
// Usage: bench_primitives [accounts] [transfers-per-block]
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "crypto/crypto.hpp"
#include "ecgfp5/schnorr.hpp"
#include "hash/rpo.hpp"
#include "vm/state.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using Clock = std::chrono::steady_clock;

namespace {
template <typename F>
double per_second(std::size_t iterations, unsigned threads, F&& body) {
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (std::size_t i = t; i < iterations; i += threads) body(i);
    });
  for (auto& th : pool) th.join();
  return iterations / std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

int main(int argc, char** argv) {
  std::uint64_t accounts = argc > 1 ? std::stoull(argv[1]) : 100000;
  std::size_t block_txs = argc > 2 ? std::stoull(argv[2]) : 1024;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  auto key = crypto::dev_key(1);
  auto tx = wallet::sign_transfer(key, crypto::dev_key(2).public_key, 5, 1, 0, vm::RollupParams{1, 1});
  auto msg = tx.signing_message();
  volatile bool sink = true;
  auto verify = [&](std::size_t) { sink = sink & crypto::verify(tx.from, msg, tx.sig); };
  double ed1 = per_second(20000, 1, verify), edn = per_second(40000, cores, verify);
  volatile std::uint8_t signature_sink = 0;  // keeps the signing loops from being optimised away
  auto ed_sign = [&](std::size_t) { signature_sink = signature_sink ^ crypto::sign(key, msg)[0]; };
  double ed_sign1 = per_second(20000, 1, ed_sign);

  const auto schnorr_key = ecgfp5::KeyPair::from_seed(crypto::dev_key(1).seed());
  const ecgfp5::SigningDomain domain{tx.chain_id, tx.namespace_id};
  const auto schnorr_sig = schnorr_key.sign(domain, msg);
  auto schnorr_sign = [&](std::size_t) {
    signature_sink = signature_sink ^ schnorr_key.sign(domain, msg)[0];
  };
  auto schnorr_verify = [&](std::size_t) {
    sink = sink & ecgfp5::verify(schnorr_key.public_key(), domain, msg, schnorr_sig);
  };
  double ec_sign1 = per_second(2000, 1, schnorr_sign), ec_signn = per_second(4000, cores, schnorr_sign);
  double ec_verify1 = per_second(2000, 1, schnorr_verify),
         ec_verifyn = per_second(4000, cores, schnorr_verify);

  auto perm = [&](std::size_t i) {
    hash::State s{};
    s[0] = field::Felt(i);
    for (int k = 0; k < 100; ++k) hash::permute(s);
    sink = sink & (s[4].value() != 0);
  };
  double rpo1 = 100 * per_second(20000, 1, perm), rpon = 100 * per_second(40000, cores, perm);
  // The tree rehashes a level's independent merges side by side (hash::merge_pairs): the rate
  // that bounds tree hashing.
  std::vector<hash::Digest> children(2048), parents(1024);
  for (std::size_t i = 0; i < children.size(); ++i) children[i][0] = field::Felt(i);
  auto batch = [&](std::size_t) {
    hash::merge_pairs(children, parents);
    sink = sink & (parents[0][0].value() != 1);
  };
  double merge1 = 1024 * per_second(400, 1, batch), mergen = 1024 * per_second(800, cores, batch);

  // Hash work of a typical block: transfers among `accounts` accounts, one fee recipient.
  vm::State state;
  std::vector<vm::Account> genesis;
  for (std::uint64_t i = 0; i < accounts; ++i)
    genesis.push_back(vm::Account{crypto::dev_key(i).public_key, 1'000'000, 0});
  state.load_accounts(genesis, cores);
  codec::Block block;
  block.height = 1;
  block.fee_recipient = genesis[0].key;
  codec::NamespaceTxs ns{1, {}, {}};
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> nonces(accounts, 0);
  for (std::size_t i = 0; i < block_txs; ++i) {
    std::uint64_t from = rng() % accounts, to = (from + 1 + rng() % (accounts - 1)) % accounts;
    ns.txs.push_back(wallet::sign_transfer(crypto::dev_key(from), genesis[to].key, 1, 1, nonces[from]++, vm::RollupParams{1, 1}));
  }
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  block.namespaces.push_back(ns);
  block.hash = block.compute_hash();
  std::vector<bool> ok(block_txs, true);
  auto outcome = state.apply_block(block, vm::RollupParams{1, 1}, ok, 1);
  std::size_t leaves = 0, inner = 0;
  for (const auto& n : outcome.node_updates) (n.level == 0 ? leaves : inner)++;
  // A leaf digest absorbs 10 elements (two permutations); each inner node is one merge.
  double perms_per_tx = double(2 * leaves + inner) / block_txs;
  double cpu_seconds_per_tx = 1.0 / ed1 + perms_per_tx / merge1;
  double bound = cores / cpu_seconds_per_tx;

  fmt::print("ed25519 verify/s        {:>12.0f} (1 core)  {:>12.0f} ({} cores)\n", ed1, edn, cores);
  fmt::print("ed25519 sign/s          {:>12.0f} (1 core)\n", ed_sign1);
  fmt::print("ecgfp5 schnorr sign/s   {:>12.0f} (1 core)  {:>12.0f} ({} cores)\n", ec_sign1, ec_signn, cores);
  fmt::print("ecgfp5 schnorr verify/s {:>12.0f} (1 core)  {:>12.0f} ({} cores)\n", ec_verify1, ec_verifyn,
             cores);
  fmt::print("rpo permutations/s      {:>12.0f} (1 core)  {:>12.0f} ({} cores)\n", rpo1, rpon, cores);
  fmt::print("rpo batched merges/s     {:>12.0f} (1 core)  {:>12.0f} ({} cores, kernel {})\n", merge1, mergen,
             cores, hash::backend());
  fmt::print("tree hashing per tx     {:>12.1f} permutations ({} accounts, {}-tx blocks)\n", perms_per_tx,
             accounts, block_txs);
  fmt::print("executor bound          {:>12.0f} transfers/s (signatures + batched tree hashing on {} cores)\n",
             bound, cores);
  return sink ? 0 : 1;
}
