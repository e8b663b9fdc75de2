#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "smt/key_set.hpp"
#include "store/db.hpp"
#include "store/schema.hpp"
#include "vm/executor.hpp"
#include "vm/history.hpp"
#include "vm/query.hpp"
#include "wallet/wallet.hpp"
#include "test_files.hpp"

using namespace rollup;

namespace {

const auto kSequencer = crypto::dev_key(1000);
constexpr vm::RollupParams kRollup{1, 1};
constexpr std::uint64_t kGenesisAccounts = 40;  // more than two level-4 groups of 16

using TempFile = test::TempDir;
using test::must;

/// A rollup on a state file with an executor that stores every block, and an in-memory replay of
/// the same blocks as the reference.
struct Rollup {
  TempFile tmp;
  store::Db db = must(store::Db::open(tmp.path("rollup.db"), store::OpenMode::create_if_missing));
  std::unique_ptr<l1::Contract> contract = must(l1::open_contract(db, []() -> Result<std::uint64_t> { return 1'700'000'000; }));
  std::unique_ptr<vm::Executor> executor;
  std::vector<crypto::KeyPair> keys;
  std::vector<std::uint64_t> nonces;
  std::vector<vm::StateRoot> roots;  ///< the reference root after each height
  vm::State reference;
  Hash32 tip{};
  std::mt19937_64 rng{7};

  Rollup() {
    l1::Config c;
    c.chain_id = kRollup.chain_id;
    c.namespace_id = kRollup.namespace_id;
    c.sequencer = kSequencer.public_key;
    c.dev_mode = true;
    must(contract->init(c, l1::dev_genesis(kGenesisAccounts, 1000)));
    for (std::uint64_t i = 0; i < kGenesisAccounts; ++i) keys.push_back(crypto::dev_key(i));
    nonces.assign(keys.size(), 0);
    std::vector<vm::Account> genesis;
    for (const auto& g : must(contract->genesis())) genesis.push_back(vm::Account{g.key, g.balance, 0});
    reference.load_accounts(genesis, 1);
    roots.push_back(reference.root());
    executor = must(vm::Executor::open(db, *contract, 1, true));
  }

  /// Commits and executes a block of `transfers` random transfers, some to new keys.
  void block(std::size_t transfers) {
    codec::Block b;
    b.height = roots.size();
    b.parent = tip;
    b.timestamp = b.height;
    b.sequencer = kSequencer.public_key;
    b.fee_recipient = kSequencer.public_key;
    codec::NamespaceTxs ns;
    ns.id = kRollup.namespace_id;
    for (std::size_t t = 0; t < transfers; ++t) {
      const std::size_t from = rng() % keys.size();
      PublicKey to;
      if (rng() % 4 == 0) {
        keys.push_back(crypto::dev_key(5000 + keys.size()));
        nonces.push_back(0);
        to = keys.back().public_key;
      } else {
        to = keys[(from + 1 + rng() % (keys.size() - 1)) % keys.size()].public_key;
      }
      ns.txs.push_back(wallet::sign_transfer(keys[from], to, 1 + rng() % 3, 1, nonces[from]++, kRollup));
    }
    ns.tx_hash = codec::tx_list_hash(ns.txs);
    b.namespaces.push_back(ns);
    b.hash = b.compute_hash();
    b.sig = crypto::sign(kSequencer, b.hash);
    must(contract->commit_block(b));
    tip = b.hash;
    must(executor->apply(b));
    must(executor->finish());
    auto signatures = vm::check_signatures(vm::rollup_txs(b, kRollup.namespace_id), kRollup, 1);
    reference.apply_block(b, kRollup, signatures, 1);
    roots.push_back(reference.root());
  }

  /// Verifies the root at `height` on the contract, as an accepted proof would.
  void verify(std::uint64_t height) {
    const vm::State post = must(vm::state_at(db, *contract, height, 1));
    std::vector<PublicKey> post_keys;
    for (std::uint64_t i = 0; i < post.size(); ++i) post_keys.push_back(post.account(i).key);
    const l1::RootRecord last = must(contract->latest_root());
    l1::ProofClaim claim;
    claim.height = last.height + 1;
    claim.block_hash = *must(contract->committed_hash(claim.height));
    claim.pre_root = last.root;
    claim.post_root = hash::digest_bytes(post.root());
    claim.pre_keys = last.keys;
    claim.post_keys = smt::key_set_commitment(post_keys);
    claim.last_height = height;
    // A stand-in for the STARK verifier: this test is about what the executor keeps.
    l1::ProofVerifier accept = [&](std::span<const codec::Block>, const l1::Config&, const l1::ProofClaim& c,
                                   std::span<const std::uint8_t>) -> Result<l1::ProvenEffects> {
      l1::ProvenEffects e;
      e.post_keys = c.post_keys;
      return e;
    };
    must(contract->submit_proof(claim, std::vector<std::uint8_t>{1}, accept));
  }
};

std::int64_t count(store::Db& db, std::string_view sql) {
  auto q = must(db.prepare(sql));
  REQUIRE(must(q.step()));
  return q.column_int64(0);
}

}  // namespace

TEST_CASE("the state at every height is read from history and equals a replay from genesis", "[history]") {
  Rollup r;
  for (int i = 0; i < 12; ++i) r.block(5);
  for (std::uint64_t h = 0; h < r.roots.size(); ++h) {
    const vm::State state = must(vm::state_at(r.db, *r.contract, h, 1));
    CHECK(state.root() == r.roots[h]);
    if (h > 0) CHECK(must(vm::stored_root(r.db, h)) == r.roots[h]);
    // Every account at that height, with a proof against that height's root.
    for (std::uint64_t idx = 0; idx < state.size(); idx += 7) {
      auto answer = must(vm::query_account_at(r.db, *r.contract, std::nullopt, idx, h, 1));
      CHECK(answer.root == r.roots[h]);
      CHECK(answer.account.balance == state.account(idx).balance);
      CHECK(answer.account.nonce == state.account(idx).nonce);
      CHECK(smt::verify_proof(answer.proof, r.roots[h]));
    }
    // An account created later did not exist then.
    const PublicKey later = r.keys.back().public_key;
    if (!state.index_of(later)) CHECK_FALSE(vm::query_account_at(r.db, *r.contract, later, std::nullopt, h, 1));
  }
  auto latest = must(vm::query_account(r.db, std::nullopt, 3));
  CHECK(latest.height == 12);
  CHECK(latest.root == r.roots.back());
  // Genesis is stored once, at height 0; each later row is a value a block wrote.
  CHECK(count(r.db, "SELECT count(*) FROM state_account_history WHERE height = 0") == kGenesisAccounts);
}

TEST_CASE("kept subtrees answer as rebuilt ones do, at every height and at the tip as it moves", "[history]") {
  Rollup r;
  for (int i = 0; i < 4; ++i) r.block(5);
  // Room for a few tip subtrees (16 accounts) but not for a past height's (256): those are
  // rebuilt each time, and a tip subtree pushes out the least recently used.
  vm::SubtreeCache cache(40);
  for (int pass = 0; pass < 2; ++pass) {
    for (std::uint64_t h = 1; h < r.roots.size(); ++h)
      for (std::uint64_t idx = 0; idx < kGenesisAccounts; idx += 3) {
        auto plain = must(vm::query_account_at(r.db, *r.contract, std::nullopt, idx, h, 1));
        auto kept = must(vm::query_account_at(r.db, *r.contract, std::nullopt, idx, h, 1, &cache));
        CHECK(kept.account.balance == plain.account.balance);
        CHECK(kept.account.key == plain.account.key);
        CHECK(kept.proof.leaf == plain.proof.leaf);
        CHECK(kept.proof.siblings == plain.proof.siblings);
        CHECK(smt::verify_proof(kept.proof, r.roots[h]));
      }
  }
  CHECK(cache.hits() > 0);
  // The tip moves: what was kept for the old tip is not used for the new one.
  const auto before = must(vm::query_account(r.db, std::nullopt, 1, &cache));
  r.block(5);
  const auto hits = cache.hits();
  const auto after = must(vm::query_account(r.db, std::nullopt, 1, &cache));
  CHECK(cache.hits() == hits);
  CHECK(after.height == before.height + 1);
  CHECK(after.root == r.roots.back());
  CHECK(smt::verify_proof(after.proof, r.roots.back()));
  CHECK(must(vm::query_account(r.db, std::nullopt, 1, &cache)).proof.leaf == after.proof.leaf);
  CHECK(cache.hits() == hits + 1);
}

TEST_CASE("a height past the executor's tip is applied from the contract; past the contract is refused", "[history]") {
  Rollup r;
  for (int i = 0; i < 3; ++i) r.block(4);
  // A block the contract committed but this executor never saw.
  auto executor = std::move(r.executor);
  executor.reset();
  r.executor = must(vm::Executor::open(r.db, *r.contract, 1, false));  // --dry-run: stores nothing
  r.block(4);
  CHECK(must(vm::executor_height(r.db)) == 3);
  CHECK(must(vm::state_at(r.db, *r.contract, 4, 1)).root() == r.roots[4]);
  auto past = vm::state_at(r.db, *r.contract, 5, 1);
  REQUIRE_FALSE(past);
  CHECK(past.error().code == Errc::rejected);
}

TEST_CASE("pruning keeps every height from the boundary up and raises the floor", "[history]") {
  Rollup r;
  for (int i = 0; i < 10; ++i) r.block(6);
  const auto rows_before = count(r.db, "SELECT count(*) FROM state_node_history") +
                           count(r.db, "SELECT count(*) FROM state_account_history");
  const auto deleted = must(vm::prune_history(r.db, 6));
  CHECK(deleted > 0);
  CHECK(count(r.db, "SELECT count(*) FROM state_node_history") + count(r.db, "SELECT count(*) FROM state_account_history") ==
        rows_before - static_cast<std::int64_t>(deleted));
  CHECK(must(vm::history_settings(r.db)).floor == 6);
  for (std::uint64_t h = 6; h <= 10; ++h) {
    CHECK(must(vm::state_at(r.db, *r.contract, h, 1)).root() == r.roots[h]);
    auto answer = must(vm::query_account_at(r.db, *r.contract, std::nullopt, 1, h, 1));
    CHECK(smt::verify_proof(answer.proof, r.roots[h]));
  }
  // Below the floor the contract's blocks are replayed: slower, still right.
  CHECK(must(vm::state_at(r.db, *r.contract, 3, 1)).root() == r.roots[3]);
  // Pruning again at the same boundary finds nothing more.
  CHECK(must(vm::prune_history(r.db, 6)) == 0);
}

TEST_CASE("the retention never prunes above the last verified root", "[history]") {
  vm::HistorySettings s;
  s.retain = 10;
  CHECK(vm::prune_boundary(s, 100, 50) == 50);
  CHECK(vm::prune_boundary(s, 100, 95) == 90);
  CHECK(vm::prune_boundary(s, 8, 8) == std::nullopt);  // fewer heights than kept
  s.floor = 50;
  CHECK(vm::prune_boundary(s, 100, 50) == std::nullopt);  // already there
  s.retain.reset();                                     // archive
  CHECK(vm::prune_boundary(s, 100000, 100000) == std::nullopt);
}

TEST_CASE("the executor prunes by itself as the chain grows", "[history]") {
  Rollup r;
  must(vm::set_retention(r.db, 2));
  for (std::uint64_t h = 1; h <= vm::kPruneEvery; ++h) {
    r.block(1);
    if (h == vm::kPruneEvery - 10) r.verify(h);
  }
  // At height kPruneEvery the boundary is the verified height (below tip - 2).
  CHECK(must(vm::history_settings(r.db)).floor == vm::kPruneEvery - 10);
  CHECK(must(vm::state_at(r.db, *r.contract, vm::kPruneEvery - 10, 1)).root() == r.roots[vm::kPruneEvery - 10]);
  CHECK(must(vm::state_at(r.db, *r.contract, vm::kPruneEvery, 1)).root() == r.roots.back());
}

TEST_CASE("a snapshot exported at a verified height starts a new state file", "[history]") {
  Rollup r;
  for (int i = 0; i < 6; ++i) r.block(5);
  r.verify(4);
  std::vector<std::string> lines;
  must(vm::export_snapshot(r.db, *r.contract, 4, 1, [&](std::string_view line) -> Status {
    lines.emplace_back(line);
    return {};
  }));
  REQUIRE(lines.size() > kGenesisAccounts);

  // The new node: the same contract (a copy of the file without the executor's tables).
  const std::string fresh = r.tmp.path("fresh.db");
  must(r.db.backup_to(fresh));
  store::Db db = must(store::Db::open(fresh, store::OpenMode::must_exist));
  must(db.exec("DELETE FROM state_accounts; DELETE FROM state_account_history; DELETE FROM state_node_history; DELETE FROM state_nodes; "
             "DELETE FROM state_blocks;"));
  auto contract = must(l1::open_contract(db));

  SECTION("imported, the executor goes on from the snapshot's height") {
    vm::SnapshotImporter importer(db, *contract, 1);
    for (const auto& line : lines) must(importer.add(codec::Json::parse(line)));
    auto imported = must(importer.finish());
    CHECK(imported.height == 4);
    CHECK(imported.root == r.roots[4]);
    CHECK(must(vm::executor_height(db)) == 4);
    auto executor = must(vm::Executor::open(db, *contract, 1, true));
    CHECK(executor->height() == 4);
    while (auto next = must(executor->next_committed())) must(executor->apply(*next));
    must(executor->finish());
    CHECK(must(vm::stored_root(db, 6)) == r.roots[6]);
    CHECK(must(vm::state_at(db, *contract, 5, 1)).root() == r.roots[5]);
    auto below = vm::state_at(db, *contract, 2, 1);
    REQUIRE_FALSE(below);
    CHECK(below.error().message.find("below the snapshot") != std::string::npos);
    // A second import finds the executor's state and refuses.
    vm::SnapshotImporter again(db, *contract, 1);
    for (const auto& line : lines) must(again.add(codec::Json::parse(line)));
    CHECK_FALSE(again.finish());
  }
  SECTION("a tampered balance does not hash to the contract's root") {
    auto tampered = codec::Json::parse(lines[3]);
    tampered["balance"] = tampered["balance"].get<std::uint64_t>() + 1;
    auto header = codec::Json::parse(lines[0]);
    vm::SnapshotImporter importer(db, *contract, 1);
    for (std::size_t i = 0; i < lines.size(); ++i) must(importer.add(i == 3 ? tampered : codec::Json::parse(lines[i])));
    auto refused = importer.finish();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::rejected);
    CHECK(must(vm::executor_height(db)) == 0);
  }
  SECTION("a height the contract has not verified is refused") {
    std::vector<std::string> unverified;
    must(vm::export_snapshot(r.db, *r.contract, 5, 1, [&](std::string_view line) -> Status {
      unverified.emplace_back(line);
      return {};
    }));
    vm::SnapshotImporter importer(db, *contract, 1);
    for (const auto& line : unverified) must(importer.add(codec::Json::parse(line)));
    auto refused = importer.finish();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("no verified root at height 5") != std::string::npos);
  }
  SECTION("lines out of order are refused as they come") {
    vm::SnapshotImporter importer(db, *contract, 1);
    must(importer.add(codec::Json::parse(lines[0])));
    CHECK_FALSE(importer.add(codec::Json::parse(lines[2])));
  }
}

TEST_CASE("a state file of schema 3 is migrated: its history starts at its tip, seq_log keeps uncommitted bodies",
          "[history]") {
  TempFile tmp;
  const std::string path = tmp.path("v3.db");
  test::write_state_file_of_version(
      path, 3,
      "INSERT INTO l1_blocks VALUES (1, X'01', X'00', X'00', 0, 0, '{\"timestamp\":5}', 'x'),"
      "                             (2, X'02', X'01', X'00', 0, 0, '{\"timestamp\":6}', 'x');"
      "INSERT INTO seq_log VALUES (1, X'01', 0, '{\"timestamp\":5}', 'x'), (2, X'aa', 0, '{\"timestamp\":6}', 'x'),"
      "                           (3, X'03', 0, '{\"timestamp\":7}', 'x');"
      "INSERT INTO state_accounts VALUES (0, X'11', 10, 1), (1, X'22', 20, 0);"
      "INSERT INTO state_nodes VALUES (4, 0, X'33'), (32, 0, X'44');"
      "INSERT INTO state_blocks VALUES (1, X'01', X'00', X'00', '{}', 'x'), (2, X'02', X'00', X'44', '{}', 'x');");
  store::Db db = must(store::Db::open(path, store::OpenMode::must_exist));
  CHECK(must(db.schema_version()) == store::kSchemaVersion);
  auto settings = must(vm::history_settings(db));
  CHECK(settings.floor == 2);
  CHECK(settings.retain == vm::kDefaultRetain);
  // The level-4 node is below the stored levels now (vm::kFirstStoredLevel): only the root moves.
  CHECK(count(db, "SELECT count(*) FROM state_node_history WHERE height = 2") == 1);
  CHECK(count(db, "SELECT count(*) FROM state_account_history WHERE height = 2") == 2);
  CHECK(count(db, "SELECT accounts FROM state_blocks WHERE height = 2") == 2);
  CHECK(count(db, "SELECT count(*) FROM state_nodes") == 2);  // the tip's nodes stay where they were
  // Block 1 is on the contract: its body is kept there only. Block 2 was logged with another hash
  // than the contract's (evidence), block 3 not committed yet: both keep their bodies.
  CHECK(count(db, "SELECT count(*) FROM seq_log WHERE body IS NULL") == 1);
  CHECK(count(db, "SELECT height FROM seq_log WHERE body IS NULL") == 1);
  CHECK(count(db, "SELECT timestamp FROM seq_log WHERE height = 3") == 7);
}
