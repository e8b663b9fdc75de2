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

TEST_CASE("the sequencer's accounts bound counts the blocks it logged that the contract has not committed",
          "[seq]") {
  const auto key = crypto::dev_key(1000), alice = crypto::dev_key(1);
  auto db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto contract = l1::open_contract(db).value();
  l1::Config c;
  c.chain_id = 9;
  c.namespace_id = 4;
  c.sequencer = key.public_key;
  c.dev_mode = true;
  REQUIRE(contract->init(c, l1::dev_genesis(3, 100)));
  REQUIRE(contract->fund(alice.public_key, 100));
  REQUIRE(contract->deposit(alice.public_key, alice.public_key, 60));
  auto s = seq::Sequencer::open(db, *contract, key, seq::Options{});
  REQUIRE(s);
  CHECK(s->accounts_bound() == 3);
  for (std::uint64_t nonce : {0, 1})
    REQUIRE_FALSE(*s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, nonce, vm::RollupParams{9, 4}), 100));
  auto b1 = s->cut();
  REQUIRE((b1 && *b1));
  CHECK(s->accounts_bound() == 3 + 2 + 1 + 1);  // two txs, a deposit, the fee recipient
  REQUIRE(*s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 2, vm::RollupParams{9, 4}), 100) == false);
  auto b2 = s->cut();
  REQUIRE((b2 && *b2));
  CHECK(s->accounts_bound() == 7 + 1 + 1);
  // A restart reads the logged blocks the contract has not committed from the log.
  auto restarted = seq::Sequencer::open(db, *contract, key, seq::Options{});
  REQUIRE(restarted);
  CHECK(restarted->accounts_bound() == 9);
  // Once the contract holds them, its own bound counts them, the same.
  REQUIRE(contract->commit_block((*b1)->block));
  REQUIRE(contract->commit_block((*b2)->block));
  CHECK(contract->accounts_bound()->accounts == 9);
  auto after_commit = seq::Sequencer::open(db, *contract, key, seq::Options{});
  REQUIRE(after_commit);
  CHECK(after_commit->accounts_bound() == 9);
}

namespace {
/// A rollup's contract on its own (in-memory) state file, with `key` as its sequencer.
struct RollupFile {
  store::Db db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  std::unique_ptr<l1::Contract> contract = l1::open_contract(db).value();
  RollupFile(std::uint32_t namespace_id, const crypto::KeyPair& key,
             crypto::SignatureScheme scheme = crypto::SignatureScheme::ed25519) {
    l1::Config c;
    c.chain_id = 9;
    c.namespace_id = namespace_id;
    c.sequencer = key.public_key;
    c.dev_mode = true;
    c.sig_scheme = scheme;
    REQUIRE(contract->init(c, {}));
    REQUIRE(contract->fund(crypto::dev_key(1).public_key, 1000));
  }
  void deposit(std::uint64_t amount) {
    const auto alice = crypto::dev_key(1).public_key;
    REQUIRE(contract->deposit(alice, alice, amount));
  }
};

std::vector<std::tuple<std::uint32_t, std::size_t, std::uint64_t, std::size_t>> entries(
    const codec::Block& b) {
  std::vector<std::tuple<std::uint32_t, std::size_t, std::uint64_t, std::size_t>> out;
  for (const auto& ns : b.namespaces)
    out.emplace_back(ns.id, ns.txs.size(), ns.deposit_first, ns.deposits.size());
  return out;
}
using Entries = std::vector<std::tuple<std::uint32_t, std::size_t, std::uint64_t, std::size_t>>;
}  // namespace

