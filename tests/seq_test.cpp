#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "seq/sequencer.hpp"
#include "store/db.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

TEST_CASE("fee order puts higher fees first and keeps each sender's nonce order", "[seq]") {
  std::mt19937_64 rng(Catch::rngSeed());
  std::vector<crypto::KeyPair> senders;
  for (int i = 0; i < 5; ++i) senders.push_back(crypto::dev_key(50 + i));
  for (int round = 0; round < 20; ++round) {
    std::vector<codec::Tx> txs;
    std::map<PublicKey, std::uint64_t> nonces;
    for (int i = 0; i < 40; ++i) {
      const auto& s = senders[rng() % senders.size()];
      codec::Tx tx;
      tx.from = s.public_key;
      tx.fee = rng() % 10;
      tx.nonce = nonces[s.public_key]++;
      txs.push_back(tx);
    }
    auto ordered = seq::order_by_fee(txs);
    REQUIRE(ordered.size() == txs.size());
    std::map<PublicKey, std::uint64_t> seen;
    for (const auto& tx : ordered) CHECK(tx.nonce == seen[tx.from]++);  // each sender in order
    // The multiset of fees is kept, and the slots' fees are sorted: slot i holds a tx from the
    // sender that won slot i by fee.
    std::vector<std::uint64_t> in, out;
    for (const auto& tx : txs) in.push_back(tx.fee);
    for (const auto& tx : ordered) out.push_back(tx.fee);
    std::sort(in.begin(), in.end());
    std::sort(out.begin(), out.end());
    CHECK(in == out);
  }
  // With one tx per sender, it is a plain stable sort by fee.
  std::vector<codec::Tx> singles;
  for (int i = 0; i < 5; ++i) {
    codec::Tx tx;
    tx.from = senders[i].public_key;
    tx.fee = static_cast<std::uint64_t>(i % 3);
    singles.push_back(tx);
  }
  auto ordered = seq::order_by_fee(singles);
  for (std::size_t i = 1; i < ordered.size(); ++i) CHECK(ordered[i - 1].fee >= ordered[i].fee);
}

TEST_CASE("the sequencer cuts at max-txs, includes deposits, logs and resumes", "[seq]") {
  const auto key = crypto::dev_key(1000), alice = crypto::dev_key(1);
  auto db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto contract = l1::open_contract(db).value();
  l1::Config c;
  c.chain_id = 9;
  c.namespace_id = 4;
  c.sequencer = key.public_key;
  c.deposit_deadline_s = 3600;
  c.dev_mode = true;
  REQUIRE(contract->init(c, {}));
  REQUIRE(contract->fund(alice.public_key, 100));
  REQUIRE(contract->deposit(alice.public_key, alice.public_key, 60));

  seq::Options options;
  options.max_txs = 2;
  auto s = seq::Sequencer::open(db, *contract, key, options);
  REQUIRE(s);
  CHECK(s->namespace_id() == 4);
  auto tx = wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 4});
  CHECK_FALSE(*s->add(tx, 100));
  CHECK(*s->add(tx, 100));  // the second tx reaches max-txs
  auto wrong_chain = wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{8, 4});
  auto refused = s->add(wrong_chain, 100);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::bad_input);
  auto other_rollup = wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 5});
  refused = s->add(other_rollup, 100);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::bad_input);

  auto sealed = s->cut();
  REQUIRE((sealed && *sealed));
  const auto& b1 = (*sealed)->block;
  CHECK(b1.height == 1);
  CHECK(b1.deposits.size() == 1);
  CHECK(b1.namespaces.at(0).id == 4);
  CHECK(b1.namespaces[0].txs.size() == 2);
  CHECK(crypto::verify(key.public_key, b1.hash, b1.sig));
  CHECK(b1.compute_hash() == b1.hash);
  CHECK(*s->cut() == std::nullopt);  // nothing left: no empty block

  // A restart resumes height and parent from the log; the logged block is still unsubmitted.
  auto restarted = seq::Sequencer::open(db, *contract, key, options);
  REQUIRE(restarted);
  CHECK(restarted->next_height() == 2);
  auto unsubmitted = restarted->unsubmitted_blocks();
  REQUIRE(unsubmitted);
  CHECK(unsubmitted->size() == 1);
  REQUIRE(*restarted->add(tx, 100) == false);
  auto b2 = restarted->cut();
  REQUIRE((b2 && *b2));
  CHECK((*b2)->block.parent == b1.hash);
  CHECK((*b2)->block.deposit_first == 1);
  CHECK((*b2)->block.deposits.empty());

  // Another key is not the contract's sequencer.
  CHECK_FALSE(seq::Sequencer::open(db, *contract, alice, options));
}
