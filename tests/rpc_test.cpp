// rollup-serve's node without HTTP: JSON-RPC dispatch and errors, the methods against a real
// state file, the mempool table with the sequencer taking from it, the group commit, and the
// schema 5 migration; the client of rollup-query/verify/bisect --rpc over a live HTTP server; and
// the explorer page the HTTP side serves at /.

#include <catch2/catch.hpp>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include "crypto/crypto.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "rpc/explorer.hpp"
#include "rpc/mempool_writer.hpp"
#include "rpc/client.hpp"
#include "rpc/http.hpp"
#include "rpc/node.hpp"
#include "rpc/remote.hpp"
#include "seq/mempool.hpp"
#include "seq/sequencer.hpp"
#include "store/db.hpp"
#include "store/schema.hpp"
#include "vm/executor.hpp"
#include "wallet/wallet.hpp"
#include "test_data.hpp"
#include "test_files.hpp"

using namespace rollup;
using codec::Json;

namespace {


using test::must;
using ServeDir = test::TempDir;

const crypto::KeyPair kSequencerKey = crypto::dev_key(1000);
constexpr vm::RollupParams kParams{7, 3};

/// A state file with a contract (dev genesis: keys 0..3 with 1000 each) and the sequencer,
/// contract and executor of a pipeline on their own connection, as the tools have.
struct LiveRollup {
  ServeDir dir;
  std::string path = dir.path("rollup.db");
  store::Db db = must(store::Db::open(path, store::OpenMode::create_if_missing));
  std::unique_ptr<l1::Contract> contract = must(l1::open_contract(db));

  LiveRollup() {
    l1::Config c;
    c.chain_id = kParams.chain_id;
    c.namespace_id = kParams.namespace_id;
    c.sequencer = kSequencerKey.public_key;
    c.dev_mode = true;
    must(contract->init(c, l1::dev_genesis(4, 1000)));
  }
  codec::Tx transfer(std::uint64_t from, std::uint64_t to, std::uint64_t nonce,
                     std::uint64_t amount = 5) {
    return wallet::sign_transfer(crypto::dev_key(from), crypto::dev_key(to).public_key, amount, 1,
                                 nonce, kParams);
  }
};

Json call(rpc::Node& node, const std::string& body) {
  auto answer = node.handle(body);
  REQUIRE(answer);
  INFO(*answer);
  return Json::parse(*answer);
}
Json request(const char* method, Json params, Json id = 1) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}
int error_code(const Json& answer) {
  INFO(answer.dump());
  REQUIRE(answer.contains("error"));
  return answer["error"]["code"].get<int>();
}
Json result_of(const Json& answer) {
  INFO(answer.dump());
  REQUIRE(answer.contains("result"));
  return answer["result"];
}
Json tx_object(const codec::Tx& tx) { return Json::parse(codec::to_json(tx)); }

}  // namespace