TEST_CASE(
    "a shared sequencer signs one block stream for several rollups, each with its own deposits",
    "[seq]") {
  const auto key = crypto::dev_key(1000), alice = crypto::dev_key(1);
  RollupFile a(4, key), b(7, key);
  a.deposit(10);
  b.deposit(20);
  b.deposit(21);
  auto log = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto open = [&] {
    return seq::Sequencer::open_shared(
        log, {{"b.db", b.contract.get()}, {"a.db", a.contract.get()}}, key, {});
  };
  auto s = open();
  REQUIRE(s);
  CHECK(s->shared());
  CHECK(s->namespace_id() == 4);  // served in namespace order, whatever the order given

  CHECK_FALSE(
      *s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 7}), 100));
  CHECK_FALSE(
      *s->add(wallet::sign_transfer(alice, key.public_key, 2, 0, 0, vm::RollupParams{9, 4}), 100));
  CHECK_FALSE(
      *s->add(wallet::sign_transfer(alice, key.public_key, 3, 0, 1, vm::RollupParams{9, 7}), 100));
  auto unserved =
      s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 5}), 100);
  REQUIRE_FALSE(unserved);
  CHECK(unserved.error().code == Errc::bad_input);
  CHECK(unserved.error().message.find("not a namespace this sequencer serves (4, 7)") !=
        std::string::npos);
  auto wrong_chain =
      s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{8, 7}), 100);
  REQUIRE_FALSE(wrong_chain);
  CHECK(wrong_chain.error().code == Errc::bad_input);

  auto sealed = s->cut();
  REQUIRE((sealed && *sealed));
  const codec::Block b1 = (*sealed)->block;
  CHECK(b1.version == codec::kSharedBlockFormatVersion);
  CHECK(entries(b1) == Entries{{4, 1, 0, 1}, {7, 2, 0, 2}});
  CHECK(b1.namespaces[1].txs[0].amount == 1);  // arrival order within a namespace
  CHECK(b1.namespaces[1].txs[1].amount == 3);
  CHECK(crypto::verify(key.public_key, b1.hash, b1.sig));
  // The line a rollup reads is the block: both contracts commit it.
  auto line = codec::parse_block(codec::Json::parse((*sealed)->line));
  REQUIRE(line);
  CHECK(line->hash == b1.hash);
  REQUIRE(a.contract->commit_block(b1));
  REQUIRE(b.contract->commit_block(b1));

  // A deposit on b alone: the next block has b's entry only.
  b.deposit(22);
  CHECK(*s->deposits_pending());
  auto b2 = s->cut();
  REQUIRE((b2 && *b2));
  CHECK(entries((*b2)->block) == Entries{{7, 0, 2, 1}});
  CHECK(*s->cut() == std::nullopt);

  // A restart before anyone committed block 2: b's queue position comes from the logged body,
  // a's from its contract; block 2 is emitted again.
  s = open();
  REQUIRE(s);
  CHECK(s->next_height() == 3);
  CHECK(s->unsubmitted_blocks()->size() == 1);
  a.deposit(11);
  b.deposit(23);
  auto b3 = s->cut();
  REQUIRE((b3 && *b3));
  CHECK(entries((*b3)->block) == Entries{{4, 0, 1, 1}, {7, 0, 3, 1}});
  CHECK((*b3)->block.parent == (*b2)->block.hash);
}

TEST_CASE("a shared sequencer refuses rollups it cannot serve", "[seq]") {
  const auto key = crypto::dev_key(1000), other = crypto::dev_key(1001), alice = crypto::dev_key(1);
  auto log = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto refusal = [&](std::vector<seq::ServedRollup> rollups, seq::Options options = {}) {
    auto s = seq::Sequencer::open_shared(log, std::move(rollups), key, options);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == Errc::usage);
    return s.error().message;
  };
  RollupFile a(4, key), same_namespace(4, key), foreign(5, other), alone(6, key);
  CHECK(refusal({{"a.db", a.contract.get()}, {"a2.db", same_namespace.contract.get()}})
            .find("a.db and a2.db are both namespace 4") != std::string::npos);
  CHECK(refusal({{"a.db", a.contract.get()}, {"f.db", foreign.contract.get()}})
            .find("f.db: this key") != std::string::npos);
  seq::Options with_namespace;
  with_namespace.namespace_id = 4;
  CHECK(refusal({{"a.db", a.contract.get()}}, with_namespace).find("not --namespace") !=
        std::string::npos);
  CHECK(refusal({}).find("at least one rollup") != std::string::npos);

  // A rollup that a single-rollup sequencer served before holds version 1 blocks.
  {
    auto single = seq::Sequencer::open(alone.db, *alone.contract, key, {});
    REQUIRE(single);
    REQUIRE(
        *single->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 6}),
                     100) == false);
    auto block = single->cut();
    REQUIRE((block && *block));
    REQUIRE(alone.contract->commit_block((*block)->block));
  }
  CHECK(refusal({{"a.db", a.contract.get()}, {"alone.db", alone.contract.get()}})
            .find("alone.db: its block 1 is a single rollup's (version 1)") != std::string::npos);
}

