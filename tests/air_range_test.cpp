// Range proofs (docs/air.md §13): one proof for consecutive blocks verifies and binds every
// block's receipts; dropped, reordered, swapped or edited blocks, another pre-state and other
// heights are rejected.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include <fstream>

#include "block_builder.hpp"
#include "test_data.hpp"
#include "air/block_proof.hpp"
#include "air/contract_verifier.hpp"
#include "air/witness.hpp"
#include "crypto/crypto.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using namespace rollup::air;

namespace {

constexpr std::uint64_t kChain = 5;
constexpr std::uint32_t kNamespace = 2;
const vm::RollupParams kParams{kChain, kNamespace};

const auto alice = crypto::dev_key(1), bob = crypto::dev_key(2), carol = crypto::dev_key(3),
           feeman = crypto::dev_key(4), dave = crypto::dev_key(5);

using BlockBuilder = test::BasicBlockBuilder<kNamespace>;

vm::State genesis() {
  vm::State s;
  s.load_accounts({{alice.public_key, 1000, 0}, {bob.public_key, 500, 0}, {carol.public_key, 300, 0}}, 1);
  return s;
}

// Three blocks: new accounts, withdrawals, a failed deposit (carol nearly full in block 2).
std::vector<codec::Block> blocks() {
  std::vector<codec::Block> out;
  out.push_back(BlockBuilder(feeman.public_key)
                    .deposit(dave.public_key, 50)
                    .tx(wallet::sign_transfer(alice, bob.public_key, 10, 1, 0, kParams))
                    .tx(wallet::sign_withdraw(alice, 3, 1, 1, kParams))
                    .done());
  BlockBuilder b2(carol.public_key, 2, out[0].deposit_end());
  b2.block.parent = out[0].hash;
  out.push_back(b2.deposit(carol.public_key, (std::uint64_t{1} << 53) - 400)
                    .deposit(carol.public_key, 200)  // overflows: refunded
                    .tx(wallet::sign_transfer(bob, crypto::dev_key(8).public_key, 4, 2, 0, kParams))
                    .tx(wallet::sign_withdraw(dave, 7, 0, 0, kParams))
                    .done());
  BlockBuilder b3(alice.public_key, 3, out[1].deposit_end());
  b3.block.parent = out[1].hash;
  out.push_back(b3.tx(wallet::sign_transfer(dave, alice.public_key, 5, 1, 1, kParams))
                    .tx(wallet::sign_withdraw(bob, 1, 0, 1, kParams))
                    .done());
  return out;
}

codec::Block rehash(codec::Block b) {
  b.namespaces[0].tx_hash = codec::tx_list_hash(b.namespaces[0].txs);
  b.hash = b.compute_hash();
  return b;
}

RangeProofClaim claim_of(const BlockProof& p) {
  return RangeProofClaim{p.height, p.last_height, p.block_hash, p.pre_root, p.post_root, p.pre_keys};
}

// The verifier's report; never an Error, whatever the blocks and bytes.
Checked<RangeProofReport> verify(std::span<const codec::Block> bs, const RangeProofClaim& claim,
                                 std::span<const std::uint8_t> bytes) {
  auto r = verify_range_proof(bs, kParams, claim, bytes);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(*r);
}

Rejection rejection(std::span<const codec::Block> bs, const RangeProofClaim& claim, std::span<const std::uint8_t> bytes) {
  auto r = verify(bs, claim, bytes);
  REQUIRE(!r);
  INFO(r.error().message());
  CHECK(r.error().error().code == Errc::rejected);
  if (std::getenv("AIR_TEST_WHY")) std::fprintf(stderr, "why: %s\n", r.error().message().c_str());
  return r.error().reason;
}

}  // namespace