TEST_CASE(
    "JSON-RPC dispatch: parse errors, invalid requests, unknown methods, bad params, batches, "
    "limits",
    "[rpc]") {
  LiveRollup rollup;
  rpc::NodeOptions options;
  options.max_batch = 3;
  options.max_body_bytes = 4096;
  auto node = must(rpc::Node::open(rollup.path, options));
  auto code = [&](const std::string& body) { return error_code(call(*node, body)); };

  CHECK(code("{") == -32700);
  CHECK(code("") == -32700);
  CHECK(code("\xff\xfe") == -32700);
  CHECK(code(R"({"a":1,"a":2})") == -32700);  // duplicate keys are not JSON this node takes
  CHECK(code("17") == -32600);
  CHECK(code("[]") == -32600);
  CHECK(code(R"({"id":1,"method":"rollup_status"})") == -32600);  // no jsonrpc
  CHECK(code(R"({"jsonrpc":"1.0","id":1,"method":"rollup_status"})") == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":5})") == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":{},"method":"rollup_status"})") == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_status","params":3})") == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_status","extra":3})") == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"eth_call"})") == -32601);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_status","params":[1]})") == -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getAccount","params":[]})") == -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getAccount","params":["0x12"]})") ==
        -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getAccount","params":{"key":"0x12"}})") ==
        -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getBlock","params":["soon"]})") == -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getBlock","params":[1, "yes"]})") ==
        -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getReceipts","params":[-1]})") == -32602);
  CHECK(
      code(
          R"({"jsonrpc":"2.0","id":1,"method":"rollup_sendTransaction","params":[{"kind":"tx"}]})") ==
      -32602);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"rollup_getBlock","params":[5]})") == -32001);
  CHECK(code(std::string(5000, ' ')) == -32600);  // over the body limit
  CHECK(
      code(
          R"([{"jsonrpc":"2.0","id":1,"method":"rollup_status"},{"jsonrpc":"2.0","id":2,"method":"rollup_status"},
                {"jsonrpc":"2.0","id":3,"method":"rollup_status"},{"jsonrpc":"2.0","id":4,"method":"rollup_status"}])") ==
      -32600);

  // The id comes back as given; a notification gets no answer, even for an error.
  auto answer = call(*node, R"({"jsonrpc":"2.0","id":"abc","method":"rollup_status"})");
  CHECK(answer["id"] == "abc");
  CHECK(result_of(answer)["chain_id"] == kParams.chain_id);
  CHECK(call(*node, R"({"jsonrpc":"2.0","id":null,"method":"rollup_status"})")["id"].is_null());
  CHECK_FALSE(node->handle(R"({"jsonrpc":"2.0","method":"rollup_status"})"));
  CHECK_FALSE(node->handle(R"({"jsonrpc":"2.0","method":"nope"})"));
  CHECK_FALSE(node->handle(R"([{"jsonrpc":"2.0","method":"rollup_status"}])"));

  // A batch: one answer per request with an id, in order, errors and results mixed.
  auto batch = call(*node, R"([{"jsonrpc":"2.0","id":1,"method":"rollup_status"},
                              {"jsonrpc":"2.0","method":"rollup_status"}, 5])");
  REQUIRE(batch.is_array());
  REQUIRE(batch.size() == 2);
  CHECK(batch[0]["id"] == 1);
  CHECK(batch[0].contains("result"));
  CHECK(batch[1]["error"]["code"] == -32600);
  CHECK(batch[1]["id"].is_null());
}

TEST_CASE("no input crashes the node: random bytes and mutated requests all get an answer",
          "[rpc]") {
  LiveRollup rollup;
  auto node = must(rpc::Node::open(rollup.path, {}));
  std::mt19937_64 rng(Catch::rngSeed());
  INFO("seed " << Catch::rngSeed());
  const std::vector<std::string> seeds = {
      request("rollup_getAccount", {to_hex(crypto::dev_key(1).public_key), "latest"}).dump(),
      request("rollup_getBlock", {"latest", true}).dump(),
      request("rollup_sendTransaction", {tx_object(rollup.transfer(1, 2, 0))}).dump(),
      request("rollup_getTransaction", {to_hex(Hash32{})}).dump(),
      R"([{"jsonrpc":"2.0","id":1,"method":"rollup_status"}])"};
  for (int i = 0; i < 2000; ++i) {
    std::string body = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0:
          body[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          body.erase(at, 1 + rng() % 8);
          break;
        default:
          body.insert(at, 1, "{}[]\",:0-e9x\\"[rng() % 14]);
      }
    }
    auto answer = node->handle(body);
    if (!answer) continue;  // a notification
    auto parsed = Json::parse(*answer, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
  }
}

