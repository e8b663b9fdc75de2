#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "crypto/crypto.hpp"
#include "espresso/availability.hpp"
#include "espresso/base64.hpp"
#include "espresso/shapes.hpp"
#include "espresso/tx_payload.hpp"
#include "test_data.hpp"

using namespace rollup;
using codec::Json;

namespace {
codec::Tx signed_tx(codec::TxType type, std::uint64_t nonce, std::uint64_t chain_id = 1, std::uint32_t ns = 1) {
  auto from = crypto::dev_key(1);
  codec::Tx tx;
  tx.type = type;
  tx.chain_id = chain_id;
  tx.namespace_id = ns;
  tx.from = from.public_key;
  if (type == codec::TxType::transfer) tx.to = crypto::dev_key(2).public_key;
  tx.amount = 5 + nonce;
  tx.fee = 1;
  tx.nonce = nonce;
  tx.sig = crypto::sign(from, tx.signing_message());
  return tx;
}

Json fixture(const std::string& path) {
  std::ifstream in(test::data_path("espresso/" + path));
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto json = codec::parse_json(text.str());
  REQUIRE(json);
  return *json;
}

Bytes table_bytes(std::uint32_t count, std::vector<std::pair<std::uint32_t, std::uint32_t>> entries) {
  ByteWriter w;
  w.u32(count);
  for (auto [id, end] : entries) w.u32(id).u32(end);
  return w.take();
}

std::string_view text_of(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }
}  // namespace

TEST_CASE("base64: RFC 4648 vectors, and only the canonical spelling is read", "[espresso]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    Bytes bytes(plain.begin(), plain.end());
    CHECK(espresso::to_base64(bytes) == encoded);
    auto decoded = espresso::from_base64(encoded);
    REQUIRE(decoded);
    CHECK(text_of(*decoded) == plain);
  }
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  CHECK(*espresso::from_base64(espresso::to_base64(all)) == all);

  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "Zg==Zg==", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "-_8=", "Zm=v"}) {
    INFO(bad);
    auto decoded = espresso::from_base64(bad);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == Errc::bad_input);
  }
}

TEST_CASE("tx payload: the canonical encoding round trips and malformed payloads are refused", "[espresso]") {
  for (auto type : {codec::TxType::transfer, codec::TxType::withdraw}) {
    auto tx = signed_tx(type, 3);
    auto payload = espresso::encode_tx_payload(tx);
    CHECK(payload.size() == espresso::kTxPayloadSize);
    CHECK(payload.size() == 183);
    auto back = espresso::decode_tx_payload(payload);
    REQUIRE(back);
    CHECK(back->id() == tx.id());
    CHECK(codec::to_json(*back) == codec::to_json(tx));
  }

  auto good = espresso::encode_tx_payload(signed_tx(codec::TxType::transfer, 0));
  auto refused = [](Bytes payload, const std::string& why) {
    auto tx = espresso::decode_tx_payload(payload);
    REQUIRE_FALSE(tx);
    CHECK(tx.error().code == Errc::bad_input);
    CHECK_THAT(tx.error().message, Catch::Contains(why));
  };
  refused(Bytes(good.begin(), good.end() - 1), "182 bytes");
  Bytes longer = good;
  longer.push_back(0);
  refused(longer, "184 bytes");
  refused({}, "0 bytes");
  Bytes tag = good;
  tag[17] = '1';  // "rollup-tools:tx:v1": a version 1 tx signed no namespace
  refused(tag, "tag");
  Bytes type = good;
  type[30] = 3;
  refused(type, "tx type 3");
  Bytes zero_amount = good;
  std::fill(zero_amount.begin() + 95, zero_amount.begin() + 103, 0);
  refused(zero_amount, "amount");
  Bytes huge_fee = good;
  huge_fee[110] = 0x01;  // fee's top byte: 2^56
  refused(huge_fee, "fee");
  auto withdraw = espresso::encode_tx_payload(signed_tx(codec::TxType::withdraw, 0));
  withdraw[70] = 1;
  refused(withdraw, "nonzero recipient");
}

