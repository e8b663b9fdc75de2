#include <catch2/catch.hpp>
#include <filesystem>

#include "core/limits.hpp"
#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "air/program.hpp"
#include "air/rollup_air.hpp"
#include "l1/genesis.hpp"
#include "store/db.hpp"
#include "store/schema.hpp"
#include "wallet/wallet.hpp"
#include "test_files.hpp"

using namespace rollup;

namespace {
const auto kSequencer = crypto::dev_key(1000);
const auto kAlice = crypto::dev_key(1), kBob = crypto::dev_key(2);

/// Rehashes an edited block and signs it again, as a sequencer (honest or not) would.
void reseal(codec::Block& b, const crypto::KeyPair& signer = kSequencer) {
  b.hash = b.compute_hash();
  b.sig = crypto::sign(signer, b.hash);
}

struct Chain {
  store::Db db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  std::uint64_t now = 1'700'000'000;  ///< the embedded L1's clock, driven by the test
  std::unique_ptr<l1::Contract> contract =
      l1::open_contract(db, [this]() -> Result<std::uint64_t> { return now; }).value();
  Hash32 tip{};
  std::uint64_t height = 0;
  std::uint64_t deposit_next = 0;

  explicit Chain(std::uint64_t deadline_s = 3600,
                 std::uint64_t max_block_ops = 0,
                 std::uint32_t namespace_id = 1) {
    l1::Config c;
    c.chain_id = 1;
    c.namespace_id = namespace_id;
    c.sequencer = kSequencer.public_key;
    c.deposit_deadline_s = deadline_s;
    c.dev_mode = true;
    c.max_block_ops = max_block_ops;
    REQUIRE(contract->init(c, l1::dev_genesis(3, 100)));
  }
  /// The next block on the tip, consuming `deposits` queue entries, signed by `signer`.
  codec::Block next(std::size_t deposits = 0, const crypto::KeyPair& signer = kSequencer) {
    codec::Block b;
    b.height = height + 1;
    b.parent = tip;
    b.timestamp = 1;
    b.sequencer = signer.public_key;
    b.fee_recipient = signer.public_key;
    b.deposit_first = deposit_next;
    auto queued = *contract->deposits_from(deposit_next, deposits);
    for (const auto& q : queued) b.deposits.push_back(q.deposit);
    reseal(b, signer);
    return b;
  }
  void commit(const codec::Block& b) {
    auto r = contract->commit_block(b);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    tip = b.hash;
    height = b.height;
    deposit_next = b.deposit_end();
  }
};

Errc refusal(const Result<l1::CommitReceipt>& r) {
  REQUIRE_FALSE(r);
  return r.error().code;
}
}  // namespace

TEST_CASE("the contract commits the next block on its parent, signed by its sequencer", "[l1]") {
  Chain chain;
  auto b1 = chain.next();
  chain.commit(b1);
  CHECK(*chain.contract->height() == 1);
  auto again = chain.contract->commit_block(b1);
  REQUIRE(again);
  CHECK(again->already_committed);

  auto wrong_height = chain.next();
  wrong_height.height = 3;
  reseal(wrong_height);
  CHECK(refusal(chain.contract->commit_block(wrong_height)) == Errc::rejected);

  auto wrong_parent = chain.next();
  wrong_parent.parent[0] ^= 1;
  reseal(wrong_parent);
  CHECK(refusal(chain.contract->commit_block(wrong_parent)) == Errc::rejected);

  CHECK(refusal(chain.contract->commit_block(chain.next(0, kAlice))) == Errc::rejected);
  auto bad_sig = chain.next();
  bad_sig.sig[0] ^= 1;
  CHECK(refusal(chain.contract->commit_block(bad_sig)) == Errc::rejected);
  CHECK(chain.contract->status()->equivocations == 0);
}

TEST_CASE("a second signed block at a committed height is recorded as equivocation", "[l1]") {
  Chain chain;
  auto b1 = chain.next();
  chain.commit(b1);
  auto fork = b1;
  fork.timestamp = 2;
  reseal(fork);
  auto r = chain.contract->commit_block(fork);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("equivocation") != std::string::npos);
  CHECK(chain.contract->status()->equivocations == 1);
  CHECK((*chain.contract->block_at(1))->hash == b1.hash);
}