TEST_CASE("the mempool: sends are checked and stored, the sequencer takes them, statuses move on",
          "[rpc][seq]") {
  LiveRollup rollup;
  auto node = must(rpc::Node::open(rollup.path, {}));
  auto send = [&](const codec::Tx& tx) {
    return call(*node, request("rollup_sendTransaction", {tx_object(tx)}).dump());
  };
  auto status_of = [&](const std::string& hash) {
    return result_of(call(*node, request("rollup_getTransaction", {hash}).dump()));
  };

  const codec::Tx first = rollup.transfer(1, 2, 0), second = rollup.transfer(1, 3, 1),
                  overdraft = rollup.transfer(2, 3, 0, 5000);
  const std::string first_hash = result_of(send(first))["hash"];
  CHECK(first_hash == to_hex(first.id()));
  CHECK(result_of(send(first))["new"] == false);  // sent twice: stored once, same hash
  const std::string second_hash = result_of(send(second))["hash"];
  const std::string overdraft_hash = result_of(send(overdraft))["hash"];
  CHECK(status_of(first_hash)["status"] == "pending");
  CHECK(status_of(first_hash)["height"].is_null());
  CHECK(result_of(call(*node, request("rollup_status", Json::array()).dump()))["mempool"] == 3);

  // Refused: other chain, other namespace, forged signature; the "kind" member may be left out.
  CHECK(error_code(send(wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 5,
                                              1, 0, {8, 3}))) == -32002);
  CHECK(error_code(send(wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 5,
                                              1, 0, {7, 4}))) == -32002);
  codec::Tx forged = rollup.transfer(1, 2, 5);
  forged.amount = 6;
  CHECK(error_code(send(forged)) == -32002);
  Json without_kind = tx_object(rollup.transfer(3, 2, 0));
  without_kind.erase("kind");
  CHECK(call(*node, request("rollup_sendTransaction", {without_kind}).dump()).contains("result"));
  CHECK(error_code(call(*node, request("rollup_getTransaction", {to_hex(Hash32{})}).dump())) ==
        -32001);

  // The sequencer takes the pending txs in arrival order and marks them in the block it logs.
  std::optional<seq::Sequencer> sequencer(
      must(seq::Sequencer::open(rollup.db, *rollup.contract, kSequencerKey, {})));
  auto pulled = must(sequencer->pull_mempool());
  CHECK(pulled.taken == 4);
  CHECK(must(sequencer->pull_mempool()).taken == 0);  // not taken twice
  auto sealed = must(sequencer->cut());
  REQUIRE(sealed);
  REQUIRE(sealed->block.namespaces.at(0).txs.size() == 4);
  CHECK(sealed->block.namespaces[0].txs[0].id() == first.id());
  auto moved = status_of(second_hash);
  CHECK(moved["status"] == "sequenced");
  CHECK(moved["height"] == 1);
  CHECK(moved["index"] == 1);
  CHECK(must(seq::mempool_pending_count(rollup.db)) == 0);

  // Committed: the tx leaves the mempool when the sequencer next logs a block or starts.
  must(rollup.contract->commit_block(sealed->block));
  CHECK(status_of(second_hash)["status"] == "committed");
  CHECK(must(seq::mempool_find(rollup.db, second.id()))->in_mempool);
  sequencer.reset();
  sequencer.emplace(must(seq::Sequencer::open(rollup.db, *rollup.contract, kSequencerKey, {})));
  CHECK_FALSE(must(seq::mempool_find(rollup.db, second.id()))->in_mempool);

  // Executed: ok, or rejected with the receipt's reason.
  auto executor = must(vm::Executor::open(rollup.db, *rollup.contract, 1, true));
  must(executor->apply(sealed->block));
  must(executor->finish());
  CHECK(status_of(first_hash)["status"] == "executed");
  auto failed = status_of(overdraft_hash);
  CHECK(failed["status"] == "rejected");
  CHECK(failed["reason"] == "insufficient_balance");

  // The account answers: latest, with and without the proof; the nonce check now refuses nonce 0.
  auto account = result_of(
      call(*node, request("rollup_getAccount", {to_hex(crypto::dev_key(1).public_key)}).dump()));
  CHECK(account["nonce"] == 2);
  CHECK(account["height"] == 1);
  CHECK_FALSE(account.contains("siblings"));
  auto proof = result_of(
      call(*node, request("rollup_getProof", {to_hex(crypto::dev_key(1).public_key), 1}).dump()));
  CHECK(proof["kind"] == "account");
  CHECK(proof["siblings"].size() == 32);
  CHECK(proof["root"] == account["root"]);
  auto genesis = result_of(
      call(*node, request("rollup_getAccount", {to_hex(crypto::dev_key(1).public_key), 0}).dump()));
  CHECK(genesis["balance"] == 1000);
  CHECK(genesis["nonce"] == 0);
  CHECK(error_code(send(rollup.transfer(1, 2, 1))) == -32002);

  // Blocks and receipts.
  auto block = result_of(call(*node, request("rollup_getBlock", {"latest", true}).dump()));
  CHECK(block["height"] == 1);
  CHECK(block["status"] == "executed");
  CHECK(block["tx_count"] == 4);
  CHECK(block["txs"][0] == first_hash);
  CHECK(block["block"]["kind"] == "block");
  auto receipts = result_of(call(*node, request("rollup_getReceipts", {1}).dump()));
  CHECK(receipts["kind"] == "exec");
  CHECK(error_code(call(*node, request("rollup_getBlockProof", {1}).dump())) == -32001);
  auto status = result_of(call(*node, request("rollup_status", Json::array()).dump()));
  CHECK(status["sequenced"] == 1);
  CHECK(status["committed"] == 1);
  CHECK(status["executed"] == 1);
  CHECK(status["verified"] == 0);
}

