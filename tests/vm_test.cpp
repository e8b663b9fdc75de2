#include <catch2/catch.hpp>

#include <random>

#include "block_builder.hpp"
#include "crypto/crypto.hpp"
#include "vm/state.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using vm::Reason;

namespace {
constexpr std::uint64_t kChain = 5;
constexpr std::uint32_t kNamespace = 2;
const vm::RollupParams kParams{kChain, kNamespace};

using BlockBuilder = test::BasicBlockBuilder<kNamespace>;

vm::BlockOutcome apply(vm::State& s, const codec::Block& b) {
  const auto& txs = vm::rollup_txs(b, kNamespace);
  return s.apply_block(b, kParams, vm::check_signatures(txs, kParams, 2), 2);
}

std::vector<Reason> reasons(const vm::BlockOutcome& o) {
  std::vector<Reason> out;
  for (const auto& r : o.receipts) out.push_back(r.reason);
  return out;
}

const auto alice = crypto::dev_key(1), bob = crypto::dev_key(2), carol = crypto::dev_key(3),
           feeman = crypto::dev_key(4);
}  // namespace

TEST_CASE("deposits give indices in order of first funds and credit balances", "[vm]") {
  vm::State s;
  auto empty_root = s.root();
  auto o = apply(s, BlockBuilder(feeman.public_key).deposit(bob.public_key, 10).deposit(alice.public_key, 5).deposit(bob.public_key, 1).done());
  CHECK(o.pre_root == empty_root);
  CHECK(o.post_root != empty_root);
  CHECK(*s.index_of(bob.public_key) == 0);
  CHECK(*s.index_of(alice.public_key) == 1);
  CHECK(s.account(0).balance == 11);
  CHECK(s.account(1).balance == 5);
  CHECK(reasons(o) == std::vector<Reason>(3, Reason::none));
}

TEST_CASE("a transfer moves amount and fee, creates to then fee recipient", "[vm]") {
  vm::State s;
  apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).done());
  auto o = apply(s, BlockBuilder(feeman.public_key, 2)
                        .tx(wallet::sign_transfer(alice, bob.public_key, 30, 2, 0, kParams))
                        .done());
  REQUIRE(reasons(o) == std::vector<Reason>{Reason::none});
  CHECK(s.account(*s.index_of(alice.public_key)).balance == 68);
  CHECK(s.account(*s.index_of(alice.public_key)).nonce == 1);
  CHECK(*s.index_of(bob.public_key) == 1);
  CHECK(*s.index_of(feeman.public_key) == 2);
  CHECK(s.account(2).balance == 2);
  CHECK(o.touched == std::vector<std::uint64_t>{0, 1, 2});
}

TEST_CASE("every failure reason, in the checking order, changes nothing", "[vm]") {
  vm::State s;
  apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).deposit(carol.public_key, (1ULL << 53) - 5).done());
  auto before = s.root();
  auto bad_sig = wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, kParams);
  bad_sig.sig[0] ^= 1;
  auto wrong_chain = wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, vm::RollupParams{kChain + 1, kNamespace});
  auto unknown = wallet::sign_transfer(bob, alice.public_key, 1, 0, 0, kParams);
  auto self = wallet::sign_transfer(alice, alice.public_key, 1, 0, 0, kParams);
  auto nonce = wallet::sign_transfer(alice, bob.public_key, 1, 0, 7, kParams);
  auto broke = wallet::sign_transfer(alice, bob.public_key, 100, 1, 0, kParams);
  auto overflow = wallet::sign_transfer(alice, carol.public_key, 5, 0, 0, kParams);
  auto withdraw_broke = wallet::sign_withdraw(alice, 101, 0, 0, kParams);
  // bad signature wins over every later check
  auto bad_sig_and_nonce = wallet::sign_transfer(bob, bob.public_key, 1, 0, 9, kParams);
  bad_sig_and_nonce.sig[3] ^= 1;
  auto o = apply(s, BlockBuilder(feeman.public_key, 2)
                        .tx(bad_sig).tx(wrong_chain).tx(unknown).tx(self).tx(nonce).tx(broke)
                        .tx(overflow).tx(withdraw_broke).tx(bad_sig_and_nonce)
                        .done());
  CHECK(reasons(o) == std::vector<Reason>{Reason::bad_signature, Reason::bad_signature,
                                          Reason::unknown_account, Reason::self_transfer,
                                          Reason::bad_nonce, Reason::insufficient_balance,
                                          Reason::balance_overflow, Reason::insufficient_balance,
                                          Reason::bad_signature});
  CHECK(o.post_root == before);
  CHECK(s.size() == 2);  // no failed tx created bob or the fee recipient
  CHECK(o.withdrawals.empty());
}

TEST_CASE("a tx signed for another rollup of the chain fails bad_signature", "[vm]") {
  // Same chain id, another namespace: the signature must not carry over, whether the tx keeps
  // the namespace it was signed for or is relabelled with this rollup's.
  vm::State s;
  apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).done());
  const vm::RollupParams other{kChain, kNamespace + 1};
  auto foreign = wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, other);
  auto relabelled = foreign;
  relabelled.namespace_id = kNamespace;
  CHECK(vm::check_signatures({foreign}, other, 1) == std::vector<bool>{true});
  auto own = wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, kParams);
  auto o = apply(s, BlockBuilder(feeman.public_key, 2).tx(foreign).tx(relabelled).tx(own).done());
  CHECK(reasons(o) == std::vector<Reason>{Reason::bad_signature, Reason::bad_signature, Reason::none});
}