TEST_CASE("deposits move L1 funds into the queue and are consumed in order", "[l1]") {
  Chain chain;
  REQUIRE(chain.contract->fund(kAlice.public_key, 500));
  CHECK_FALSE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 501));
  auto d0 = chain.contract->deposit(kAlice.public_key, kBob.public_key, 200);
  REQUIRE(d0);
  CHECK(d0->deposit.index == 0);
  CHECK(d0->due_at == chain.now + 3600);
  REQUIRE(chain.contract->deposit(kAlice.public_key, kAlice.public_key, 100));
  auto balances = *chain.contract->balances();
  REQUIRE(balances.size() == 1);
  CHECK(balances[0].second == 200);

  // A block that skips the queue head, or alters a deposit, is refused.
  auto skipping = chain.next(1);
  skipping.deposit_first = 1;
  skipping.deposits[0] = chain.contract->deposits_from(1, 1)->at(0).deposit;
  reseal(skipping);
  CHECK(refusal(chain.contract->commit_block(skipping)) == Errc::rejected);
  auto altered = chain.next(1);
  altered.deposits[0].amount = 1;
  reseal(altered);
  CHECK(refusal(chain.contract->commit_block(altered)) == Errc::rejected);
  chain.commit(chain.next(2));
  CHECK(chain.contract->status()->deposits_consumed == 2);
}

TEST_CASE("blocks signed before a deposit land while it is within its deadline in L1 time", "[l1]") {
  Chain chain;  // deadline 1 h
  REQUIRE(chain.contract->fund(kAlice.public_key, 500));
  // A backlog of blocks cut before the deposit existed, each leaving it out.
  std::vector<codec::Block> backlog;
  for (int i = 0; i < 300; ++i) {
    backlog.push_back(chain.next(0));
    chain.tip = backlog.back().hash;
    chain.height = backlog.back().height;
  }
  chain.tip = {};
  chain.height = 0;
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 200));
  chain.now += 3600;  // the last second of the window
  for (const auto& b : backlog) chain.commit(b);
  CHECK(*chain.contract->height() == 300);
  CHECK_FALSE(chain.contract->config()->frozen);
  // Still within the window, nobody may freeze.
  auto early = chain.contract->freeze();
  REQUIRE_FALSE(early);
  CHECK(early.error().message.find("no deposit is overdue") != std::string::npos);
  // The block that consumes it lands at any time.
  chain.now += 100000;
  chain.commit(chain.next(1));
  CHECK(chain.contract->status()->deposits_pending == 0);
  CHECK_FALSE(chain.contract->freeze());
}

TEST_CASE("past its deadline a deposit must be consumed next; then anyone may freeze", "[l1]") {
  Chain chain(60);
  REQUIRE(chain.contract->fund(kAlice.public_key, 500));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 200));
  chain.commit(chain.next(0));  // within the minute
  chain.now += 61;
  auto late = chain.contract->commit_block(chain.next(0));
  REQUIRE_FALSE(late);
  CHECK(late.error().code == Errc::rejected);
  CHECK(late.error().message.find("leaves out deposit 0, overdue") != std::string::npos);
  // Refusing the block is no freeze: that is an explicit call.
  CHECK_FALSE(chain.contract->config()->frozen);
  CHECK(chain.contract->status()->deposits_pending == 1);
  auto reason = chain.contract->freeze();
  REQUIRE(reason);
  CHECK(reason->find("deposit 0 was due") != std::string::npos);
  auto cfg = *chain.contract->config();
  CHECK(cfg.frozen);
  CHECK(chain.contract->balances()->at(0).second == 500);  // refunded
  auto s = *chain.contract->status();
  CHECK(s.deposits_pending == 0);
  CHECK(s.deposits_refunded == 1);
  CHECK(refusal(chain.contract->commit_block(chain.next(1))) == Errc::rejected);
  CHECK_FALSE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 1));
  CHECK(chain.contract->freeze().error().message.find("already frozen") != std::string::npos);
}

TEST_CASE("a block that consumes an overdue deposit is still accepted before a freeze", "[l1]") {
  Chain chain(60);
  REQUIRE(chain.contract->fund(kAlice.public_key, 500));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 200));
  chain.now += 1000;
  chain.commit(chain.next(1));
  CHECK_FALSE(chain.contract->freeze());
}

