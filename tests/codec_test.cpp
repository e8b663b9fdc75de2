#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <random>

#include "codec/ndjson.hpp"
#include "codec/objects.hpp"
#include "crypto/crypto.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using codec::Json;

namespace {
codec::Tx signed_transfer(const crypto::KeyPair& from, const PublicKey& to, std::uint64_t amount,
                          std::uint64_t nonce) {
  codec::Tx tx;
  tx.chain_id = 7;
  tx.from = from.public_key;
  tx.to = to;
  tx.amount = amount;
  tx.fee = 1;
  tx.nonce = nonce;
  tx.sig = crypto::sign(from, tx.signing_message());
  return tx;
}
}  // namespace

TEST_CASE("hex round trip and strictness", "[codec]") {
  Bytes b{0x00, 0xab, 0xff};
  CHECK(to_hex(b) == "0x00abff");
  CHECK(*from_hex("0x00abff") == b);
  CHECK_FALSE(from_hex("00abff"));
  CHECK_FALSE(from_hex("0x0"));
  CHECK_FALSE(from_hex("0xAB"));
  CHECK_FALSE(from_hex("0xzz"));
  CHECK_FALSE(from_hex("0xab", 2));
  CHECK(from_hex("0x", 0));
}

TEST_CASE("tx json round trip keeps id and signature", "[codec]") {
  auto alice = crypto::generate_keypair(), bob = crypto::generate_keypair();
  auto tx = signed_transfer(alice, bob.public_key, 42, 3);
  auto parsed = codec::parse_tx(Json::parse(codec::to_json(tx)));
  REQUIRE(parsed);
  CHECK(parsed->id() == tx.id());
  CHECK(crypto::verify(parsed->from, parsed->signing_message(), parsed->sig));
  CHECK(codec::to_json(*parsed) == codec::to_json(tx));

  codec::Tx w = tx;
  w.type = codec::TxType::withdraw;
  auto wj = Json::parse(codec::to_json(w));
  CHECK_FALSE(wj.contains("to"));
  auto wp = codec::parse_tx(wj);
  REQUIRE(wp);
  CHECK(wp->to == PublicKey{});
}

TEST_CASE("tx parsing rejects every bad field class", "[codec]") {
  auto alice = crypto::generate_keypair(), bob = crypto::generate_keypair();
  Json good = Json::parse(codec::to_json(signed_transfer(alice, bob.public_key, 5, 0)));
  auto rejected = [&](auto mutate, const std::string& needle) {
    Json j = good;
    mutate(j);
    auto r = codec::parse_tx(j);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::bad_input);
    INFO(r.error().message);
    CHECK(r.error().message.find(needle) != std::string::npos);
  };
  rejected([](Json& j) { j["amount"] = 0; }, "amount");
  rejected([](Json& j) { j["amount"] = 1ULL << 53; }, "below 2^53");
  rejected([](Json& j) { j["fee"] = 1ULL << 53; }, "fee");
  rejected([](Json& j) { j["amount"] = -5; }, "negative");
  rejected([](Json& j) { j["amount"] = 1.5; }, "unsigned integer");
  rejected([](Json& j) { j["amount"] = "5"; }, "unsigned integer");
  rejected([](Json& j) { j.erase("nonce"); }, "nonce: missing");
  rejected([](Json& j) { j["from"] = "0x1234"; }, "32 or 40 bytes");
  rejected([](Json& j) { j["sig"] = "0xzz"; }, "sig");
  rejected([](Json& j) { j["type"] = "mint"; }, "type");
  rejected([](Json& j) { j["memo"] = "hi"; }, "unknown field");
  rejected([](Json& j) { j["kind"] = "block"; }, "kind");
}

