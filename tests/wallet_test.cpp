#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "codec/keyfile.hpp"
#include "vm/state.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

TEST_CASE("the load generator makes transfers that all succeed in order", "[wallet]") {
  std::vector<crypto::KeyPair> keys;
  std::vector<wallet::AccountView> views;
  std::vector<vm::Account> genesis;
  for (std::uint64_t i = 0; i < 12; ++i) {
    keys.push_back(crypto::dev_key(200 + i));
    views.push_back(wallet::AccountView{i < 6 ? 40u : 0u, 0});  // half of them start empty
    genesis.push_back(vm::Account{keys.back().public_key, views.back().balance, 0});
  }
  wallet::LoadGenerator gen(keys, views, 3, Catch::rngSeed());
  gen.set_amounts(5, 1);
  codec::Block block;
  block.height = 1;
  block.fee_recipient = crypto::dev_key(999).public_key;
  codec::NamespaceTxs ns{1, {}, {}};
  while (auto tx = gen.next()) {
    ns.txs.push_back(*tx);
    if (ns.txs.size() == 300) break;
  }
  REQUIRE(ns.txs.size() > 20);
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  block.namespaces.push_back(ns);
  block.hash = block.compute_hash();
  vm::State state;
  state.load_accounts(genesis, 1);
  auto outcome = state.apply_block(block, vm::RollupParams{3, 1},
                                   vm::check_signatures(ns.txs, 3, 2), 1);
  for (const auto& r : outcome.receipts) CHECK(r.ok());
}

TEST_CASE("key files round-trip with mode 0600 and are checked", "[wallet]") {
  char dir[] = "/tmp/rollup-keys-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string path = std::string(dir) + "/k.key";
  auto key = crypto::dev_key(7);
  REQUIRE(codec::write_key_file(path, key, false));
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto back = codec::read_key_file(path);
  REQUIRE(back);
  CHECK(back->public_key == key.public_key);
  auto exists = codec::write_key_file(path, key, false);
  REQUIRE_FALSE(exists);
  CHECK(exists.error().code == Errc::usage);
  CHECK(codec::write_key_file(path, crypto::dev_key(8), true));
  CHECK(codec::read_key_file(path)->public_key == crypto::dev_key(8).public_key);
  {
    std::ofstream out(path);
    out << R"({"kind":"key","v":1,"public_key":")" << to_hex(crypto::dev_key(9).public_key)
        << R"(","seed":")" << to_hex(key.seed()) << "\"}\n";
  }
  auto mismatch = codec::read_key_file(path);
  REQUIRE_FALSE(mismatch);
  CHECK(mismatch.error().code == Errc::bad_input);
  CHECK_FALSE(codec::read_key_file(std::string(dir) + "/missing.key"));
  std::remove(path.c_str());
  rmdir(dir);
  CHECK(crypto::dev_key(1).public_key != crypto::dev_key(2).public_key);
  CHECK(crypto::dev_key(1).public_key == crypto::dev_key(1).public_key);
}