TEST_CASE("exits need a frozen contract and a proof against the last verified root", "[l1]") {
  Chain chain(0);
  // The genesis tree of three dev accounts with 100 each: prove account 1 in it.
  smt::Tree tree;
  for (std::uint64_t i = 0; i < 3; ++i) tree.set_leaf(i, smt::leaf_digest(crypto::dev_key(i).public_key, 100, 0));
  tree.commit();
  auto proof = tree.proof(1);
  const auto owner = crypto::dev_key(1).public_key;
  CHECK(chain.contract->exit(owner, 100, 0, proof, owner).error().message.find("not frozen") != std::string::npos);

  REQUIRE(chain.contract->fund(kAlice.public_key, 10));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kAlice.public_key, 10));  // deadline 0
  chain.now += 1;
  REQUIRE(chain.contract->freeze());
  REQUIRE(chain.contract->config()->frozen);

  CHECK_FALSE(chain.contract->exit(owner, 101, 0, proof, owner));                      // not the leaf
  CHECK_FALSE(chain.contract->exit(crypto::dev_key(2).public_key, 100, 0, proof, owner));  // not the owner
  auto forged = proof;
  forged.siblings[0][0] += field::Felt(1);
  CHECK_FALSE(chain.contract->exit(owner, 100, 0, forged, owner));
  auto paid = chain.contract->exit(owner, 100, 0, proof, owner);
  REQUIRE(paid);
  CHECK(*paid == 100);
  auto twice = chain.contract->exit(owner, 100, 0, proof, owner);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message.find("already exited") != std::string::npos);

  // An exit that would take its L1 account to 2^53 is refused whole, and can go elsewhere.
  const auto rich = crypto::dev_key(2).public_key;
  REQUIRE(chain.contract->fund(rich, kBalanceLimit - 100));
  auto too_much = chain.contract->exit(rich, 100, 0, tree.proof(2), rich);
  REQUIRE_FALSE(too_much);
  CHECK(too_much.error().message.find("--to") != std::string::npos);
  auto elsewhere = chain.contract->exit(rich, 100, 0, tree.proof(2), crypto::dev_key(7).public_key);
  REQUIRE(elsewhere);
  CHECK(*elsewhere == 100);
}

TEST_CASE("a block's timestamp may not go below its parent's", "[l1]") {
  Chain chain;
  auto b1 = chain.next();
  b1.timestamp = 50;
  reseal(b1);
  chain.commit(b1);
  auto back = chain.next();
  back.timestamp = 49;
  reseal(back);
  auto r = chain.contract->commit_block(back);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("below its parent's") != std::string::npos);
  auto same = chain.next();
  same.timestamp = 50;
  reseal(same);
  chain.commit(same);
}

TEST_CASE("the same equivocation offered twice is stored once", "[l1]") {
  Chain chain;
  auto b1 = chain.next();
  chain.commit(b1);
  auto fork = b1;
  fork.timestamp = 2;
  reseal(fork);
  CHECK_FALSE(chain.contract->commit_block(fork));
  auto again = chain.contract->commit_block(fork);
  REQUIRE_FALSE(again);
  CHECK(again.error().message.find("equivocation") != std::string::npos);
  CHECK(chain.contract->status()->equivocations == 1);
}


TEST_CASE("genesis files and dev genesis", "[l1]") {
  auto dev = l1::dev_genesis(2, 7);
  REQUIRE(dev.size() == 2);
  CHECK(dev[1].key == crypto::dev_key(1).public_key);
  CHECK(l1::check_genesis(dev));
  dev.push_back(dev[0]);
  CHECK_FALSE(l1::check_genesis(dev));
  CHECK(l1::genesis_root({}) == *from_hex_fixed<32>("0x186463f2bcb20fa220a85b08a59689dcd436c9dfcd499b3415f8fe0b1d6c811d"));
}

