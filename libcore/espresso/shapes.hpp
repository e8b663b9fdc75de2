#pragma once
// The JSON shapes of Espresso's query service (availability API) that a rollup reads, and the
// conversions between them and the toolkit's blocks and txs (docs/formats.md, "Espresso").
//
// What is read is taken at its word: namespace proofs, the VID payload commitment and the
// HotShot consensus that finalized the header are not verified here (man rollup-espresso).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/fields.hpp"
#include "codec/objects.hpp"

namespace rollup::espresso {

/// One entry of an Espresso namespace table: a namespace id and where its bytes end in the
/// block payload.
struct NsTableEntry {
  std::uint32_t id = 0;
  std::uint32_t end = 0;
  bool operator==(const NsTableEntry&) const = default;
};

/// The namespace table of a block header: `u32 count || (u32 id || u32 end)...`, little-endian.
struct NsTable {
  std::vector<NsTableEntry> entries;
  /// The entry of namespace `id`, or nullptr.
  const NsTableEntry* find(std::uint32_t id) const;
  bool operator==(const NsTable&) const = default;
};

/// Parses a namespace table under the rules an Espresso node checks when it deserializes one:
/// a whole number of 8-byte entries after the 4-byte count, a count equal to that number,
/// unique ids, and end offsets that are nonzero and strictly increasing. Bad input otherwise.
Result<NsTable> parse_ns_table(std::span<const std::uint8_t> bytes);
Bytes encode_ns_table(const NsTable& table);

/// The fields of an Espresso block header that a rollup uses. The header's other fields (the
/// chain config, L1 head and finalized block, payload and builder commitments, the Merkle roots,
/// fee info, signatures ...) are accepted and not interpreted.
struct Header {
  std::uint64_t height = 0;
  std::uint64_t timestamp = 0;  ///< unix seconds
  std::optional<std::uint64_t> timestamp_millis;  ///< later header versions carry it too
  NsTable ns_table;
};

/// Reads a header in either published layout: the first version's flat object, or the later
/// `{"version":{"Version":{"major":0,"minor":N}},"fields":{...}}`.
Result<Header> parse_header(const codec::Json& json);
/// A header holding only what a toolkit block determines (height, timestamp, ns_table) in the
/// flat layout: the commitments Espresso's consensus computes are not made up.
codec::Json header_to_json(const Header& header);

/// One transaction of a namespace as the query service returns it.
struct Transaction {
  std::uint32_t namespace_id = 0;
  Bytes payload;
};

/// The answer of `availability/block/:height/namespace/:ns`: the namespace's transactions in
/// Espresso's order and a proof (kept as it came, never checked). Older services put the
/// block's header in the same answer; `header` holds it when present.
struct NamespaceAnswer {
  std::vector<Transaction> transactions;
  codec::Json proof;  ///< null when the service sent none
  std::optional<Header> header;
};

Result<NamespaceAnswer> parse_namespace_answer(const codec::Json& json);
/// The answer as JSON; with a header it is the combined shape `{"header","proof","transactions"}`
/// (the form rollup-espresso reads and writes as one line per block).
codec::Json namespace_answer_to_json(const NamespaceAnswer& answer);

/// A toolkit block as Espresso would present it to namespace `namespace_id`: a header whose
/// namespace table lists every namespace of the block (each namespace's bytes laid out as
/// `u32 tx count || u32 end offset per tx || payloads`, so the offsets are what that layout
/// gives), and the answer holding that namespace's txs as payloads. The header's height and
/// timestamp are the block's (the timestamp from milliseconds to seconds, the milliseconds kept
/// in `timestamp_millis`). The proof is null: no proof is made.
NamespaceAnswer from_toolkit_block(const codec::Block& block, std::uint32_t namespace_id);

/// The rollup a namespace is read for.
struct RollupId {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
};

/// A payload of the namespace that is not a tx of this rollup.
struct RejectedPayload {
  std::size_t index = 0;  ///< position in the answer's transactions
  std::string reason;
};

/// An Espresso block's txs for one rollup, in Espresso's order.
struct NamespaceTxs {
  std::uint64_t height = 0;
  std::uint64_t timestamp = 0;  ///< unix seconds
  std::vector<codec::Tx> txs;
  std::vector<RejectedPayload> rejected;
};

/// Takes the rollup's txs out of an answer and its block's header. Bad input when the answer
/// contradicts itself or the header: a transaction of another namespace, transactions for a
/// namespace the header's table does not list, or no transactions and no proof for a namespace
/// the table gives bytes (how a service answers when it cannot prove them). A payload that is not a canonical tx, or is a tx
/// signed for another chain or namespace, is listed in `rejected` (anyone may post any bytes to
/// any namespace: the caller decides whether that stops the run).
Result<NamespaceTxs> namespace_txs(const Header& header, const NamespaceAnswer& answer, const RollupId& rollup);

/// The line written after each Espresso block's txs, which `rollup-seq --cut-on espresso.block`
/// turns into a block boundary:
/// `{"kind":"espresso.block","v":1,"height":H,"timestamp":T,"namespace":N,"txs":K,"rejected":R}`.
std::string boundary_line(const NamespaceTxs& txs, std::uint32_t namespace_id);

}  // namespace rollup::espresso