TEST_CASE("ns_table: layout and the rules Espresso checks", "[espresso]") {
  espresso::NsTable table{{{777, 50}, {1, 420}, {3, 421}}};
  auto bytes = espresso::encode_ns_table(table);
  CHECK(bytes == table_bytes(3, {{777, 50}, {1, 420}, {3, 421}}));
  auto parsed = espresso::parse_ns_table(bytes);
  REQUIRE(parsed);
  CHECK(*parsed == table);
  REQUIRE(parsed->find(1));
  CHECK(parsed->find(1)->end == 420);
  CHECK_FALSE(parsed->find(2));
  auto empty = espresso::parse_ns_table(table_bytes(0, {}));
  REQUIRE(empty);
  CHECK(empty->entries.empty());

  auto refused = [](const Bytes& b, const std::string& why) {
    auto t = espresso::parse_ns_table(b);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == Errc::bad_input);
    CHECK_THAT(t.error().message, Catch::Contains(why));
  };
  refused({}, "0 bytes");
  refused({1, 0, 0}, "3 bytes");
  Bytes partial = table_bytes(1, {{1, 10}});
  partial.pop_back();
  refused(partial, "11 bytes");
  refused(table_bytes(2, {{1, 10}}), "declares 2 namespaces and holds 1");
  refused(table_bytes(0, {{1, 10}}), "declares 0 namespaces and holds 1");
  refused(table_bytes(2, {{1, 10}, {1, 20}}), "listed twice");
  refused(table_bytes(2, {{1, 10}, {2, 10}}), "not after the previous end");
  refused(table_bytes(2, {{1, 10}, {2, 9}}), "not after the previous end");
  refused(table_bytes(1, {{1, 0}}), "not after the previous end");
}

TEST_CASE("headers in both published layouts", "[espresso]") {
  auto versioned = espresso::parse_header(fixture("availability/header/4201"));
  REQUIRE(versioned);
  CHECK(versioned->height == 4201);
  CHECK(versioned->timestamp == 1764088000);
  REQUIRE(versioned->ns_table.entries.size() == 2);
  CHECK(versioned->ns_table.entries[0].id == 777);
  CHECK(versioned->ns_table.entries[1].id == 1);

  auto flat = espresso::parse_header(fixture("availability/header/4203"));
  REQUIRE(flat);
  CHECK(flat->height == 4203);
  REQUIRE(flat->ns_table.entries.size() == 1);
  // 3 txs: count, 3 end offsets, 3 payloads.
  CHECK(flat->ns_table.entries[0].end == 4 + 3 * 4 + 3 * espresso::kTxPayloadSize);

  auto refused = [](Json j, const std::string& why) {
    auto h = espresso::parse_header(j);
    REQUIRE_FALSE(h);
    CHECK(h.error().code == Errc::bad_input);
    CHECK_THAT(h.error().message, Catch::Contains(why));
  };
  Json header = fixture("availability/header/4203");
  Json no_table = header;
  no_table.erase("ns_table");
  refused(no_table, "ns_table");
  Json bad_table = header;
  bad_table["ns_table"]["bytes"] = "AQAAAAEAAAA1AgA";  // base64 of the wrong length
  refused(bad_table, "ns_table");
  Json negative = header;
  negative["height"] = -1;
  refused(negative, "height");
  Json wrapped = fixture("availability/header/4201");
  wrapped["version"] = Json{{"major", 0}, {"minor", 3}};
  refused(wrapped, "version");
  wrapped = fixture("availability/header/4201");
  wrapped.erase("fields");
  refused(wrapped, "fields");
  refused(Json::array(), "must be an object");
}