TEST_CASE("fee credit overflow fails the tx; a zero fee creates no fee account", "[vm]") {
  vm::State s;
  apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).deposit(feeman.public_key, (1ULL << 53) - 2).done());
  auto o = apply(s, BlockBuilder(feeman.public_key, 2)
                        .tx(wallet::sign_transfer(alice, bob.public_key, 1, 2, 0, kParams))
                        .done());
  CHECK(reasons(o) == std::vector<Reason>{Reason::balance_overflow});
  vm::State t;
  apply(t, BlockBuilder(carol.public_key).deposit(alice.public_key, 100).done());
  auto z = apply(t, BlockBuilder(carol.public_key, 2).tx(wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, kParams)).done());
  CHECK(reasons(z) == std::vector<Reason>{Reason::none});
  CHECK_FALSE(t.index_of(carol.public_key));
}

TEST_CASE("a deposit that would overflow fails and is not credited", "[vm]") {
  vm::State s;
  auto o = apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, (1ULL << 53) - 1).deposit(alice.public_key, 1).deposit(bob.public_key, 3).done());
  CHECK(reasons(o) == std::vector<Reason>{Reason::none, Reason::balance_overflow, Reason::none});
  CHECK(s.account(0).balance == (1ULL << 53) - 1);
  CHECK(*s.index_of(bob.public_key) == 1);
}

TEST_CASE("withdrawals burn amount, pay the fee and are listed", "[vm]") {
  vm::State s;
  apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).done());
  auto o = apply(s, BlockBuilder(feeman.public_key, 2).tx(wallet::sign_withdraw(alice, 40, 3, 0, kParams)).done());
  REQUIRE(o.withdrawals.size() == 1);
  CHECK(o.withdrawals[0].to == alice.public_key);
  CHECK(o.withdrawals[0].amount == 40);
  CHECK(s.account(0).balance == 57);
  CHECK(s.account(1).balance == 3);
}

TEST_CASE("sender as fee recipient, and recipient as fee recipient", "[vm]") {
  vm::State s;
  apply(s, BlockBuilder(alice.public_key).deposit(alice.public_key, 100).done());
  auto o = apply(s, BlockBuilder(alice.public_key, 2).tx(wallet::sign_transfer(alice, bob.public_key, 10, 5, 0, kParams)).done());
  CHECK(reasons(o) == std::vector<Reason>{Reason::none});
  CHECK(s.account(0).balance == 90);
  auto p = apply(s, BlockBuilder(bob.public_key, 3).tx(wallet::sign_transfer(alice, bob.public_key, 10, 5, 1, kParams)).done());
  CHECK(reasons(p) == std::vector<Reason>{Reason::none});
  CHECK(s.account(1).balance == 25);
}

TEST_CASE("random blocks: applying twice from scratch gives the same roots", "[vm]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::vector<crypto::KeyPair> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(crypto::dev_key(100 + i));
  std::mt19937_64 rng(seed);
  std::vector<codec::Block> blocks;
  std::vector<std::uint64_t> nonces(keys.size(), 0);
  for (std::uint64_t h = 1; h <= 6; ++h) {
    BlockBuilder b(keys[rng() % keys.size()].public_key, h);
    for (int d = 0; d < 3; ++d) b.deposit(keys[rng() % keys.size()].public_key, 1 + rng() % 50);
    for (int t = 0; t < 25; ++t) {
      std::size_t from = rng() % keys.size(), to = rng() % keys.size();
      // a mix of valid and invalid nonces and amounts
      std::uint64_t nonce = rng() % 4 == 0 ? nonces[from] + 1 : nonces[from];
      auto tx = wallet::sign_transfer(keys[from], keys[to].public_key, 1 + rng() % 30, rng() % 3, nonce, kParams);
      b.tx(tx);
      nonces[from] = nonce;  // may be wrong; the STF decides
    }
    blocks.push_back(b.done());
  }
  vm::State first, second;
  std::vector<vm::StateRoot> roots;
  for (const auto& b : blocks) roots.push_back(apply(first, b).post_root);
  for (std::size_t i = 0; i < blocks.size(); ++i) CHECK(apply(second, blocks[i]).post_root == roots[i]);
  // and the tree agrees with a from-scratch hash of the final accounts
  vm::State rebuilt;
  std::vector<vm::Account> accounts;
  for (std::uint64_t i = 0; i < first.size(); ++i) accounts.push_back(first.account(i));
  rebuilt.load_accounts(accounts, 1);
  CHECK(rebuilt.root() == roots.back());
}

TEST_CASE("exec json names receipts by type and reason", "[vm]") {
  vm::State s;
  auto o = apply(s, BlockBuilder(feeman.public_key).deposit(alice.public_key, 10)
                        .tx(wallet::sign_transfer(alice, bob.public_key, 1, 0, 3, kParams)).done());
  auto j = codec::Json::parse(vm::exec_to_json(o));
  CHECK(j["kind"] == "exec");
  CHECK(j["receipts"][0]["type"] == "deposit");
  CHECK(j["receipts"][1]["reason"] == "bad_nonce");
  CHECK(j["pre_root"] == vm::root_hex(o.pre_root));
}