TEST_CASE("a shared sequencer checks each tx against its own rollup's signature scheme", "[seq][sigscheme]") {
  const auto key = crypto::dev_key(1000), alice = crypto::dev_key(1);
  const auto carol = crypto::dev_account_key(crypto::SignatureScheme::ecgfp5, 3),
             dave = crypto::dev_account_key(crypto::SignatureScheme::ecgfp5, 4);
  RollupFile ed(4, key), ec(5, key, crypto::SignatureScheme::ecgfp5);
  auto log = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  auto s = seq::Sequencer::open_shared(log, {{"ed.db", ed.contract.get()}, {"ec.db", ec.contract.get()}}, key, {});
  REQUIRE(s);
  const vm::RollupParams ed_rollup{9, 4, crypto::SignatureScheme::ed25519}, ec_rollup{9, 5, crypto::SignatureScheme::ecgfp5};
  CHECK_FALSE(*s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, ed_rollup), 100));
  CHECK_FALSE(*s->add(wallet::sign_transfer(carol, dave.public_key(), 1, 0, 0, ec_rollup), 100));
  // Each the other's way round: bad input, naming the scheme.
  auto ed_in_ec = s->add(wallet::sign_transfer(alice, key.public_key, 1, 0, 0, vm::RollupParams{9, 5}), 100);
  REQUIRE_FALSE(ed_in_ec);
  CHECK(ed_in_ec.error().code == Errc::bad_input);
  CHECK(ed_in_ec.error().message == "tx.from: a 32-byte ed25519 key, but this rollup's accounts are ecgfp5 keys of 40 bytes");
  auto ec_in_ed = s->add(wallet::sign_transfer(carol, dave.public_key(), 1, 0, 0, vm::RollupParams{9, 4}), 100);
  REQUIRE_FALSE(ec_in_ed);
  CHECK(ec_in_ed.error().message.find("40-byte ecgfp5 key") != std::string::npos);
  auto sealed = s->cut();
  REQUIRE((sealed && *sealed));
  CHECK(entries((*sealed)->block) == Entries{{4, 1, 0, 0}, {5, 1, 0, 0}});
  REQUIRE(ed.contract->commit_block((*sealed)->block));
  REQUIRE(ec.contract->commit_block((*sealed)->block));
}

TEST_CASE("an ecgfp5 rollup's sequencer needs a fee recipient of its scheme", "[seq][sigscheme]") {
  const auto key = crypto::dev_key(1000);
  RollupFile ec(5, key, crypto::SignatureScheme::ecgfp5);
  auto own_key = seq::Sequencer::open(ec.db, *ec.contract, key, {});
  REQUIRE_FALSE(own_key);
  CHECK(own_key.error().code == Errc::usage);
  CHECK(own_key.error().message.find("give --fee-recipient") != std::string::npos);
  seq::Options options;
  options.fee_recipient = crypto::dev_account_key(crypto::SignatureScheme::ecgfp5, 9).public_key();
  CHECK(seq::Sequencer::open(ec.db, *ec.contract, key, options));
}