TEST_CASE("block hash binds every field and parse checks it", "[codec]") {
  auto seq = crypto::generate_keypair(), alice = crypto::generate_keypair();
  codec::Block b;
  b.height = 3;
  b.timestamp = 1000;
  b.sequencer = seq.public_key;
  b.fee_recipient = seq.public_key;
  codec::NamespaceTxs ns;
  ns.id = 9;
  ns.txs = {signed_transfer(alice, seq.public_key, 5, 0), signed_transfer(alice, seq.public_key, 6, 1)};
  ns.tx_hash = codec::tx_list_hash(ns.txs);
  b.namespaces.push_back(ns);
  b.deposit_first = 4;
  b.deposits = {{4, alice.public_key, seq.public_key, 100}};
  b.hash = b.compute_hash();
  b.sig = crypto::sign(seq, b.hash);

  auto parsed = codec::parse_block(Json::parse(codec::to_json(b)));
  REQUIRE(parsed);
  CHECK(parsed->hash == b.hash);
  CHECK(parsed->find_namespace(9)->txs.size() == 2);
  CHECK(parsed->find_namespace(1) == nullptr);
  auto annotated = codec::parse_block(Json::parse(codec::to_json(b, R"({"status":"committed"})")));
  CHECK(annotated);

  auto h0 = b.compute_hash();
  auto changed = b;
  changed.timestamp++;
  CHECK(changed.compute_hash() != h0);
  changed = b;
  std::swap(changed.namespaces[0].txs[0], changed.namespaces[0].txs[1]);
  changed.namespaces[0].tx_hash = codec::tx_list_hash(changed.namespaces[0].txs);
  CHECK(changed.compute_hash() != h0);
  changed = b;
  changed.deposits[0].amount++;
  CHECK(changed.compute_hash() != h0);

  Json reordered = Json::parse(codec::to_json(b));
  std::swap(reordered["namespaces"][0]["txs"][0], reordered["namespaces"][0]["txs"][1]);
  auto bad = codec::parse_block(reordered);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("tx_hash") != std::string::npos);
  Json wrong_hash = Json::parse(codec::to_json(b));
  wrong_hash["timestamp"] = 1001;
  CHECK_FALSE(codec::parse_block(wrong_hash));
  Json gap = Json::parse(codec::to_json(b));
  gap["deposits"][0]["index"] = 5;
  CHECK_FALSE(codec::parse_block(gap));
}

TEST_CASE("a shared block (v2) binds each namespace's deposit list; v1 stays as it was",
          "[codec]") {
  auto seq = crypto::dev_key(1000), alice = crypto::dev_key(1);
  codec::Block b;
  b.version = codec::kSharedBlockFormatVersion;
  b.height = 2;
  b.timestamp = 1000;
  b.sequencer = seq.public_key;
  b.fee_recipient = seq.public_key;
  auto tx_of = [&](std::uint32_t ns, std::uint64_t nonce) {
    codec::Tx tx = signed_transfer(alice, seq.public_key, 5, nonce);
    tx.namespace_id = ns;
    tx.sig = crypto::sign(alice, tx.signing_message());
    return tx;
  };
  codec::NamespaceTxs one, two;
  one.id = 1;
  one.txs = {tx_of(1, 0)};
  one.tx_hash = codec::tx_list_hash(one.txs);
  one.deposit_first = 3;
  one.deposits = {{3, alice.public_key, alice.public_key, 10},
                  {4, alice.public_key, seq.public_key, 11}};
  two.id = 2;
  two.txs = {tx_of(2, 0), tx_of(2, 1)};
  two.tx_hash = codec::tx_list_hash(two.txs);
  two.deposit_first = 0;
  b.namespaces = {one, two};
  b.hash = b.compute_hash();
  b.sig = crypto::sign(seq, b.hash);

  const std::string line = codec::to_json(b);
  Json json = Json::parse(line);
  CHECK(json["v"] == 2);
  CHECK_FALSE(json.contains("deposits"));  // deposits live in the namespace entries
  CHECK(json["namespaces"][0]["deposit_first"] == 3);
  auto parsed = codec::parse_block(json);
  REQUIRE(parsed);
  CHECK(parsed->version == 2);
  CHECK(parsed->hash == b.hash);
  CHECK(codec::to_json(*parsed) == line);
  CHECK(parsed->deposit_count() == 2);
  auto of_one = parsed->deposits_of(1), of_two = parsed->deposits_of(2),
       of_three = parsed->deposits_of(3);
  CHECK(of_one.first == 3);
  REQUIRE(of_one.deposits.size() == 2);
  CHECK(of_one.deposits[1].amount == 11);
  CHECK(of_two.first == 0);
  CHECK(of_two.deposits.empty());
  CHECK_FALSE(of_three.first);  // a rollup the block lacks consumes none of its queue
  CHECK(of_three.deposits.empty());

  // Every namespace's deposit range is in the hash, and the version too: the same contents as a
  // v1 block hash differently.
  const Hash32 h0 = b.compute_hash();
  auto changed = b;
  changed.namespaces[0].deposits[0].amount++;
  CHECK(changed.compute_hash() != h0);
  changed = b;
  changed.namespaces[1].deposit_first = 1;
  CHECK(changed.compute_hash() != h0);
  changed = b;
  changed.version = codec::kBlockFormatVersion;
  CHECK(changed.compute_hash() != h0);

  // A v1 block's deposits are whichever rollup's commits it, whatever its namespace.
  changed.deposit_first = 7;
  changed.deposits = {{7, alice.public_key, alice.public_key, 1}};
  CHECK(changed.deposits_of(1).first == 7);
  CHECK(changed.deposits_of(42).deposits.size() == 1);

  auto refused = [](Json j, std::string_view why) {
    auto r = codec::parse_block(j);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::bad_input);
    INFO(r.error().message);
    CHECK(r.error().message.find(why) != std::string::npos);
  };
  Json top = json;
  top["deposit_first"] = 0;
  top["deposits"] = Json::array();
  refused(top, "deposit_first");  // a v2 block has no block-level deposits
  Json missing = json;
  missing["namespaces"][1].erase("deposit_first");
  refused(missing, "deposit_first");
  Json gap = json;
  gap["namespaces"][0]["deposits"][1]["index"] = std::uint64_t{5};
  refused(gap, "consecutive");
  Json filed_elsewhere = json;  // ns 2's tx under ns 1 (hash fixed up): a format error in v2
  filed_elsewhere["namespaces"][0]["txs"][0] = json["namespaces"][1]["txs"][0];
  codec::Block moved = b;
  moved.namespaces[0].txs = {b.namespaces[1].txs[0]};
  moved.namespaces[0].tx_hash = codec::tx_list_hash(moved.namespaces[0].txs);
  filed_elsewhere["namespaces"][0]["tx_hash"] = to_hex(moved.namespaces[0].tx_hash);
  refused(filed_elsewhere, "is not the entry's namespace 1");
  Json v1_with_entry_deposits = Json::parse(codec::to_json(changed));
  v1_with_entry_deposits["namespaces"][0]["deposit_first"] = 0;
  v1_with_entry_deposits["namespaces"][0]["deposits"] = Json::array();
  refused(v1_with_entry_deposits, "deposit_first");
}