TEST_CASE(
    "the sequencer puts each sender's mempool txs taken together in nonce order, in their arrival "
    "slots",
    "[rpc][seq]") {
  LiveRollup rollup;
  auto node = must(rpc::Node::open(rollup.path, {}));
  // Arrival: a2, b0, a0, a1: alice's three go into slots 0, 2, 3 as a0, a1, a2; bob keeps slot 1.
  const std::vector<codec::Tx> arrival = {rollup.transfer(1, 3, 2), rollup.transfer(2, 3, 0),
                                          rollup.transfer(1, 3, 0), rollup.transfer(1, 3, 1)};
  for (const auto& tx : arrival)
    result_of(call(*node, request("rollup_sendTransaction", {tx_object(tx)}).dump()));
  auto sequencer = must(seq::Sequencer::open(rollup.db, *rollup.contract, kSequencerKey, {}));
  CHECK(must(sequencer.pull_mempool()).taken == 4);
  auto sealed = must(sequencer.cut());
  REQUIRE(sealed);
  const auto& txs = sealed->block.namespaces.at(0).txs;
  REQUIRE(txs.size() == 4);
  CHECK(txs[0].id() == arrival[2].id());
  CHECK(txs[1].id() == arrival[1].id());
  CHECK(txs[2].id() == arrival[3].id());
  CHECK(txs[3].id() == arrival[0].id());
  auto executor = must(vm::Executor::open(rollup.db, *rollup.contract, 1, true));
  must(rollup.contract->commit_block(sealed->block));
  must(executor->apply(sealed->block));
  must(executor->finish());
  for (const auto& tx : arrival) {
    auto status =
        result_of(call(*node, request("rollup_getTransaction", {to_hex(tx.id())}).dump()));
    CHECK(status["status"] == "executed");
  }
}

TEST_CASE(
    "group commit: concurrent sends share transactions and each is acknowledged after its commit",
    "[rpc]") {
  LiveRollup rollup;
  auto writer = must(rpc::MempoolWriter::open(rollup.path, 4096));
  constexpr int kThreads = 8, kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> acknowledged{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        codec::Tx tx = rollup.transfer(static_cast<std::uint64_t>(t % 4),
                                       static_cast<std::uint64_t>((t + 1) % 4),
                                       static_cast<std::uint64_t>(t * 1000 + i));
        seq::MempoolSubmission s{tx, tx.id(), codec::to_json(tx)};
        auto added = writer->append(std::move(s));
        if (added && *added) ++acknowledged;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(acknowledged == kThreads * kPerThread);
  CHECK(writer->commits() <= static_cast<std::uint64_t>(kThreads * kPerThread));
  CHECK(must(seq::mempool_pending_count(rollup.db)) == kThreads * kPerThread);
  writer->stop();
  codec::Tx late = rollup.transfer(1, 2, 99);
  auto refused = writer->append(seq::MempoolSubmission{late, late.id(), codec::to_json(late)});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::io);
}

