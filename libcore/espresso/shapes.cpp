#include "espresso/shapes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "espresso/base64.hpp"
#include "espresso/tx_payload.hpp"

namespace rollup::espresso {

using codec::FieldReader;
using codec::Json;

namespace {
constexpr std::size_t kCountBytes = 4;
constexpr std::size_t kEntryBytes = 8;
constexpr std::uint64_t kMaxNamespace = 0xFFFFFFFFu;
/// A namespace's bytes with no tx: the u32 tx count alone.
constexpr std::uint32_t kEmptyNamespaceBytes = 4;

Result<std::uint32_t> namespace_id(FieldReader& f, const char* name) {
  auto id = ROLLUP_TRY(f.u53(name));
  // The namespace table spends 4 bytes on an id, whatever wider type the JSON could carry.
  if (id > kMaxNamespace) return std::unexpected(f.error(name, "does not fit the namespace table's 32 bits"));
  return static_cast<std::uint32_t>(id);
}

Result<Bytes> base64_field(FieldReader& f, const char* name) {
  auto text = ROLLUP_TRY(f.string(name));
  auto bytes = from_base64(text);
  if (!bytes) return std::unexpected(f.error(name, bytes.error().message));
  return *bytes;
}
}  // namespace

const NsTableEntry* NsTable::find(std::uint32_t id) const {
  for (const auto& e : entries)
    if (e.id == id) return &e;
  return nullptr;
}

Result<NsTable> parse_ns_table(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kCountBytes || (bytes.size() - kCountBytes) % kEntryBytes != 0)
    return fail(Errc::bad_input, fmt::format("ns_table: {} bytes is not a 4-byte count and whole 8-byte entries", bytes.size()));
  ByteReader r(bytes);
  std::uint32_t count = 0;
  r.u32(count);
  std::size_t fits = (bytes.size() - kCountBytes) / kEntryBytes;
  if (count != fits)
    return fail(Errc::bad_input, fmt::format("ns_table: declares {} namespaces and holds {}", count, fits));
  NsTable table;
  std::set<std::uint32_t> ids;
  std::uint32_t previous_end = 0;
  for (std::size_t i = 0; i < fits; ++i) {
    NsTableEntry e;
    r.u32(e.id);
    r.u32(e.end);
    if (!ids.insert(e.id).second) return fail(Errc::bad_input, fmt::format("ns_table: namespace {} is listed twice", e.id));
    if (e.end <= previous_end)
      return fail(Errc::bad_input, fmt::format("ns_table: entry {} ends at {}, not after the previous end {}", i, e.end, previous_end));
    previous_end = e.end;
    table.entries.push_back(e);
  }
  return table;
}

Bytes encode_ns_table(const NsTable& table) {
  ByteWriter w;
  w.u32(static_cast<std::uint32_t>(table.entries.size()));
  for (const auto& e : table.entries) w.u32(e.id).u32(e.end);
  return w.take();
}

Result<Header> parse_header(const Json& json) {
  if (!json.is_object()) return fail(Errc::bad_input, "header: must be an object");
  const Json* fields = &json;
  if (json.contains("version")) {
    FieldReader outer(json, "header");
    auto version = ROLLUP_TRY(outer.object("version"));
    if (!version->contains("Version") || !(*version)["Version"].is_object())
      return std::unexpected(outer.error("version", "expected {\"Version\":{\"major\":…,\"minor\":…}}"));
    fields = ROLLUP_TRY(outer.object("fields"));
  }
  FieldReader f(*fields, "header");
  Header h;
  h.height = ROLLUP_TRY(f.u53("height"));
  h.timestamp = ROLLUP_TRY(f.u53("timestamp"));
  if (f.has("timestamp_millis")) h.timestamp_millis = ROLLUP_TRY(f.u53("timestamp_millis"));
  auto ns_table_json = ROLLUP_TRY(f.object("ns_table"));
  FieldReader t(*ns_table_json, "header.ns_table");
  auto bytes = ROLLUP_TRY(base64_field(t, "bytes"));
  h.ns_table = ROLLUP_TRY(parse_ns_table(bytes));
  // No finish(): the header's other fields belong to Espresso and change with its versions.
  return h;
}

Json header_to_json(const Header& header) {
  Json j{{"height", header.height},
         {"timestamp", header.timestamp},
         {"ns_table", Json{{"bytes", to_base64(encode_ns_table(header.ns_table))}}}};
  if (header.timestamp_millis) j["timestamp_millis"] = *header.timestamp_millis;
  return j;
}