TEST_CASE("a tx signs its namespace and names it on its line", "[codec]") {
  auto alice = crypto::generate_keypair(), bob = crypto::generate_keypair();
  auto tx = signed_transfer(alice, bob.public_key, 42, 3);
  tx.namespace_id = 9;
  tx.sig = crypto::sign(alice, tx.signing_message());
  Json line = Json::parse(codec::to_json(tx));
  CHECK(line["v"] == 2);
  CHECK(line["namespace"] == 9);
  auto parsed = codec::parse_tx(line);
  REQUIRE(parsed);
  CHECK(parsed->namespace_id == 9);
  CHECK(crypto::verify(parsed->from, parsed->signing_message(), parsed->sig));
  // The message holds the namespace (a u32 after the chain id): another one breaks the signature.
  auto moved = *parsed;
  moved.namespace_id = 10;
  CHECK(moved.signing_message() != parsed->signing_message());
  CHECK_FALSE(crypto::verify(moved.from, moved.signing_message(), moved.sig));
  const Bytes msg = parsed->signing_message();
  const std::string_view tag = "rollup-tools:tx:v2";
  CHECK(std::string(msg.begin(), msg.begin() + tag.size()) == tag);
  CHECK(msg.size() + 64 == codec::Tx::kEncodedSize);
  CHECK(Bytes(msg.begin() + 26, msg.begin() + 30) == Bytes{9, 0, 0, 0});  // little-endian

  Json missing = line;
  missing.erase("namespace");
  CHECK_FALSE(codec::parse_tx(missing));
  Json wide = line;
  wide["namespace"] = 1ULL << 32;
  CHECK_FALSE(codec::parse_tx(wide));
  Json old = line;
  old["v"] = std::uint64_t{1};
  auto refused = codec::parse_tx(old);
  REQUIRE_FALSE(refused);
  INFO(refused.error().message);
  CHECK(refused.error().message.find("version 1") != std::string::npos);
  CHECK_FALSE(codec::parse_tx_line_fast(old.dump()));
  CHECK_FALSE(codec::parse_tx_line_fast(missing.dump()));
  CHECK_FALSE(codec::parse_tx_line_fast(wide.dump()));
  auto fast = codec::parse_tx_line_fast(line.dump());
  REQUIRE(fast);
  CHECK(fast->namespace_id == 9);
}