TEST_CASE("a state file of schema 4 is migrated to 5: it gains an empty mempool", "[rpc][store]") {
  ServeDir dir;
  const std::string path = dir.path("v4.db");
  test::write_state_file_of_version(path, 4, "INSERT INTO seq_log VALUES (1, X'01', 0, 5, NULL, 'x');");
  store::Db db = must(store::Db::open(path, store::OpenMode::must_exist));
  CHECK(must(db.schema_version()) == store::kSchemaVersion);
  CHECK(must(seq::mempool_pending_count(db)) == 0);
  CHECK(must(seq::logged_height(db)) == 1);
  const codec::Tx tx =
      wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 1, 0, 0, kParams);
  auto transaction = must(db.begin_immediate());
  std::vector<seq::MempoolSubmission> txs{{tx, tx.id(), codec::to_json(tx)}};
  CHECK(must(seq::mempool_append(db, txs)) == std::vector<bool>{true});
  must(transaction.commit());
  CHECK(must(seq::mempool_pending(db, 0, 10)).size() == 1);
}

namespace {
/// rollup-serve's HTTP server on a free loopback port, serving on its own thread.
struct LiveServer {
  std::unique_ptr<rpc::Node> node;
  std::unique_ptr<rpc::HttpServer> http;
  std::thread thread;
  std::string url;
  explicit LiveServer(const std::string& db_path) {
    node = must(rpc::Node::open(db_path, {}));
    rpc::HttpOptions options;
    options.port = 0;
    options.threads = 4;
    http = std::make_unique<rpc::HttpServer>(*node, options);
    url = "http://127.0.0.1:" + std::to_string(must(http->bind()));
    thread = std::thread([this] { (void)http->listen(); });
  }
  ~LiveServer() {
    http->stop();
    thread.join();
  }
};
}  // namespace

TEST_CASE("the client: results, the server's errors and an unreachable server, each told apart",
          "[rpc]") {
  LiveRollup rollup;
  LiveServer server(rollup.path);
  auto client = must(rpc::Client::open(server.url));
  auto status = must(client.call("rollup_status", Json::array()));
  CHECK(status["chain_id"] == kParams.chain_id);
  CHECK(status["committed"] == 0);

  auto unknown = client.call("rollup_getAccount", Json::array({to_hex(crypto::dev_key(77).public_key)}));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::rejected);
  CHECK_THAT(unknown.error().message, Catch::Contains("rollup_getAccount") && Catch::Contains("-32001"));
  auto no_method = client.call("rollup_nothing", Json::array());
  REQUIRE_FALSE(no_method);
  CHECK(no_method.error().code == Errc::io);

  CHECK(rpc::Client::open("ftp://127.0.0.1:1").error().code == Errc::usage);
  CHECK(rpc::Client::open("https://127.0.0.1:1").error().code == Errc::usage);
  // Port 1 on loopback: nothing listens there.
  auto nobody = must(rpc::Client::open("http://127.0.0.1:1", std::chrono::seconds(2)));
  auto unreachable = nobody.call("rollup_status", Json::array());
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.error().code == Errc::io);
  CHECK_THAT(unreachable.error().message, Catch::Contains("cannot reach the server"));
}

TEST_CASE("a server's account answer is held to the contract's root: a changed balance, leaf or "
          "sibling fails the check",
          "[rpc][vm]") {
  LiveRollup rollup;
  LiveServer server(rollup.path);
  auto client = must(rpc::Client::open(server.url));
  const PublicKey key = crypto::dev_key(2).public_key;
  auto answer = must(rpc::fetch_account(client, key, 0));
  CHECK(answer.account.balance == 1000);
  CHECK(must(vm::check_against_contract(*rollup.contract, answer)).valid);

  auto balance_lie = answer;
  balance_lie.account.balance += 1;
  auto verdict = must(vm::check_against_contract(*rollup.contract, balance_lie));
  CHECK_FALSE(verdict.valid);
  CHECK_THAT(verdict.reason, Catch::Contains("leaf is not the hash"));

  auto sibling_lie = answer;
  sibling_lie.proof.siblings[5] = sibling_lie.proof.siblings[6];
  verdict = must(vm::check_against_contract(*rollup.contract, sibling_lie));
  CHECK_FALSE(verdict.valid);
  CHECK_THAT(verdict.reason, Catch::Contains("does not lead to the contract's root"));

  // An account the server does not hold: its refusal, told apart from a lie or a dead server.
  auto other = rpc::fetch_account(client, crypto::dev_key(9).public_key, 0);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == Errc::rejected);
}

