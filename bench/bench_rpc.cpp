// rpc::Node without HTTP: how many rollup_getProof and rollup_sendTransaction calls one thread
// answers per second, to tell the node's own cost from the HTTP server's (bench/serve.sh).
// Usage: bench_rpc [ACCOUNTS] [CALLS]   (run by hand)
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "rpc/node.hpp"
#include "seq/sequencer.hpp"
#include "store/db.hpp"
#include "vm/executor.hpp"
#include "vm/query.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

int main(int argc, char** argv) {
  const std::uint64_t accounts = argc > 1 ? std::stoull(argv[1]) : 20000;
  const std::uint64_t calls = argc > 2 ? std::stoull(argv[2]) : 20000;
  const std::string dir =
      std::filesystem::temp_directory_path() / fmt::format("bench-rpc-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bench.db";
  const auto sequencer_key = crypto::dev_key(4'000'000'000);
  const vm::RollupParams params{1, 1};
  {
    auto db = store::Db::open(path, store::OpenMode::create_if_missing).value();
    auto contract = l1::open_contract(db).value();
    l1::Config c;
    c.chain_id = params.chain_id;
    c.namespace_id = params.namespace_id;
    c.sequencer = sequencer_key.public_key;
    c.dev_mode = true;
    if (!contract->init(c, l1::dev_genesis(accounts, 1'000'000))) return 1;
    // One block, so that the executor's tables hold every account.
    auto sequencer = seq::Sequencer::open(db, *contract, sequencer_key, {}).value();
    (void)sequencer.add(
        wallet::sign_transfer(crypto::dev_key(0), crypto::dev_key(1).public_key, 1, 0, 0, params),
        300);
    auto block = sequencer.cut().value().value().block;
    if (!contract->commit_block(block)) return 1;
    auto executor = vm::Executor::open(db, *contract, 2, true).value();
    if (!executor->apply(block) || !executor->finish()) return 1;
  }
  auto node = rpc::Node::open(path, {}).value();
  std::mt19937_64 rng(1);
  std::vector<std::string> keys;
  for (std::uint64_t i = 0; i < std::min<std::uint64_t>(accounts, 5000); ++i)
    keys.push_back(to_hex(crypto::dev_key(i).public_key));
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  for (std::uint64_t i = 0; i < calls; ++i) {
    auto body = fmt::format(
        R"({{"jsonrpc":"2.0","id":1,"method":"rollup_getProof","params":["{}","latest"]}})",
        keys[rng() % keys.size()]);
    if (!node->handle(body)) return 1;
  }
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print("rollup_getProof: {:.0f} calls/s on one thread ({:.1f} us each) over {} accounts\n",
             calls / s, s / calls * 1e6, accounts);
  // The same reads through vm::query_account alone: what the node adds is the rest.
  {
    auto db = store::Db::open(path, store::OpenMode::read_only).value();
    start = Clock::now();
    for (std::uint64_t i = 0; i < calls; ++i) {
      auto key = from_hex_fixed<32>(keys[rng() % keys.size()]).value();
      if (!vm::query_account(db, key, std::nullopt)) return 1;
    }
    s = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print("vm::query_account alone: {:.0f} calls/s on one thread ({:.1f} us each)\n",
               calls / s, s / calls * 1e6);
  }
  // Sends, one at a time: each waits for its own commit (the worst case of the group commit).
  std::vector<std::string> bodies;
  for (std::uint64_t i = 0; i < calls / 10; ++i)
    bodies.push_back(
        fmt::format(R"({{"jsonrpc":"2.0","id":1,"method":"rollup_sendTransaction","params":[{}]}})",
                    codec::to_json(wallet::sign_transfer(crypto::dev_key(2 + i % 1000),
                                                         crypto::dev_key(1).public_key, 1, 0,
                                                         1 + i / 1000, params))));
  start = Clock::now();
  for (const auto& body : bodies) node->handle(body);
  s = std::chrono::duration<double>(Clock::now() - start).count();
  fmt::print(
      "rollup_sendTransaction: {:.0f} calls/s on one thread ({:.1f} us each, one commit each)\n",
      bodies.size() / s, s / bodies.size() * 1e6);
  node.reset();
  std::filesystem::remove_all(dir);
}