TEST_CASE("namespace answers: txs in Espresso's order, other rollups' bytes and contradictions", "[espresso]") {
  auto header = *espresso::parse_header(fixture("availability/header/4201"));
  auto answer = espresso::parse_namespace_answer(fixture("availability/block/4201/namespace/1"));
  REQUIRE(answer);
  CHECK(answer->proof.is_object());  // kept, never checked
  CHECK_FALSE(answer->header);
  const espresso::RollupId rollup{1, 1};
  auto txs = espresso::namespace_txs(header, *answer, rollup);
  REQUIRE(txs);
  REQUIRE(txs->txs.size() == 2);
  CHECK(txs->txs[0].nonce == 0);
  CHECK(txs->txs[1].nonce == 1);
  CHECK(txs->rejected.empty());
  CHECK(espresso::boundary_line(*txs, 1) ==
        R"({"kind":"espresso.block","v":1,"height":4201,"timestamp":1764088000,"namespace":1,"txs":2,"rejected":0})");

  // A block without the namespace: an empty answer and no txs.
  auto absent_header = *espresso::parse_header(fixture("availability/header/4202"));
  auto absent = espresso::parse_namespace_answer(fixture("availability/block/4202/namespace/1"));
  REQUIRE(absent);
  auto none = espresso::namespace_txs(absent_header, *absent, rollup);
  REQUIRE(none);
  CHECK(none->txs.empty());
  // ... but transactions for a namespace the header does not list contradict it.
  auto contradiction = espresso::namespace_txs(absent_header, *answer, rollup);
  REQUIRE_FALSE(contradiction);
  CHECK_THAT(contradiction.error().message, Catch::Contains("does not list"));

  // No transactions and no proof for a namespace the table gives bytes: the service could not
  // prove it, and the block is not taken as empty.
  auto unproven = *answer;
  unproven.transactions.clear();
  unproven.proof = nullptr;
  auto dropped = espresso::namespace_txs(header, unproven, rollup);
  REQUIRE_FALSE(dropped);
  CHECK_THAT(dropped.error().message, Catch::Contains("no transactions and no proof"));
  unproven.proof = answer->proof;  // with a proof, an empty namespace is the service's claim to make
  CHECK(espresso::namespace_txs(header, unproven, rollup));

  // Asked for namespace 1, the answer holds namespace 2: the service answered the wrong question.
  Json wrong_ns = fixture("availability/block/4201/namespace/1");
  wrong_ns["transactions"][1]["namespace"] = 2u;
  auto wrong_answer = espresso::parse_namespace_answer(wrong_ns);
  REQUIRE(wrong_answer);
  auto wrong = espresso::namespace_txs(header, *wrong_answer, rollup);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Errc::bad_input);
  CHECK_THAT(wrong.error().message, Catch::Contains("transactions[1] is in namespace 2"));

  // The txs of another chain, and bytes that are no tx at all, are listed, not taken.
  auto other = espresso::namespace_txs(header, *answer, espresso::RollupId{2, 1});
  REQUIRE(other);
  CHECK(other->txs.empty());
  REQUIRE(other->rejected.size() == 2);
  CHECK_THAT(other->rejected[0].reason, Catch::Contains("signed for chain 1 namespace 1"));
  Json garbage = fixture("availability/block/4201/namespace/1");
  garbage["transactions"][0]["payload"] = espresso::to_base64(Bytes{1, 2, 3});
  auto garbage_answer = espresso::parse_namespace_answer(garbage);
  REQUIRE(garbage_answer);
  auto mixed = espresso::namespace_txs(header, *garbage_answer, rollup);
  REQUIRE(mixed);
  REQUIRE(mixed->txs.size() == 1);
  CHECK(mixed->txs[0].nonce == 1);
  REQUIRE(mixed->rejected.size() == 1);
  CHECK(mixed->rejected[0].index == 0);
  CHECK_THAT(mixed->rejected[0].reason, Catch::Contains("3 bytes"));

  auto refused = [](Json j, const std::string& why) {
    auto a = espresso::parse_namespace_answer(j);
    REQUIRE_FALSE(a);
    CHECK(a.error().code == Errc::bad_input);
    CHECK_THAT(a.error().message, Catch::Contains(why));
  };
  Json bad = fixture("availability/block/4201/namespace/1");
  bad["transactions"][0]["payload"] = "not base64!";
  refused(bad, "transactions[0].payload");
  bad = fixture("availability/block/4201/namespace/1");
  bad["transactions"][0]["namespace"] = std::uint64_t{4294967296};
  refused(bad, "32 bits");
  bad = fixture("availability/block/4201/namespace/1");
  bad.erase("transactions");
  refused(bad, "transactions");
  bad = fixture("availability/block/4201/namespace/1");
  bad["transactions"][0] = "payload";
  refused(bad, "transactions[0]: must be an object");
}