Result<NamespaceAnswer> parse_namespace_answer(const Json& json) {
  if (!json.is_object()) return fail(Errc::bad_input, "namespace answer: must be an object");
  FieldReader f(json, "namespace answer");
  NamespaceAnswer answer;
  auto transactions = ROLLUP_TRY(f.array("transactions"));
  answer.transactions.reserve(transactions->size());
  for (std::size_t i = 0; i < transactions->size(); ++i) {
    std::string context = "transactions[" + std::to_string(i) + "]";
    const Json& t = (*transactions)[i];
    if (!t.is_object()) return fail(Errc::bad_input, context + ": must be an object");
    FieldReader tf(t, context);
    Transaction tx;
    tx.namespace_id = ROLLUP_TRY(namespace_id(tf, "namespace"));
    tx.payload = ROLLUP_TRY(base64_field(tf, "payload"));
    answer.transactions.push_back(std::move(tx));
  }
  answer.proof = json.contains("proof") ? json["proof"] : Json(nullptr);
  if (json.contains("header")) {
    auto header = parse_header(json["header"]);
    if (!header) return std::unexpected(header.error());
    answer.header = *header;
  }
  return answer;
}

Json namespace_answer_to_json(const NamespaceAnswer& answer) {
  Json transactions = Json::array();
  for (const auto& t : answer.transactions)
    transactions.push_back(Json{{"namespace", t.namespace_id}, {"payload", to_base64(t.payload)}});
  Json j{{"proof", answer.proof}, {"transactions", std::move(transactions)}};
  if (answer.header) j["header"] = header_to_json(*answer.header);
  return j;
}

NamespaceAnswer from_toolkit_block(const codec::Block& block, std::uint32_t namespace_id) {
  Header header;
  header.height = block.height;
  header.timestamp = block.timestamp / 1000;
  header.timestamp_millis = block.timestamp;
  std::uint64_t end = 0;
  for (const auto& ns : block.namespaces) {
    end += 4 + ns.txs.size() * (4 + kTxPayloadSize);
    header.ns_table.entries.push_back({ns.id, static_cast<std::uint32_t>(end)});
  }
  NamespaceAnswer answer;
  answer.proof = nullptr;
  if (const auto* ns = block.find_namespace(namespace_id))
    for (const auto& tx : ns->txs) answer.transactions.push_back({namespace_id, encode_tx_payload(tx)});
  answer.header = std::move(header);
  return answer;
}

Result<NamespaceTxs> namespace_txs(const Header& header, const NamespaceAnswer& answer, const RollupId& rollup) {
  NamespaceTxs out;
  out.height = header.height;
  out.timestamp = header.timestamp;
  for (std::size_t i = 0; i < answer.transactions.size(); ++i) {
    if (answer.transactions[i].namespace_id != rollup.namespace_id)
      return fail(Errc::bad_input, fmt::format("transactions[{}] is in namespace {}, not the namespace {} asked for", i,
                                               answer.transactions[i].namespace_id, rollup.namespace_id));
  }
  const auto& entries = header.ns_table.entries;
  auto listed = std::find_if(entries.begin(), entries.end(), [&](const NsTableEntry& e) { return e.id == rollup.namespace_id; });
  if (!answer.transactions.empty() && listed == entries.end())
    return fail(Errc::bad_input, fmt::format("block {} has transactions for namespace {} that its ns_table does not list",
                                             header.height, rollup.namespace_id));
  // A service that cannot make the proof of a namespace answers it as empty, with no proof: taking
  // that at its word would drop the namespace's txs. Only a namespace whose bytes hold no more
  // than an empty tx count may come without txs and without a proof.
  if (listed != entries.end() && answer.transactions.empty() && answer.proof.is_null()) {
    std::uint32_t start = listed == entries.begin() ? 0 : std::prev(listed)->end;
    if (listed->end - start > kEmptyNamespaceBytes)
      return fail(Errc::bad_input, fmt::format("block {} lists {} bytes for namespace {}, but the answer has no transactions "
                                               "and no proof (the service could not prove them): not taken as empty",
                                               header.height, listed->end - start, rollup.namespace_id));
  }
  for (std::size_t i = 0; i < answer.transactions.size(); ++i) {
    auto tx = decode_tx_payload(answer.transactions[i].payload);
    if (!tx) {
      out.rejected.push_back({i, tx.error().message});
      continue;
    }
    if (tx->chain_id != rollup.chain_id || tx->namespace_id != rollup.namespace_id) {
      out.rejected.push_back({i, fmt::format("tx is signed for chain {} namespace {}, this rollup is chain {} namespace {}",
                                             tx->chain_id, tx->namespace_id, rollup.chain_id, rollup.namespace_id)});
      continue;
    }
    out.txs.push_back(*tx);
  }
  return out;
}

std::string boundary_line(const NamespaceTxs& txs, std::uint32_t namespace_id) {
  return fmt::format(R"({{"kind":"espresso.block","v":1,"height":{},"timestamp":{},"namespace":{},"txs":{},"rejected":{}}})",
                     txs.height, txs.timestamp, namespace_id, txs.txs.size(), txs.rejected.size());
}

}  // namespace rollup::espresso