TEST_CASE("stream objects need kind and version", "[codec]") {
  CHECK(codec::parse_stream_object(R"({"kind":"tx","v":2})"));
  CHECK(codec::parse_stream_object(R"({"kind":"block","v":1})"));
  CHECK(codec::parse_stream_object(R"({"kind":"block","v":2})"));  // a shared sequencer's
  auto v3 = codec::parse_stream_object(R"({"kind":"block","v":3})");
  REQUIRE_FALSE(v3);
  CHECK(v3.error().message.find("must be 1 or 2") != std::string::npos);
  CHECK_FALSE(codec::parse_stream_object(R"({"kind":"exec","v":2})"));
  CHECK_FALSE(codec::parse_stream_object(R"({"kind":"tx","v":3})"));
  // A v1 tx signed no namespace: refused, with a message that says what to do.
  auto v1 = codec::parse_stream_object(R"({"kind":"tx","v":1})");
  REQUIRE_FALSE(v1);
  CHECK(v1.error().code == Errc::bad_input);
  CHECK(v1.error().message.find("sign the tx again") != std::string::npos);
  CHECK_FALSE(codec::parse_stream_object(R"({"v":1})"));
  CHECK_FALSE(codec::parse_stream_object(R"([1,2])"));
  auto bad = codec::parse_stream_object(R"({"kind":"tx",)");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.rfind("invalid json", 0) == 0);
}

TEST_CASE("line reader numbers lines, skips blanks and bounds line length", "[codec]") {
  char path[] = "/tmp/rollup-codec-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "one\n\n  \ntwo\r\n" << std::string(200000, 'x') << "\nlast";
  }
  auto reader = codec::LineReader::open(path);
  REQUIRE(reader);
  auto l1 = reader->next();
  REQUIRE((l1 && *l1));
  CHECK((*l1)->text == "one");
  CHECK((*l1)->number == 1);
  auto l2 = reader->next();
  CHECK((*l2)->text == "two");
  CHECK((*l2)->number == 4);
  auto l3 = reader->next();
  CHECK((*l3)->text.size() == 200000);
  auto l4 = reader->next();
  CHECK((*l4)->text == "last");
  CHECK((*l4)->where() == std::string(path) + ":6");
  CHECK_FALSE(*reader->next());
  std::remove(path);
  CHECK_FALSE(codec::LineReader::open("/nonexistent/file"));
}

TEST_CASE("the fast tx-line path decides exactly as the general path", "[codec]") {
  auto alice = crypto::generate_keypair(), bob = crypto::generate_keypair();
  std::mt19937_64 rng(Catch::rngSeed());
  auto general = [](const std::string& line) -> std::optional<codec::Tx> {
    auto obj = codec::parse_stream_object(line);
    if (!obj || codec::kind_of(*obj) != "tx") return std::nullopt;
    auto tx = codec::parse_tx(*obj);
    if (!tx) return std::nullopt;
    return *tx;
  };
  std::vector<std::string> lines;
  auto transfer = codec::to_json(signed_transfer(alice, bob.public_key, 42, 3));
  codec::Tx w = signed_transfer(alice, bob.public_key, 7, 0);
  w.type = codec::TxType::withdraw;
  lines.push_back(transfer);
  lines.push_back(codec::to_json(w));
  // ECgFp5 txs (40-byte keys, 80-byte signatures), mutated as well: mixed lengths, coefficients
  // >= p and signatures of the other length must be declined or refused alike.
  const vm::RollupParams ec_rollup{1, 1, crypto::SignatureScheme::ecgfp5};
  const auto carol = crypto::dev_account_key(crypto::SignatureScheme::ecgfp5, 3);
  const auto dave = crypto::dev_account_key(crypto::SignatureScheme::ecgfp5, 4);
  lines.push_back(codec::to_json(wallet::sign_transfer(carol, dave.public_key(), 9, 1, 0, ec_rollup)));
  lines.push_back(codec::to_json(wallet::sign_withdraw(carol, 4, 0, 1, ec_rollup)));
  lines.push_back(" { \"v\" : 2 ," + transfer.substr(transfer.find('"', 2) - 1).substr(1));
  // Mutations: every position replaced, deleted or duplicated, plus hand-picked edge cases.
  for (int i = 0; i < 3000; ++i) {
    std::string m = lines[rng() % 4];
    std::size_t pos = rng() % m.size();
    switch (rng() % 3) {
      case 0: m[pos] = "0123456789abcdefx\",:{}[] -.eE\\"[rng() % 30]; break;
      case 1: m.erase(pos, 1 + rng() % 3); break;
      default: m.insert(pos, m.substr(pos, 1 + rng() % 8)); break;
    }
    lines.push_back(m);
  }
  for (const char* edge : {R"({"kind":"tx","v":2,"kind":"tx"})", R"({"amount":01})", "{}", "",
                           R"({"kind":"tx","v":2.0})", "{\"kind\":\"t\\u0078\",\"v\":2}"})
    lines.push_back(edge);
  {
    auto ec = codec::Json::parse(lines[2]);
    auto edit = [&](const char* field, std::string hex) {
      auto j = ec;
      j[field] = std::move(hex);
      lines.push_back(j.dump());
    };
    edit("to", to_hex(bob.public_key));                               // mixed lengths
    edit("from", to_hex(alice.public_key));                           // an ed25519 sender, 80-byte sig
    edit("sig", to_hex(Signature::zero(64)));                         // a signature of the other length
    edit("from", "0x" + std::string(80, 'f'));                        // coefficients >= p
    edit("to", "0x" + std::string(16, '0') + std::string(16, 'f') + std::string(48, '0'));  // c1 >= p
  }
  // Both paths refuse text after a NUL byte and duplicate keys (the general one since Hardening 9).
  lines.push_back(transfer + std::string(1, '\0') + "garbage");
  lines.push_back(transfer.substr(0, transfer.size() - 1) + R"(,"fee":1})");
  lines.push_back(transfer.substr(0, transfer.size() - 1) + R"(,"amount":1e400})");
  int fast_decided = 0;
  for (const auto& line : lines) {
    auto fast = codec::parse_tx_line_fast(line);
    if (!fast) continue;  // declined: the general path decides, so nothing to compare
    ++fast_decided;
    auto slow = general(line);
    INFO(line);
    REQUIRE(slow);
    CHECK(slow->id() == fast->id());
    CHECK(codec::to_json(*slow) == codec::to_json(*fast));
  }
  CHECK(fast_decided >= 5);
  CHECK(codec::parse_tx_line_fast(lines[2]));
  CHECK(codec::parse_tx_line_fast(transfer));
}

