#include <catch2/catch.hpp>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "store/db.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

namespace {
const auto kSequencer = crypto::dev_key(1000);
const auto kAlice = crypto::dev_key(1), kBob = crypto::dev_key(2);

struct Chain {
  store::Db db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  std::unique_ptr<l1::Contract> contract = l1::open_contract(db).value();
  Hash32 tip{};
  std::uint64_t height = 0;
  std::uint64_t deposit_next = 0;

  explicit Chain(std::uint64_t deadline = 4) {
    l1::Config c;
    c.chain_id = 1;
    c.namespace_id = 1;
    c.sequencer = kSequencer.public_key;
    c.deposit_deadline = deadline;
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
    b.hash = b.compute_hash();
    b.sig = crypto::sign(signer, b.hash);
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
  wrong_height.hash = wrong_height.compute_hash();
  wrong_height.sig = crypto::sign(kSequencer, wrong_height.hash);
  CHECK(refusal(chain.contract->commit_block(wrong_height)) == Errc::rejected);

  auto wrong_parent = chain.next();
  wrong_parent.parent[0] ^= 1;
  wrong_parent.hash = wrong_parent.compute_hash();
  wrong_parent.sig = crypto::sign(kSequencer, wrong_parent.hash);
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
  fork.hash = fork.compute_hash();
  fork.sig = crypto::sign(kSequencer, fork.hash);
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
  CHECK(d0->deadline == 4);
  REQUIRE(chain.contract->deposit(kAlice.public_key, kAlice.public_key, 100));
  auto balances = *chain.contract->balances();
  REQUIRE(balances.size() == 1);
  CHECK(balances[0].second == 200);

  // A block that skips the queue head, or alters a deposit, is refused.
  auto skipping = chain.next(1);
  skipping.deposit_first = 1;
  skipping.deposits[0] = chain.contract->deposits_from(1, 1)->at(0).deposit;
  skipping.hash = skipping.compute_hash();
  skipping.sig = crypto::sign(kSequencer, skipping.hash);
  CHECK(refusal(chain.contract->commit_block(skipping)) == Errc::rejected);
  auto altered = chain.next(1);
  altered.deposits[0].amount = 1;
  altered.hash = altered.compute_hash();
  altered.sig = crypto::sign(kSequencer, altered.hash);
  CHECK(refusal(chain.contract->commit_block(altered)) == Errc::rejected);
  chain.commit(chain.next(2));
  CHECK(chain.contract->status()->deposits_consumed == 2);
}

TEST_CASE("a missed deposit deadline freezes the contract and refunds unexecuted deposits", "[l1]") {
  Chain chain(1);
  REQUIRE(chain.contract->fund(kAlice.public_key, 500));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 200));  // deadline 1
  chain.commit(chain.next(0));  // height 1 may still leave it out
  auto late = chain.next(0);    // height 2 may not
  auto r = chain.contract->commit_block(late);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("missed its deadline") != std::string::npos);
  auto cfg = *chain.contract->config();
  CHECK(cfg.frozen);
  CHECK(chain.contract->balances()->at(0).second == 500);  // refunded
  CHECK(refusal(chain.contract->commit_block(chain.next(1))) == Errc::rejected);
  CHECK_FALSE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 1));
}

TEST_CASE("exits need a frozen contract and a proof against the last verified root", "[l1]") {
  Chain chain(0);
  // The genesis tree of three dev accounts with 100 each: prove account 1 in it.
  smt::Tree tree;
  for (std::uint64_t i = 0; i < 3; ++i) tree.set_leaf(i, smt::leaf_digest(crypto::dev_key(i).public_key, 100, 0));
  tree.commit();
  auto proof = tree.proof(1);
  const auto owner = crypto::dev_key(1).public_key;
  CHECK(chain.contract->exit(owner, 100, 0, proof).error().message.find("not frozen") != std::string::npos);

  REQUIRE(chain.contract->fund(kAlice.public_key, 10));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kAlice.public_key, 10));  // deadline 0
  CHECK_FALSE(chain.contract->commit_block(chain.next(0)));                    // freezes
  REQUIRE(chain.contract->config()->frozen);

  CHECK_FALSE(chain.contract->exit(owner, 101, 0, proof));                      // not the leaf
  CHECK_FALSE(chain.contract->exit(crypto::dev_key(2).public_key, 100, 0, proof));  // not the owner
  auto forged = proof;
  forged.siblings[0][0] += field::Felt(1);
  CHECK_FALSE(chain.contract->exit(owner, 100, 0, forged));
  auto paid = chain.contract->exit(owner, 100, 0, proof);
  REQUIRE(paid);
  CHECK(*paid == 100);
  auto twice = chain.contract->exit(owner, 100, 0, proof);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message.find("already exited") != std::string::npos);
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