TEST_CASE("air range: honest range proofs of 1, 2 and 3 blocks verify and bind every block", "[air][range]") {
  const auto bs = blocks();
  // The blocks one by one, for reference.
  ProverState single(genesis(), 1);
  std::vector<BlockProof> singles;
  std::vector<BlockEffects> reports;
  for (const auto& b : bs) {
    const auto pre_keys = single.keys().commitment();
    const auto pre_root = hash::digest_bytes(single.state().root());
    auto p = prove_range(single, std::span(&b, 1), kParams);
    REQUIRE(p);
    const RangeProofClaim claim{b.height, b.height, b.hash, pre_root, p->post_root, pre_keys};
    auto r = verify(std::span(&b, 1), claim, p->bytes);
    REQUIRE(r);
    REQUIRE(r->blocks.size() == 1);
    singles.push_back(std::move(*p));
    reports.push_back(std::move(r->blocks[0]));
  }

  for (std::size_t k : {3u, 2u}) {
    ProverState state(genesis(), 1);
    auto p = prove_range(state, std::span(bs).first(k), kParams);
    REQUIRE(p);
    CHECK(p->height == 1);
    CHECK(p->last_height == k);
    CHECK(p->bytes[1] == 'R');  // "RRNG"
    CHECK(p->post_root == singles[k - 1].post_root);
    CHECK(p->post_keys == singles[k - 1].post_keys);
    CHECK(state.keys().commitment() == p->post_keys);
    CHECK(hash::digest_bytes(state.state().root()) == p->post_root);
    auto r = verify(std::span(bs).first(k), claim_of(*p), p->bytes);
    REQUIRE(r);
    CHECK(r->security_bits >= 100);
    CHECK(r->post_keys == p->post_keys);
    REQUIRE(r->blocks.size() == k);
    for (std::size_t i = 0; i < k; ++i) {
      CHECK(r->blocks[i].height == i + 1);
      CHECK(r->blocks[i].failed_deposits == reports[i].failed_deposits);
      REQUIRE(r->blocks[i].withdrawals.size() == reports[i].withdrawals.size());
      for (std::size_t j = 0; j < reports[i].withdrawals.size(); ++j) {
        CHECK(r->blocks[i].withdrawals[j].to == reports[i].withdrawals[j].to);
        CHECK(r->blocks[i].withdrawals[j].amount == reports[i].withdrawals[j].amount);
      }
      CHECK(r->blocks[i].receipts.size() == reports[i].receipts.size());
    }
    CHECK(r->blocks[1].failed_deposits == std::vector<std::uint64_t>{2});
    // The proof line carries last_height and round-trips.
    const auto line = proof_line_of(*p);
    const auto json = to_json(line);
    CHECK(json.find(fmt::format("\"last_height\":{}", k)) != std::string::npos);
    auto parsed = parse_proof_line(codec::Json::parse(json));
    REQUIRE(parsed);
    CHECK(parsed->last_height == k);
    CHECK(parsed->proof == p->bytes);
  }

  // A range of one block is the block proof, byte for byte in format; its line has no last_height.
  ProverState state(genesis(), 1);
  auto one = prove_range(state, std::span(bs).first(1), kParams);
  REQUIRE(one);
  CHECK(one->bytes[1] == 'B');  // "RBLK"
  CHECK(one->last_height == 1);
  CHECK(to_json(proof_line_of(*one)).find("last_height") == std::string::npos);
  REQUIRE(verify(std::span(bs).first(1), claim_of(*one), one->bytes));
  // ... and single-block proofs verify as ranges of one.
  auto c = claim_of(singles[1]);
  REQUIRE(verify(std::span(bs).subspan(1, 1), c, singles[1].bytes));
}

TEST_CASE("malicious: range proofs with dropped, reordered or swapped blocks, other roots or heights",
          "[air][range][malicious]") {
  const auto bs = blocks();
  ProverState state(genesis(), 1);
  auto p = prove_range(state, bs, kParams);
  REQUIRE(p);
  const auto claim = claim_of(*p);
  REQUIRE(verify(bs, claim, p->bytes));

  SECTION("a block dropped") {
    std::vector<codec::Block> two = {bs[0], bs[2]};
    CHECK(rejection(two, claim, p->bytes) == Rejection::wrong_blocks);
    auto c = claim;
    c.last_height = 2;
    rejection(two, c, p->bytes);
    CHECK(rejection(std::span(bs).first(2), c, p->bytes) == Rejection::wrong_blocks);  // the proof covers three
    // Its claims edited to match two blocks: the STARK (the block hashes, the program) refuses.
    auto decoded = decode_proof(p->bytes);
    REQUIRE(decoded);
    auto h = decoded->first;
    h.claims.pop_back();
    rejection(std::span(bs).first(2), c, encode_proof(h, decoded->second));
  }
  SECTION("blocks reordered or swapped") {
    std::vector<codec::Block> swapped = {bs[1], bs[0], bs[2]};
    rejection(swapped, claim, p->bytes);
    // Renumbered into the claimed heights: the hashes and programs differ, the STARK refuses.
    std::vector<codec::Block> renumbered = {bs[0], bs[2], bs[1]};
    renumbered[1].height = 2, renumbered[2].height = 3;
    renumbered[1] = rehash(renumbered[1]);
    renumbered[2] = rehash(renumbered[2]);
    auto decoded = decode_proof(p->bytes);
    REQUIRE(decoded);
    auto h = decoded->first;
    std::swap(h.claims[1], h.claims[2]);
    rejection(renumbered, claim, encode_proof(h, decoded->second));
    // A block replaced by another of the same height and shape (another amount).
    std::vector<codec::Block> other = bs;
    other[2].namespaces[0].txs[0] = wallet::sign_transfer(dave, alice.public_key, 6, 1, 1, kParams);
    other[2] = rehash(other[2]);
    CHECK(rejection(other, claim, p->bytes) == Rejection::stark_rejected);
  }
  SECTION("the wrong pre-state") {
    auto c = claim;
    c.pre_root = p->post_root;
    CHECK(rejection(bs, c, p->bytes) == Rejection::root_mismatch);
    c = claim;
    c.pre_keys.count += 1;
    rejection(bs, c, p->bytes);
    c = claim;
    c.post_root[0] ^= 1;
    rejection(bs, c, p->bytes);
  }
  SECTION("the wrong heights") {
    auto c = claim;
    c.first_height = 2, c.last_height = 4;
    CHECK(rejection(bs, c, p->bytes) == Rejection::wrong_blocks);
    std::vector<codec::Block> shifted = bs;
    for (auto& b : shifted) b = rehash((++b.height, b));
    rejection(shifted, c, p->bytes);
    c = claim;
    c.last_height = 2;
    rejection(bs, c, p->bytes);
  }
  SECTION("damaged bytes") {
    Bytes bad = p->bytes;
    bad[6] = 1;  // one block
    CHECK(rejection(bs, claim, bad) == Rejection::encoding);
    bad = p->bytes;
    bad.resize(bad.size() - 1);
    rejection(bs, claim, bad);
    bad = p->bytes;
    bad[bad.size() / 2] ^= 4;
    rejection(bs, claim, bad);
  }
}