TEST_CASE("parse_json refuses what a reader could misread", "[codec]") {
  auto refused = [](std::string_view text, std::string_view why) {
    auto j = codec::parse_json(text);
    INFO(text.substr(0, 80));
    REQUIRE_FALSE(j);
    CHECK(j.error().code == Errc::bad_input);
    CHECK(j.error().message.find(why) != std::string::npos);
  };
  refused(R"({"x":1e400})", "number out of range");
  refused(R"({"x":-1e400})", "number out of range");
  refused(R"({"x":)" + std::string(5000, '9') + "}", "number out of range");
  refused(std::string(R"({"kind":"tx","v":1})") + '\0' + "garbage", "NUL byte at byte 19");
  refused(R"({"a":1,"a":2})", "duplicate key \"a\"");
  refused(R"({"o":{"a":[],"a":[]}})", "duplicate key \"a\"");
  refused(std::string(65, '[') + std::string(65, ']'), "nesting deeper than 64");
  refused(std::string(25'000'000, '['), "nesting deeper than 64");
  refused(R"({"a":)", "parse error");
  // What stays valid: the same keys in sibling objects, 64 levels, big but finite numbers.
  CHECK(codec::parse_json(R"([{"a":1},{"a":2}])"));
  CHECK(codec::parse_json(std::string(64, '[') + std::string(64, ']')));
  auto big = codec::parse_json(R"({"x":1e300,"y":18446744073709551615,"z":-5})");
  REQUIRE(big);
  CHECK((*big)["y"].get<std::uint64_t>() == UINT64_MAX);
  CHECK(codec::parse_json(R"({"a":{"b":[1,2,{"c":null}]},"d":"e"})")->dump() ==
        R"({"a":{"b":[1,2,{"c":null}]},"d":"e"})");
}

TEST_CASE("line reader holds at most the limit and goes on after an over-long line", "[codec]") {
  char path[] = "/tmp/rollup-codec-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  {
    std::ofstream out(path);
    out << std::string(100, 'a') << "\n" << std::string(101, 'b') << "\n"
        << std::string(100000, 'c') << "\nok\n" << std::string(300, 'd');
  }
  auto reader = codec::LineReader::open(path, 100);
  REQUIRE(reader);
  auto exact = reader->next();
  REQUIRE((exact && *exact));
  CHECK((*exact)->text.size() == 100);
  auto over = reader->next();
  REQUIRE_FALSE(over);
  CHECK(over.error().code == Errc::bad_input);
  CHECK(over.error().message == std::string(path) + ":2: line longer than 100 bytes");
  auto far_over = reader->next();
  REQUIRE_FALSE(far_over);
  CHECK(far_over.error().message == std::string(path) + ":3: line longer than 100 bytes");
  auto ok = reader->next();
  REQUIRE((ok && *ok));
  CHECK((*ok)->text == "ok");
  CHECK((*ok)->number == 4);
  auto last = reader->next();  // over-long and without a newline: reported, then the end
  REQUIRE_FALSE(last);
  CHECK(last.error().message == std::string(path) + ":5: line longer than 100 bytes");
  auto end = reader->next();
  REQUIRE(end);
  CHECK_FALSE(*end);
  std::remove(path);
}