TEST_CASE("a toolkit block in Espresso's shapes reads back as the same txs", "[espresso]") {
  codec::Block block;
  block.height = 9;
  block.timestamp = 1764088001234;
  codec::NamespaceTxs ours{.id = 1, .tx_hash = {}, .txs = {signed_tx(codec::TxType::transfer, 0), signed_tx(codec::TxType::withdraw, 1)}};
  codec::NamespaceTxs theirs{.id = 5, .tx_hash = {}, .txs = {signed_tx(codec::TxType::transfer, 0, 1, 5)}};
  block.namespaces = {ours, theirs};

  auto answer = espresso::from_toolkit_block(block, 1);
  REQUIRE(answer.header);
  CHECK(answer.header->height == 9);
  CHECK(answer.header->timestamp == 1764088001);
  CHECK(answer.header->timestamp_millis == 1764088001234);
  const std::uint32_t first_end = 4 + 2 * (4 + 183);
  CHECK(answer.header->ns_table == espresso::NsTable{{{1, first_end}, {5, first_end + 4 + 1 * (4 + 183)}}});
  CHECK(answer.proof.is_null());

  // Through JSON text and back, as rollup-espresso writes and reads it.
  auto text = espresso::namespace_answer_to_json(answer).dump();
  auto reread = espresso::parse_namespace_answer(*codec::parse_json(text));
  REQUIRE(reread);
  REQUIRE(reread->header);
  auto txs = espresso::namespace_txs(*reread->header, *reread, espresso::RollupId{1, 1});
  REQUIRE(txs);
  REQUIRE(txs->txs.size() == 2);
  CHECK(codec::tx_list_hash(txs->txs) == codec::tx_list_hash(ours.txs));
  CHECK(txs->height == 9);

  // The namespace of another rollup in the same block, and one the block lacks.
  auto for_five = espresso::from_toolkit_block(block, 5);
  CHECK(for_five.transactions.size() == 1);
  auto for_six = espresso::from_toolkit_block(block, 6);
  CHECK(for_six.transactions.empty());
  auto six = espresso::namespace_txs(*for_six.header, for_six, espresso::RollupId{1, 6});
  REQUIRE(six);
  CHECK(six->txs.empty());
}

TEST_CASE("a directory of answers: ranges, their end, and holes", "[espresso]") {
  auto source = espresso::Availability::in_directory(test::data_path("espresso"));
  REQUIRE(source);
  std::vector<std::uint64_t> heights;
  std::size_t txs = 0;
  auto collect = [&](const espresso::Header& header, const espresso::NamespaceAnswer& answer) -> Status {
    heights.push_back(header.height);
    txs += answer.transactions.size();
    return {};
  };
  // Without --to a directory ends at its last block.
  REQUIRE(espresso::read_range(*source, 1, espresso::Range{.from = 4201, .to = std::nullopt}, collect));
  CHECK(heights == std::vector<std::uint64_t>{4201, 4202, 4203});
  CHECK(txs == 5);

  heights.clear();
  REQUIRE(espresso::read_range(*source, 1, espresso::Range{.from = 4202, .to = 4202}, collect));
  CHECK(heights == std::vector<std::uint64_t>{4202});

  // A height inside from..to that the directory lacks is an I/O error, naming the file.
  auto hole = espresso::read_range(*source, 1, espresso::Range{.from = 4203, .to = 4204}, collect);
  REQUIRE_FALSE(hole);
  CHECK(hole.error().code == Errc::io);
  CHECK_THAT(hole.error().message, Catch::Contains("availability/header/4204"));
  // So is a namespace it holds no answers for.
  auto other_ns = espresso::read_range(*source, 2, espresso::Range{.from = 4201, .to = 4201}, collect);
  REQUIRE_FALSE(other_ns);
  CHECK_THAT(other_ns.error().message, Catch::Contains("availability/block/4201/namespace/2"));

  CHECK_FALSE(espresso::Availability::at_url("ftp://example"));
  CHECK_FALSE(espresso::Availability::at_url("http://"));
}
