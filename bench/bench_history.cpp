// The history figures of issue #7 on an existing chain (bench/history.sh builds one): an account
// with its Merkle proof at random heights, the prover's pre-state at the tip (what rollup-prove
// does before it starts proving), and the same pre-state rebuilt by replaying from genesis as the
// baseline it replaces.
// Usage: bench_history STATE.db [queries]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "air/witness.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/history.hpp"
#include "vm/query.hpp"

using namespace rollup;
using Clock = std::chrono::steady_clock;

namespace {
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

template <typename T>
T must(Result<T> r) {
  if (!r) {
    fmt::print(stderr, "bench_history: {}\n", r.error().message);
    std::exit(1);
  }
  return std::move(*r);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: bench_history STATE.db [queries]\n");
    return 2;
  }
  const std::size_t queries = argc > 2 ? std::stoul(argv[2]) : 200;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  auto db = must(store::Db::open(argv[1], store::OpenMode::must_exist));
  auto contract = must(l1::open_contract(db));
  const std::uint64_t tip = must(vm::executor_height(db));
  const auto settings = must(vm::history_settings(db));
  vm::HistoryReader reader(db);
  const std::uint64_t accounts = must(reader.account_count(tip)).value_or(0);
  fmt::print("chain: {} blocks, {} accounts, history from height {}\n", tip, accounts, settings.floor);

  std::mt19937_64 rng(1);
  std::vector<double> lat;
  for (std::size_t i = 0; i < queries; ++i) {
    const std::uint64_t h = std::max<std::uint64_t>(1, settings.floor) + rng() % (tip - std::max<std::uint64_t>(1, settings.floor) + 1);
    const std::uint64_t count = must(reader.account_count(h)).value_or(0);
    const std::uint64_t idx = rng() % count;
    auto t = Clock::now();
    auto answer = must(vm::query_account_at(db, *contract, std::nullopt, idx, h, 1));
    lat.push_back(ms_since(t));
    if (!smt::verify_proof(answer.proof, answer.root)) {
      fmt::print(stderr, "bench_history: a proof does not verify\n");
      return 1;
    }
  }
  std::sort(lat.begin(), lat.end());
  fmt::print("account with proof at a random height: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms ({} queries)\n",
             lat[lat.size() / 2], lat[lat.size() * 99 / 100], lat.back(), lat.size());

  auto t = Clock::now();
  vm::State pre = must(vm::state_at(db, *contract, tip, threads));
  const double read_ms = ms_since(t);
  air::ProverState prover(std::move(pre), threads);
  const double ready_ms = ms_since(t);
  fmt::print("prover pre-state at height {} from history: {:.0f} ms (state {:.0f} ms, key tree {:.0f} ms)\n", tip,
             ready_ms, read_ms, ready_ms - read_ms);

  // The baseline: what the prover did before (replay every committed block from genesis).
  auto cfg = must(contract->config());
  const vm::RollupParams params{cfg.chain_id, cfg.namespace_id};
  t = Clock::now();
  std::vector<vm::Account> genesis;
  for (const auto& g : must(contract->genesis())) genesis.push_back(vm::Account{g.key, g.balance, 0});
  vm::State replay;
  replay.load_accounts(genesis, threads);
  for (std::uint64_t h = 1; h <= tip; ++h) {
    auto stored = must(contract->block_at(h));
    auto block = must(codec::parse_block(codec::Json::parse(stored->body)));
    auto sigs = vm::check_signatures(vm::rollup_txs(block, params.namespace_id), params, threads);
    replay.apply_block(block, params, sigs, threads);
  }
  const double replay_ms = ms_since(t);
  fmt::print("the same pre-state replayed from genesis (before): {:.0f} ms; ratio {:.1f}x\n", replay_ms,
             replay_ms / read_ms);
  if (replay.root() != prover.state().root()) {
    fmt::print(stderr, "bench_history: the replayed root differs from the history's\n");
    return 1;
  }
  return 0;
}
