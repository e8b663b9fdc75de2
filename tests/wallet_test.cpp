#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "codec/keyfile.hpp"
#include "vm/state.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

TEST_CASE("the load generator makes transfers that all succeed in order", "[wallet]") {
  std::vector<crypto::AccountKey> keys;
  std::vector<wallet::AccountView> views;
  std::vector<vm::Account> genesis;
  for (std::uint64_t i = 0; i < 12; ++i) {
    keys.push_back(crypto::AccountKey::ed25519(crypto::dev_key(200 + i)));
    views.push_back(wallet::AccountView{i < 6 ? 40u : 0u, 0});  // half of them start empty
    genesis.push_back(vm::Account{keys.back().public_key(), views.back().balance, 0});
  }
  wallet::LoadGenerator gen(keys, views, vm::RollupParams{3, 1}, Catch::rngSeed());
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
                                   vm::check_signatures(ns.txs, vm::RollupParams{3, 1}, 2), 1);
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

TEST_CASE("key files readable by others are refused, as ssh does", "[wallet]") {
  char dir[] = "/tmp/rollup-keys-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string path = std::string(dir) + "/x.key";
  REQUIRE(codec::write_key_file(path, crypto::dev_key(7), false));
  for (mode_t mode : {0644, 0666, 0640, 0604, 0660}) {
    REQUIRE(chmod(path.c_str(), mode) == 0);
    auto refused = codec::read_key_file(path);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::io);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    CHECK(refused.error().message.find(std::string("permissions ") + octal + " for '" + path +
                                       "' are too open") != std::string::npos);
  }
  REQUIRE(chmod(path.c_str(), 0400) == 0);
  CHECK(codec::read_key_file(path));
  std::remove(path.c_str());
  rmdir(dir);
}

TEST_CASE("key files are written atomically and never through a symlink", "[wallet]") {
  char dir[] = "/tmp/rollup-keys-XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string d = dir, target = d + "/target", link = d + "/link.key";
  {
    std::ofstream out(target);
    out << "precious\n";
  }
  REQUIRE(symlink(target.c_str(), link.c_str()) == 0);
  // Without --force a symlink is an existing name, even a dangling one.
  CHECK_FALSE(codec::write_key_file(link, crypto::dev_key(1), false));
  REQUIRE(codec::write_key_file(link, crypto::dev_key(1), true));
  std::ifstream in(target);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(content == "precious\n");
  struct stat st {};
  REQUIRE(lstat(link.c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(codec::read_key_file(link)->public_key == crypto::dev_key(1).public_key);

  // A write that fails half-way (here a file size limit, as a full disk would) leaves neither a
  // key file nor a temporary one, so the retry does not find an empty "existing" key.
  const std::string key = d + "/full.key";
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit tiny = saved;
  tiny.rlim_cur = 16;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &tiny) == 0);
  auto failed = codec::write_key_file(key, crypto::dev_key(2), false);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &saved) == 0);
  std::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == Errc::io);
  std::size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(d)) {
    INFO(e.path());
    ++entries;
  }
  CHECK(entries == 2);  // target and link.key only
  CHECK(codec::write_key_file(key, crypto::dev_key(2), false));
  std::filesystem::remove_all(d);
}