TEST_CASE("air range: proofs of the AIR's layout v1 (version 2) still verify, and only as version 2", "[air][range]") {
  const auto bs = blocks();
  for (const std::size_t k : {1u, 2u}) {
    ProveOptions v1;
    v1.layout = AirLayout::v1;
    ProverState old_state(genesis(), 1), new_state(genesis(), 1);
    auto old_proof = prove_range(old_state, std::span(bs).first(k), kParams, v1);
    auto new_proof = prove_range(new_state, std::span(bs).first(k), kParams);
    REQUIRE(old_proof);
    REQUIRE(new_proof);
    CHECK(old_proof->bytes[4] == 2);
    CHECK(new_proof->bytes[4] == kProofVersion);
    CHECK(old_proof->post_root == new_proof->post_root);
    CHECK(old_proof->bytes != new_proof->bytes);
    const auto claim = claim_of(*old_proof);
    REQUIRE(verify(std::span(bs).first(k), claim, old_proof->bytes));
    REQUIRE(verify(std::span(bs).first(k), claim, new_proof->bytes));
    // The version byte picks the layout the STARK is checked against: swapped, both fail.
    auto relabelled = old_proof->bytes;
    relabelled[4] = kProofVersion;
    auto r = verify(std::span(bs).first(k), claim, relabelled);
    REQUIRE_FALSE(r);
    CHECK(r.error().reason == Rejection::stark_rejected);
    relabelled = new_proof->bytes;
    relabelled[4] = 2;
    r = verify(std::span(bs).first(k), claim, relabelled);
    REQUIRE_FALSE(r);
    CHECK(r.error().reason == Rejection::stark_rejected);
  }
}

TEST_CASE("air range: the golden proofs of one and two blocks decode and re-encode byte for byte", "[air][range]") {
  // One decoder for every block count: the established single-block encoding is its k = 1 case.
  std::size_t lines = 0;
  for (const char* name : {"golden/proofs.ndjson", "golden/proofs-range.ndjson", "golden/proofs-v1.ndjson",
                           "golden/proofs-range-v1.ndjson", "golden/proofs-v2.ndjson", "golden/proofs-range-v2.ndjson"}) {
    const std::string_view n(name);
    const int version = n.find("-v1") != n.npos ? 1 : n.find("-v2") != n.npos ? 2 : kProofVersion;
    std::ifstream in(test::data_path(name));
    REQUIRE(in);
    for (std::string text; std::getline(in, text);) {
      auto json = codec::Json::parse(text);
      json["prove_ms"] = std::uint64_t{0};  // dropped from the golden streams as a timing
      auto line = parse_proof_line(json);
      INFO((line ? std::string() : line.error().message));
      REQUIRE(line);
      auto decoded = decode_proof(line->proof);
      REQUIRE(decoded);
      const std::uint64_t blocks = line->last_height - line->height + 1;
      CHECK(decoded->first.claims.size() == blocks);
      CHECK(proof_block_count(line->proof) == blocks);
      CHECK(line->proof[1] == (blocks == 1 ? 'B' : 'R'));
      CHECK(decoded->first.version == version);
      CHECK(encode_proof(decoded->first, decoded->second) == line->proof);
      ++lines;
    }
  }
  CHECK(lines == 9);

  // A range of one block has exactly one encoding, "RBLK": the same header as "RRNG" is refused.
  const auto bs = blocks();
  ProverState state(genesis(), 1);
  auto one = prove_range(state, std::span(bs).first(1), kParams);
  REQUIRE(one);
  auto decoded = decode_proof(one->bytes);
  REQUIRE(decoded);
  ByteWriter w;
  w.raw(std::string_view("RRNG")).u8(1).u8(static_cast<std::uint8_t>(decoded->first.depth)).u32(1);
  const std::size_t magic_and_depth = 6;
  w.raw(std::span(one->bytes).subspan(magic_and_depth));
  const Bytes as_range = w.take();
  CHECK(proof_block_count(as_range) == 1);
  REQUIRE(!decode_proof(as_range));
  CHECK(decode_proof(as_range).error().reason == Rejection::encoding);
  CHECK(rejection(std::span(bs).first(1), claim_of(*one), as_range) == Rejection::encoding);
}