TEST_CASE("a state file of schema 2 is migrated: deadlines in L1 time, one equivocation row", "[l1]") {
  test::TempDir dir("rollup-l1");
  const std::string path = dir.path("v2.db");
  // The file as a build of schema version 2 left it: its migrations, then its rows.
  const std::string seq = to_hex(kSequencer.public_key).substr(2), alice = to_hex(kAlice.public_key).substr(2);
  test::write_state_file_of_version(
      path, 2,
      "INSERT INTO l1_config(id, chain_id, namespace_id, sequencer, genesis_root, deposit_deadline, "
      "frozen, created_at) VALUES (1, 1, 1, X'" + seq + "', zeroblob(32), 16, 0, '2024-01-01T00:00:00Z');"
      "INSERT INTO l1_deposits VALUES (0, X'" + alice + "', X'" + alice + "', 5, 17, '2024-01-01T10:00:00.000Z', NULL);"
      "INSERT INTO l1_equivocations(height, hash, body, seen_at) VALUES (1, X'" + seq + "', '{}', 'x'), "
      "(1, X'" + seq + "', '{}', 'y');"
      "INSERT INTO l1_roots VALUES (0, zeroblob(32), 'verified', zeroblob(32), 0, 'x');");
  auto db = store::Db::open(path, store::OpenMode::must_exist);
  REQUIRE(db);
  CHECK(*db->schema_version() == store::kSchemaVersion);
  auto contract = l1::open_contract(*db, []() -> Result<std::uint64_t> { return 1'704'103'200; }).value();
  auto cfg = contract->config();
  REQUIRE(cfg);
  CHECK(cfg->deposit_deadline_s == l1::kDefaultDepositDeadline);  // 16 blocks have no length in time
  CHECK(cfg->max_block_ops == l1::kLegacyMaxBlockOps);  // NULL: the fixed cap of that release
  CHECK(cfg->dev_mode);  // the sequencer is dev key 1000: found from the keys
  auto queued = contract->deposits_from(0, 10);
  REQUIRE(queued);
  REQUIRE(queued->size() == 1);
  CHECK(queued->at(0).due_at == 1'704'103'200 + 86400);  // enqueued 2024-01-01T10:00:00Z, due 24 h later
  auto status = contract->status();
  REQUIRE(status);
  CHECK(status->equivocations == 1);
  CHECK(status->deposits_pending == 1);
}

TEST_CASE("a proof's key-set claims must match what the contract holds and the proof shows", "[l1]") {
  Chain chain;
  auto b1 = chain.next();
  chain.commit(b1);
  const l1::RootRecord genesis = *chain.contract->latest_root();
  const smt::KeySetCommitment shown{Hash32{7}, genesis.keys.count + 1};
  // A stand-in for the STARK verifier: the proof shows `shown` as the post key set.
  l1::ProofVerifier verifier = [&](std::span<const codec::Block>, const l1::Config&, const l1::ProofClaim&,
                                   std::span<const std::uint8_t>) -> Result<l1::ProvenEffects> {
    l1::ProvenEffects e;
    e.post_keys = shown;
    return e;
  };
  l1::ProofClaim claim{1, b1.hash, genesis.root, Hash32{9}, genesis.keys, shown, 1};
  auto wrong_pre = claim;
  wrong_pre.pre_keys.count += 1;
  CHECK(chain.contract->submit_proof(wrong_pre, {}, verifier).error().message.find("key set") != std::string::npos);
  auto wrong_post = claim;
  wrong_post.post_keys.root[0] ^= 1;
  auto refused = chain.contract->submit_proof(wrong_post, {}, verifier);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::rejected);
  CHECK(chain.contract->latest_root()->height == 0);
  auto accepted = chain.contract->submit_proof(claim, {}, verifier);
  REQUIRE(accepted);
  CHECK(accepted->keys == shown);
}

TEST_CASE("dev keys need an explicit dev mode, stored in the config", "[l1]") {
  auto db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto contract = l1::open_contract(db).value();
  l1::Config c;
  c.sequencer = kSequencer.public_key;  // dev key 1000
  auto refused = contract->init(c, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::usage);
  CHECK(refused.error().message.find("--dev") != std::string::npos);
  c.sequencer = crypto::keypair_from_seed(Hash32{42}).public_key;
  CHECK_FALSE(l1::is_dev_key(c.sequencer));
  CHECK(contract->init(c, l1::dev_genesis(2, 5)).error().code == Errc::usage);
  REQUIRE(contract->init(c, {}));
  CHECK_FALSE(contract->config()->dev_mode);

  auto dev_db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto dev = l1::open_contract(dev_db).value();
  c.dev_mode = true;
  REQUIRE(dev->init(c, l1::dev_genesis(2, 5)));
  CHECK(dev->config()->dev_mode);
  CHECK(dev->status()->config.dev_mode);
}

namespace {
codec::Tx transfer(const crypto::KeyPair& from, const PublicKey& to) {
  codec::Tx tx;
  tx.chain_id = 1;
  tx.from = from.public_key;
  tx.to = to;
  tx.amount = 1;
  tx.fee = 1;
  tx.sig = crypto::sign(from, tx.signing_message());
  return tx;
}
}  // namespace

TEST_CASE("the work cap counts each tx and deposit at the prover's worst case", "[l1]") {
  // The worst case the contract assumes is what air::build_program emits: a transfer that
  // creates both the recipient and the fee recipient, a deposit that creates its account.
  codec::Block b;
  b.fee_recipient = crypto::dev_key(9).public_key;
  b.deposits.push_back(codec::Deposit{0, kAlice.public_key, kBob.public_key, 5});
  codec::NamespaceTxs ns;
  ns.id = 1;
  ns.txs.push_back(transfer(kAlice, crypto::dev_key(8).public_key));
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  b.namespaces.push_back(ns);
  std::vector<air::ReceiptClaim> claims{{vm::Reason::none, true, false, false},
                                        {vm::Reason::none, true, true, false}};
  auto program = air::build_program(b, vm::RollupParams{1, 1}, {true}, claims);
  REQUIRE(program);
  CHECK(program->ops.size() <= l1::block_ops(b, 1));
  CHECK(l1::block_ops(b, 1) == l1::ops_of(1, 1));
  CHECK(l1::block_ops(b, 2) == l1::ops_of(0, 1));  // another namespace's txs are not ours

  // Transfers to new recipients while the fee recipient's deferred credits are written before
  // each (fees so large that every second one would overflow the sum): 5 ops a tx, and one
  // write at the block's end.
  ns.txs.clear();
  claims.assign(1, {vm::Reason::none, true, false, false});
  for (std::uint64_t i = 0; i < 6; ++i) {
    codec::Tx tx = transfer(kAlice, crypto::dev_key(20 + i).public_key);
    tx.nonce = i;
    tx.amount = 1;
    tx.fee = (std::uint64_t{1} << 52) + i;
    tx.sig = crypto::sign(kAlice, tx.signing_message());
    ns.txs.push_back(tx);
    claims.push_back({vm::Reason::none, true, false, false});
  }
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  b.namespaces = {ns};
  b.fee_recipient = kBob.public_key;
  auto settled = air::build_program(b, vm::RollupParams{1, 1}, std::vector<bool>(6, true), claims);
  REQUIRE(settled);
  CHECK(settled->ops.size() <= l1::block_ops(b, 1));
  CHECK(settled->ops.size() + 3 >= l1::block_ops(b, 1));  // the bound is close to what it bounds
}

TEST_CASE("the work cap follows the prover's trace at the depth of the state's accounts", "[l1]") {
  for (std::uint64_t accounts : {0ull, 62ull, 63ull, 64ull, 16383ull, 16384ull, 99999ull, 1000000ull,
                                 (1ull << 23) - 1, 1ull << 29, (1ull << 30) - 1, 1ull << 30}) {
    INFO(accounts);
    const unsigned depth = l1::prover_depth(accounts);
    CHECK(depth == air::depth_for(accounts + 1));
    if (depth == 0) {
      CHECK(l1::trace_ops_cap(accounts) == 0);
      continue;
    }
    const std::uint64_t cap = l1::trace_ops_cap(accounts);
    CHECK(air::RollupAir::trace_length_for(cap, depth) <= l1::kMaxTraceRows);
    CHECK(air::RollupAir::trace_length_for(cap + 1, depth) > l1::kMaxTraceRows);
  }
  l1::Config config;  // no operator cap
  // The realistic block of the prover's benchmark: 1,024 transfers among a million accounts,
  // and the same up to 2^23 accounts; the deepest tree still takes the old fixed cap's 818.
  CHECK(l1::max_block_txs(1'000'000, config) >= 1024);
  CHECK(l1::block_work_fits(1024, 100, 1'000'000, config));
  CHECK(l1::block_work_fits(1024, 0, (1ull << 23) - 1100, config));
  CHECK_FALSE(l1::block_work_fits(1024, 0, 1ull << 23, config));
  CHECK(l1::max_block_txs(1ull << 29, config) == 716);  // 7/8 of 4095 ops, the rest for deposits
  CHECK(l1::block_work_fits(818, 0, 1ull << 29, config));
  CHECK_FALSE(l1::block_work_fits(819, 0, 1ull << 29, config));
  const std::uint64_t txs = l1::max_block_txs(1'000'000, config);
  const std::uint64_t deposits = l1::max_block_deposits(txs, 1'000'000, config);
  CHECK(deposits > 0);
  CHECK(l1::block_work_fits(txs, deposits, 1'000'000, config));
  CHECK_FALSE(l1::block_work_fits(txs, deposits + 1, 1'000'000, config));
  // An operator's cap binds below the trace's.
  config.max_block_ops = l1::ops_of(2, 0);
  CHECK(l1::max_block_txs(10, config) == 1);
  CHECK(l1::block_work_fits(2, 0, 10, config));
  CHECK_FALSE(l1::block_work_fits(3, 0, 10, config));
  CHECK(l1::check_block_work(3, 0, 10, config).error().message.find("the contract's cap of 13") != std::string::npos);
  config.max_block_ops = 0;
  const auto deep = l1::check_block_work(1024, 0, 1ull << 29, config);
  REQUIRE_FALSE(deep);
  CHECK(deep.error().message.find("at subtree depth 30") != std::string::npos);
}

TEST_CASE("a block over the work cap is refused", "[l1]") {
  Chain chain(3600, l1::ops_of(2, 0));
  auto with_txs = [&](std::size_t n) {
    codec::Block b = chain.next();
    codec::NamespaceTxs ns;
    ns.id = 1;
    for (std::size_t i = 0; i < n; ++i) ns.txs.push_back(transfer(kAlice, kBob.public_key));
    ns.tx_hash = codec::tx_list_hash(ns.txs);
    b.namespaces.push_back(ns);
    reseal(b);
    return b;
  };
  auto over = chain.contract->commit_block(with_txs(3));
  REQUIRE_FALSE(over);
  CHECK(over.error().message.find("over the contract's cap of 13") != std::string::npos);
  chain.commit(with_txs(2));

  l1::Config c;
  c.sequencer = crypto::keypair_from_seed(Hash32{1}).public_key;
  c.max_block_ops = l1::kMaxBlockOps + 1;
  auto db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  CHECK(l1::open_contract(db).value()->init(c, {}).error().code == Errc::usage);
}

TEST_CASE("the accounts bound grows by what each committed block can add", "[l1]") {
  Chain chain;  // 3 genesis accounts, no verified root above genesis
  auto bound = chain.contract->accounts_bound();
  REQUIRE(bound);
  CHECK(bound->height == 0);
  CHECK(bound->accounts == 3);
  REQUIRE(chain.contract->fund(kAlice.public_key, 100));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 5));
  codec::Block b = chain.next(1);
  codec::NamespaceTxs ns;
  ns.id = 1;
  ns.txs = {transfer(kAlice, kBob.public_key), transfer(kAlice, crypto::dev_key(8).public_key)};
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  b.namespaces.push_back(ns);
  reseal(b);
  chain.commit(b);
  chain.commit(chain.next());
  bound = chain.contract->accounts_bound();
  REQUIRE(bound);
  CHECK(bound->height == 2);
  CHECK(bound->accounts == 3 + (2 + 1 + 1) + (0 + 0 + 1));
  // A second contract object on the file sums the same from the stored blocks.
  auto other = l1::open_contract(chain.db).value();
  CHECK(other->accounts_bound()->accounts == bound->accounts);
  CHECK(other->status()->accounts_bound == bound->accounts);
}