// ---- the explorer page (GET /) --------------------------------------------------------------

namespace {

std::string repository_file(const std::string& relative) {
  // The repository holds tests/data.
  std::ifstream in(std::filesystem::path(test::data_path("")) / ".." / ".." / relative,
                   std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const rpc::EmbeddedFile* explorer_file(std::string_view name) {
  for (const auto& file : rpc::explorer_files())
    if (file.name == name) return &file;
  return nullptr;
}

}  // namespace

TEST_CASE("the explorer's files are in the binary byte for byte as in libcore/rpc/explorer/",
          "[rpc][explorer]") {
  REQUIRE(rpc::explorer_files().size() == 3);
  for (const auto& file : rpc::explorer_files()) {
    INFO(file.name);
    CHECK(file.body == repository_file("libcore/rpc/explorer/" + std::string(file.name)));
  }
  REQUIRE(explorer_file("index.html"));
}

TEST_CASE("the explorer page loads only its own embedded files, nothing from elsewhere",
          "[rpc][explorer]") {
  const std::string page(explorer_file("index.html")->body);
  // Every src= and href= names an embedded file or a fragment of the page itself.
  const std::regex reference(R"re((?:src|href)="([^"]*)")re");
  int references = 0;
  for (std::sregex_iterator it(page.begin(), page.end(), reference), end; it != end; ++it) {
    const std::string target = (*it)[1];
    INFO(target);
    CHECK((target.starts_with("#") || explorer_file(target) != nullptr));
    ++references;
  }
  CHECK(references >= 3);  // the style sheet, the script, the home link
  for (const auto& file : rpc::explorer_files()) {
    INFO(file.name);
    CHECK(file.body.find("http://") == std::string_view::npos);
    CHECK(file.body.find("https://") == std::string_view::npos);
    // No inline script or style: the policy the server sends would block them.
    if (file.name == "index.html") {
      CHECK(file.body.find("<style") == std::string_view::npos);
      CHECK(file.body.find(" style=") == std::string_view::npos);
      CHECK(file.body.find("<script>") == std::string_view::npos);
    }
  }
  // The script puts what the server says into the page as text only.
  const std::string_view script = explorer_file("explorer.js")->body;
  CHECK(script.find("innerHTML") == std::string_view::npos);
  CHECK(script.find("outerHTML") == std::string_view::npos);
  CHECK(script.find("insertAdjacentHTML") == std::string_view::npos);
  CHECK(script.find("document.write") == std::string_view::npos);
}

TEST_CASE("rollup-serve's HTTP side serves the explorer at / with its policy, JSON-RPC stays on POST /",
          "[rpc][explorer]") {
  LiveRollup rollup;
  LiveServer server(rollup.path);
  httplib::Client client(server.url);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);

  auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(page->body == explorer_file("index.html")->body);
  const std::string policy = page->get_header_value("Content-Security-Policy");
  CHECK(policy.starts_with("default-src 'none';"));
  CHECK(policy.find("connect-src 'self'") != std::string::npos);
  CHECK(policy.find("unsafe") == std::string::npos);
  CHECK(page->get_header_value("X-Content-Type-Options") == "nosniff");

  auto script = client.Get("/explorer.js");
  REQUIRE(script);
  CHECK(script->status == 200);
  CHECK(script->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(script->get_header_value("Content-Security-Policy") == policy);
  auto style = client.Get("/explorer.css");
  REQUIRE(style);
  CHECK(style->get_header_value("Content-Type") == "text/css; charset=utf-8");
  // A route is the file's name exactly, not a pattern that matches others.
  for (const char* other : {"/explorerXjs", "/index.html", "/explorer.js/x", "/nothing"}) {
    auto missing = client.Get(other);
    REQUIRE(missing);
    INFO(other);
    CHECK(missing->status == 404);
  }
  auto answer = client.Post("/", request("rollup_status", Json::array()).dump(), "application/json");
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK(result_of(Json::parse(answer->body))["committed"] == 0);
}