TEST_CASE("air range: the contract's verifier gives the effects, or the reason with Errc::rejected", "[air][range]") {
  const auto bs = blocks();
  ProverState state(genesis(), 1);
  auto p = prove_range(state, std::span(bs).first(2), kParams);
  REQUIRE(p);
  l1::Config config;
  config.chain_id = kChain;
  config.namespace_id = kNamespace;
  l1::ProofClaim claim{p->height, p->block_hash, p->pre_root, p->post_root, p->pre_keys, p->post_keys, p->last_height};
  auto effects = verify_for_contract(std::span(bs).first(2), config, claim, p->bytes);
  REQUIRE(effects);
  REQUIRE(*effects);
  CHECK((*effects)->post_keys == p->post_keys);
  CHECK((*effects)->withdrawal_heights == std::vector<std::uint64_t>{1, 2});
  CHECK((*effects)->failed_deposits == std::vector<std::uint64_t>{2});
  CHECK(contract_verifier()(std::span(bs).first(2), config, claim, p->bytes));

  claim.block_hash = bs[1].hash;
  auto refused = verify_for_contract(std::span(bs).first(2), config, claim, p->bytes);
  REQUIRE(refused);
  REQUIRE(!*refused);
  CHECK(refused->error().reason == Rejection::wrong_block_hash);
  auto as_contract = contract_verifier()(std::span(bs).first(2), config, claim, p->bytes);
  REQUIRE(!as_contract);
  CHECK(as_contract.error().code == Errc::rejected);
  CHECK(as_contract.error().message == refused->error().message());

  // A claim of one block (last height 0, the contract's form) for the two-block proof.
  claim.block_hash = p->block_hash;
  claim.last_height = 0;
  auto one = verify_for_contract(std::span(bs).first(1), config, claim, p->bytes);
  REQUIRE(one);
  REQUIRE(!*one);
  CHECK(one->error().reason == Rejection::wrong_blocks);
}

TEST_CASE("air range: a trace budget cuts a range after its first blocks and leaves the state after the last "
          "proven one", "[air][range]") {
  const auto bs = blocks();
  ProverState whole(genesis(), 1);
  auto all = prove_range(whole, bs, kParams);
  REQUIRE(all);
  // A budget just below the whole range's trace: the first blocks are proven, the rest left.
  ProverState state(genesis(), 1);
  ProveOptions options;
  options.max_trace_rows = all->trace_rows - 1;
  auto p = prove_range(state, bs, kParams, options);
  REQUIRE(p);
  const std::size_t proven = p->last_height;
  REQUIRE(proven >= 1);
  REQUIRE(proven < bs.size());
  CHECK(p->trace_rows <= options.max_trace_rows);
  ProverState reference(genesis(), 1);
  for (std::size_t i = 0; i < proven; ++i) reference.advance(bs[i], kParams, 1);
  CHECK(p->post_root == hash::digest_bytes(reference.state().root()));
  CHECK(p->post_keys == reference.keys().commitment());
  CHECK(hash::digest_bytes(state.state().root()) == p->post_root);
  CHECK(state.keys().commitment() == p->post_keys);
  CHECK(state.state().size() == reference.state().size());
  REQUIRE(verify(std::span(bs).first(proven), claim_of(*p), p->bytes));
  // The rest is the next proof, from the state left.
  auto rest = prove_range(state, std::span(bs).subspan(proven), kParams);
  REQUIRE(rest);
  CHECK(rest->pre_root == p->post_root);
  CHECK(rest->post_root == all->post_root);
  REQUIRE(verify(std::span(bs).subspan(proven), claim_of(*rest), rest->bytes));
}