TEST_CASE("the contract is opened by the backend its state file names", "[l1]") {
  Chain chain;  // an initialized embedded contract
  auto again = l1::open_contract(chain.db);
  REQUIRE(again);
  CHECK((*again)->config());
  REQUIRE(chain.db.exec("UPDATE l1_config SET backend = 'anvil'"));
  auto other = l1::open_contract(chain.db);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == Errc::usage);
  CHECK(other.error().message.find("'anvil'") != std::string::npos);
}

namespace {
/// A shared (v2) block at `height` on `parent` with an entry per (namespace, first, deposits).
codec::Block shared_block(
    std::uint64_t height, const Hash32& parent,
    std::vector<std::tuple<std::uint32_t, std::uint64_t, std::vector<codec::Deposit>>> entries) {
  codec::Block b;
  b.version = codec::kSharedBlockFormatVersion;
  b.height = height;
  b.parent = parent;
  b.timestamp = 1;
  b.sequencer = kSequencer.public_key;
  b.fee_recipient = kSequencer.public_key;
  for (auto& [id, first, deposits] : entries) {
    codec::NamespaceTxs ns;
    ns.id = id;
    ns.tx_hash = codec::tx_list_hash({});
    ns.deposit_first = first;
    ns.deposits = deposits;
    b.namespaces.push_back(std::move(ns));
  }
  reseal(b);
  return b;
}

std::vector<codec::Deposit> queued(l1::Contract& contract, std::uint64_t first, std::size_t count) {
  std::vector<codec::Deposit> out;
  const auto entries = contract.deposits_from(first, count).value();
  for (const auto& q : entries) out.push_back(q.deposit);
  return out;
}
}  // namespace

TEST_CASE("two contracts commit one shared block, each consuming its own namespace's deposits",
          "[l1]") {
  Chain a(60, 0, 1), b(60, 0, 2);
  for (Chain* chain : {&a, &b}) REQUIRE(chain->contract->fund(kAlice.public_key, 1000));
  REQUIRE(a.contract->deposit(kAlice.public_key, kBob.public_key, 10));
  REQUIRE(a.contract->deposit(kAlice.public_key, kBob.public_key, 11));
  REQUIRE(b.contract->deposit(kAlice.public_key, kAlice.public_key, 20));

  auto b1 =
      shared_block(1, {}, {{1, 0, queued(*a.contract, 0, 2)}, {2, 0, queued(*b.contract, 0, 1)}});
  for (Chain* chain : {&a, &b}) REQUIRE(chain->contract->commit_block(b1));
  auto stored_a = **a.contract->block_at(1), stored_b = **b.contract->block_at(1);
  CHECK(stored_a.deposit_count == 2);
  CHECK(stored_b.deposit_count == 1);
  CHECK(stored_a.record != stored_b.record);  // each record chains its own rollup's deposit range
  CHECK(l1::block_ops(b1, 1) == l1::ops_of(0, 2));
  CHECK(l1::block_ops(b1, 2) == l1::ops_of(0, 1));

  // A block without namespace 1 consumes none of a's queue: a commits it as an empty block.
  REQUIRE(a.contract->deposit(kAlice.public_key, kBob.public_key, 12));
  auto b2 = shared_block(2, b1.hash, {{2, 1, {}}});
  for (Chain* chain : {&a, &b}) REQUIRE(chain->contract->commit_block(b2));
  CHECK((**a.contract->block_at(2)).deposit_first == 2);
  CHECK((**a.contract->block_at(2)).deposit_count == 0);

  // Each contract checks its own entry against its own queue.
  auto skips = shared_block(3, b2.hash, {{1, 3, {}}, {2, 1, {}}});
  auto why = a.contract->commit_block(skips);
  REQUIRE_FALSE(why);
  CHECK(why.error().message.find("consumes deposits from 3, the queue head is 2") !=
        std::string::npos);
  CHECK(b.contract->commit_block(skips));  // b's entry is right
  auto foreign =
      shared_block(3, b2.hash, {{1, 2, queued(*b.contract, 0, 1)}});  // b's deposit under a
  CHECK(refusal(a.contract->commit_block(foreign)) == Errc::rejected);

  // Forced inclusion holds in shared blocks: once a's deposit is overdue, a block must carry it.
  a.now += 61;
  auto late = a.contract->commit_block(shared_block(3, b2.hash, {{2, 1, {}}}));
  REQUIRE_FALSE(late);
  CHECK(late.error().message.find("leaves out deposit 2, overdue") != std::string::npos);
  REQUIRE(a.contract->commit_block(shared_block(3, b2.hash, {{1, 2, queued(*a.contract, 2, 1)}})));
  CHECK(a.contract->status()->deposits_pending == 0);
  // The stored shared blocks check out: bodies, ranges and the record chain.
  CHECK(a.contract->check()->empty());
  CHECK(b.contract->check()->empty());
}
