#include "air/block_proof.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <thread>

#include "core/memory.hpp"
#include "ecgfp5/schnorr.hpp"
#include "hash/rpo.hpp"
#include "smt/subtree.hpp"
#include "smt/tree.hpp"
#include "stark/prover.hpp"
#include "stark/verifier.hpp"

namespace rollup::air {

namespace {

using Clock = std::chrono::steady_clock;

// One block's proofs keep the encoding they were first written in; two or more blocks have
// their own magic. Each block count has exactly one encoding.
constexpr std::array<std::uint8_t, 4> kBlockMagic = {'R', 'B', 'L', 'K'};
constexpr std::array<std::uint8_t, 4> kRangeMagic = {'R', 'R', 'N', 'G'};
constexpr std::uint8_t kOldestVersion = 1;  ///< of both forms; kSignatureProofVersion is the newest

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::unexpected<Rejected> reject(Rejection reason, std::string detail) {
  return std::unexpected(Rejected{reason, std::move(detail)});
}

// Signature checks dominate a verification; a few threads are worth their start-up.
unsigned verify_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

/// Checks the block's hashes; returns the ids of the rollup's txs (their receipts need them too).
Checked<std::vector<Hash32>> check_block(const codec::Block& block, const vm::RollupParams& params) {
  if (block.compute_hash() != block.hash) return reject(Rejection::bad_block, "the block's hash does not match its contents");
  std::vector<Hash32> ids;
  if (const auto* ns = block.find_namespace(params.namespace_id)) {
    ids.reserve(ns->txs.size());
    for (const auto& tx : ns->txs) ids.push_back(tx.id());
    if (codec::tx_list_hash_of_ids(ids) != ns->tx_hash)
      return reject(Rejection::bad_block, "the namespace's tx-list hash does not match its txs");
  }
  return ids;
}

/// The fixed start of either form: magic, version, depth, and the block count (1 for "RBLK").
struct Prefix {
  unsigned depth = 0;
  std::uint32_t blocks = 0;
  std::uint8_t version = 0;
};

Checked<Prefix> read_prefix(ByteReader& r) {
  constexpr Rejection kEncoding = Rejection::encoding;
  std::array<std::uint8_t, 4> magic{};
  std::uint8_t version = 0, depth = 0;
  if (!r.raw(magic) || (magic != kBlockMagic && magic != kRangeMagic)) return reject(kEncoding, "not a block proof (magic)");
  const bool range = magic == kRangeMagic;
  if (!r.u8(version) || version < kOldestVersion || version > kSignatureProofVersion)
    return reject(kEncoding, range ? "unknown range proof version" : "unknown block proof version");
  if (version == kRetiredSignatureProofVersion)
    return reject(kEncoding, fmt::format("a version {} proof carries a SchnorrAir v1 signature proof, whose layout is no "
                                         "longer verified: prove the blocks again (version {})",
                                         kRetiredSignatureProofVersion, kSignatureProofVersion));
  if (!r.u8(depth) || !valid_depth(depth)) return reject(kEncoding, "invalid subtree depth");
  Prefix p{depth, 1, version};
  // One block is always "RBLK", never a range of one.
  if (range && (!r.u32(p.blocks) || p.blocks < 2 || p.blocks > r.remaining() / 4))
    return reject(kEncoding, "invalid block count");
  return p;
}

/// The version byte of a proof whose prefix decodes; 0 otherwise.
std::uint8_t version_of(std::span<const std::uint8_t> proof) {
  ByteReader r(proof);
  const auto prefix = read_prefix(r);
  return prefix ? prefix->version : 0;
}

/// One block's claims: u32 count, then one byte per receipt.
Checked<void> read_claims(ByteReader& r, std::vector<ReceiptClaim>& out) {
  std::uint32_t count = 0;
  if (!r.u32(count) || count > r.remaining()) return reject(Rejection::encoding, "truncated receipt claims");
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint8_t b = 0;
    r.u8(b);
    auto c = decode_claim(b);
    if (!c) return reject(Rejection::encoding, c.error().message);
    out.push_back(*c);
  }
  return {};
}

/// The signature section (versions 4, 6, 7): u32 bit count, the bits packed eight to a byte (bit
/// i in byte i / 8 at 1 << (i % 8), the last byte's unused bits zero); in version 7, u32 key id
/// count and the ids, 32 bytes each (canonical digests); u32 length, the SchnorrAir proof.
Checked<void> read_signature_section(ByteReader& r, ProofHeader& h) {
  constexpr Rejection kEncoding = Rejection::encoding;
  std::uint32_t count = 0;
  if (!r.u32(count) || (std::uint64_t{count} + 7) / 8 > r.remaining()) return reject(kEncoding, "truncated signature bits");
  h.signature_bits.resize(count);
  for (std::uint32_t byte_index = 0; byte_index < (count + 7) / 8; ++byte_index) {
    std::uint8_t byte = 0;
    r.u8(byte);
    for (unsigned b = 0; b < 8; ++b) {
      const std::uint64_t i = std::uint64_t{byte_index} * 8 + b;
      const bool bit = (byte >> b) & 1;
      if (i < count) h.signature_bits[i] = bit;
      else if (bit) return reject(kEncoding, "a signature bit beyond the count is set");
    }
  }
  if (hashes_challenge(signature_layout_of(h.version))) {
    std::uint32_t ids = 0;
    if (!r.u32(ids) || std::uint64_t{ids} * 32 > r.remaining()) return reject(kEncoding, "truncated key ids");
    h.key_ids.resize(ids);
    for (auto& id : h.key_ids) {
      std::array<std::uint8_t, 32> raw{};
      r.raw(raw);
      const auto digest = hash::digest_from_bytes(raw);
      if (!digest) return reject(kEncoding, "a key id is not a canonical digest");
      id = *digest;
    }
  }
  std::uint32_t length = 0;
  if (!r.u32(length) || length > r.remaining()) return reject(kEncoding, "truncated signature proof");
  h.signature_proof.resize(length);
  r.raw(h.signature_proof);
  return {};
}

void write_signature_section(ByteWriter& w, const ProofHeader& h) {
  w.u32(static_cast<std::uint32_t>(h.signature_bits.size()));
  for (std::size_t first = 0; first < h.signature_bits.size(); first += 8) {
    std::uint8_t byte = 0;
    for (std::size_t b = 0; b < 8 && first + b < h.signature_bits.size(); ++b)
      if (h.signature_bits[first + b]) byte |= static_cast<std::uint8_t>(1u << b);
    w.u8(byte);
  }
  if (hashes_challenge(signature_layout_of(h.version))) {
    w.u32(static_cast<std::uint32_t>(h.key_ids.size()));
    for (const auto& id : h.key_ids) w.raw(hash::digest_bytes(id));
  }
  w.u32(static_cast<std::uint32_t>(h.signature_proof.size()));
  w.raw(h.signature_proof);
}

Checked<void> read_subtree_roots(ByteReader& r, std::initializer_list<Digest*> roots) {
  for (Digest* d : roots) {
    std::array<std::uint8_t, 32> raw{};
    if (!r.raw(raw)) return reject(Rejection::encoding, "truncated subtree roots");
    auto digest = hash::digest_from_bytes(raw);
    if (!digest) return reject(Rejection::encoding, "a subtree root is not a canonical digest");
    *d = *digest;
  }
  return {};
}

/// Sets the public values a proof's header and claim fix and checks that the proof's subtree
/// roots stand for the claimed roots. They do only if they lift to them (collision resistance of
/// RPO: every leaf outside the subtree is then empty).
Checked<void> bind_subtree_roots(BlockPublics& pub, const ProofHeader& header, const RangeProofClaim& claim,
                          std::uint64_t created) {
  pub.pre_root = claim.pre_root;
  pub.post_root = claim.post_root;
  pub.pre_keys = claim.pre_keys;
  pub.depth = header.depth;
  pub.sub_pre_state = header.sub_pre_state;
  pub.sub_post_state = header.sub_post_state;
  pub.sub_pre_keys = header.sub_pre_keys;
  pub.sub_post_keys = header.sub_post_keys;
  pub.post_keys = {hash::digest_bytes(smt::lift_root(header.sub_post_keys, header.depth)), claim.pre_keys.count + created};
  if (hash::digest_bytes(smt::lift_root(header.sub_pre_state, header.depth)) != claim.pre_root)
    return reject(Rejection::root_mismatch, "the proof's pre-state does not lift to the claimed pre-state root");
  if (hash::digest_bytes(smt::lift_root(header.sub_post_state, header.depth)) != claim.post_root)
    return reject(Rejection::root_mismatch, "the proof's post-state does not lift to the claimed post-state root");
  if (hash::digest_bytes(smt::lift_root(header.sub_pre_keys, header.depth)) != claim.pre_keys.root)
    return reject(Rejection::keys_mismatch, "the proof's key set does not lift to the claimed pre-block key set");
  if (pub.post_keys.count >= (std::uint64_t{1} << header.depth))
    return reject(Rejection::bad_public_inputs, "the accounts do not fit the proof's subtree depth");
  return {};
}

/// What the STARK is checked against: the AIR's public values and program, from the blocks, the
/// claim and the proof's header; and what the blocks make happen if it holds.
struct Statement {
  BlockPublics publics;
  std::vector<Op> ops;
  std::span<const std::uint8_t> stark_proof;
  RangeProofReport report;  ///< without the STARK's figures
  AirLayout layout = AirLayout::v2;
};

/// The signature bits of block `index`'s txs, given its receipt claims.
using SignatureBits = std::function<std::vector<bool>(std::size_t index, std::span<const ReceiptClaim> claims)>;

Checked<Statement> statement_of(std::span<const codec::Block> blocks, const vm::RollupParams& params,
                                const RangeProofClaim& claim, std::span<const std::uint8_t> proof,
                                const SignatureBits& signature_bits, const KnownKeyIds* known_ids) {
  if (blocks.empty() || claim.last_height < claim.first_height ||
      claim.last_height - claim.first_height + 1 != blocks.size())
    return reject(Rejection::wrong_blocks, "the blocks are not the claimed range");
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].height != claim.first_height + i)
      return reject(Rejection::wrong_blocks, "the blocks are not the claimed heights, in order");
  if (blocks.front().hash != claim.block_hash) return reject(Rejection::wrong_block_hash, "the block is not the claimed block");
  auto [header, stark_bytes] = ROLLUP_TRY(decode_proof(proof));
  if (header.claims.size() != blocks.size())
    return reject(Rejection::wrong_blocks, "the proof covers another number of blocks");

  // What the verifier trusts: the blocks' data, and signature bits of its own.
  Statement st;
  st.stark_proof = stark_bytes;
  st.layout = layout_of(header.version);
  BlockPublics& pub = st.publics;
  pub.chain_id = params.chain_id;
  pub.namespace_id = params.namespace_id;
  pub.height = claim.first_height;
  std::uint64_t created = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const codec::Block& block = blocks[i];
    const std::vector<Hash32> tx_ids = ROLLUP_TRY(check_block(block, params));
    const auto signatures = signature_bits(i, header.claims[i]);
    auto program = build_program(block, params, signatures, header.claims[i],
                                 header.version == 1 ? FeeCredits::per_tx : FeeCredits::deferred, tx_ids,
                                 known_ids);
    if (!program) {
      return reject(Rejection::claims_contradict_block, fmt::format("block {}: {}", block.height, program.error().message));
    }
    if (st.ops.empty()) st.ops = std::move(program->ops);  // a single block's: no copy
    else st.ops.insert(st.ops.end(), program->ops.begin(), program->ops.end());
    created += program->created;
    pub.block_hashes.push_back(block.hash);
    st.report.blocks.push_back({block.height, std::move(program->withdrawals),
                                std::move(program->failed_deposits), std::move(program->receipts)});
  }
  ROLLUP_TRY(bind_subtree_roots(pub, header, claim, created));
  return st;
}

/// Whether a v3 signature claim proves the key id of the tx's `to` (a transfer to an ECgFp5
/// key); otherwise its `to_key` is zero and its proven id names no key of the tx.
bool proves_to_key_id(const codec::Tx& tx) {
  return tx.type == codec::TxType::transfer && tx.to.size() == Gfp5::kEncodedSize;
}

/// The signature bits a block's receipt claims imply: a tx's signature fails exactly when its
/// claim says bad_signature. (A tx without a claim gets 1: build_program refuses the count.)
std::vector<bool> implied_signature_bits(const codec::Block& block, const vm::RollupParams& params,
                                         std::span<const ReceiptClaim> claims) {
  const auto& txs = vm::rollup_txs(block, params.namespace_id);
  std::vector<bool> bits(txs.size(), true);
  const std::size_t first = block.deposits_of(params.namespace_id).deposits.size();  // build_program's order
  for (std::size_t i = 0; i < txs.size() && first + i < claims.size(); ++i)
    bits[i] = claims[first + i].reason != vm::Reason::bad_signature;
  return bits;
}

/// The options both STARKs of a proof are verified against: exactly the standard ones the prover
/// uses (ProveOptions{}.stark), so that no prover can trade queries for grinding (docs/stark.md §7).
stark::VerifyOptions pinned_options(unsigned min_security_bits) {
  auto options = stark::VerifyOptions::pinned_to(ProveOptions{}.stark);
  options.min_security_bits = min_security_bits;
  return options;
}

/// The statement with the given signature bits, then the STARK against it.
Result<Checked<RangeProofReport>> verify_statement(std::span<const codec::Block> blocks,
                                                   const vm::RollupParams& params, const RangeProofClaim& claim,
                                                   std::span<const std::uint8_t> proof, unsigned min_security_bits,
                                                   const SignatureBits& signature_bits,
                                                   const KnownKeyIds* known_ids = nullptr) {
  using Verdict = Checked<RangeProofReport>;
  auto statement = statement_of(blocks, params, claim, proof, signature_bits, known_ids);
  if (!statement) return Verdict(std::unexpected(std::move(statement.error())));
  RangeProofReport report = std::move(statement->report);
  const RollupAir air(std::move(statement->publics), std::move(statement->ops), statement->layout);
  auto verified = stark::verify(air, statement->stark_proof, pinned_options(min_security_bits));
  if (!verified) {
    // A shape the STARK cannot take (a trace too long for its subtree depth) is the proof's
    // fault as much as a bad opening; only running out of memory is not a verdict.
    if (verified.error().code == Errc::internal) return std::unexpected(verified.error());
    return Verdict(reject(Rejection::stark_rejected, verified.error().message));
  }
  report.security_bits = verified->security_bits;
  report.proof_bytes = proof.size();
  report.post_keys = air.publics().post_keys;
  return Verdict(std::move(report));
}

/// Appends to `claims` the claim of each tx of `built` that has one, its result the tx's bit
/// (bits[first_bit + i] for built[i]); the index in `built` of the first tx that has no claim
/// but bit 1, if any: its bytes make its signature invalid, so that bit is a contradiction.
std::optional<std::size_t> claims_with_bits(std::span<std::optional<SignatureClaim>> built, const std::vector<bool>& bits,
                                            std::size_t first_bit, std::vector<SignatureClaim>& claims) {
  for (std::size_t i = 0; i < built.size(); ++i) {
    const bool bit = bits[first_bit + i];
    if (!built[i]) {
      if (bit) return i;
      continue;
    }
    built[i]->valid = bit;
    claims.push_back(std::move(*built[i]));
  }
  return std::nullopt;
}

/// An ecgfp5 rollup's proof: no signature is checked here. The bits come from the proof; the
/// rollup STARK is verified with them, and the SchnorrAir proof with the claims the verifier
/// builds from the txs' bytes and those same bits as their results (docs/air.md §6).
Result<Checked<RangeProofReport>> verify_signature_proven(std::span<const codec::Block> blocks,
                                                          const vm::RollupParams& params,
                                                          const RangeProofClaim& claim,
                                                          std::span<const std::uint8_t> proof,
                                                          unsigned min_security_bits) {
  using Verdict = Checked<RangeProofReport>;
  auto decoded = decode_proof(proof);
  if (!decoded) return Verdict(std::unexpected(std::move(decoded.error())));
  const ProofHeader& header = decoded->first;
  if (!carries_signature_proof(header.version))
    return Verdict(reject(Rejection::encoding, fmt::format("an ecgfp5 rollup's proof must be version {} (or 4, 6 or 7), with its signature proof",
                                                           kSignatureProofVersion)));
  const std::vector<bool>& proof_bits = header.signature_bits;
  const SchnorrLayout layout = signature_layout_of(header.version);
  auto build_claims = [&] {
    std::vector<std::optional<SignatureClaim>> claims;
    for (const auto& block : blocks) {
      auto of_block = signature_claims_of(vm::rollup_txs(block, params.namespace_id), params, layout);
      claims.insert(claims.end(), std::make_move_iterator(of_block.begin()), std::make_move_iterator(of_block.end()));
    }
    return claims;
  };
  // Layout v2's claims (byte checks and a challenge hash per tx) need neither the bits nor the
  // statement: they are built on their own thread while the rollup STARK is checked. Layout v3's
  // and v4's are byte checks alone, and they come first: they say which keys the proof's key ids
  // are of.
  std::future<std::vector<std::optional<SignatureClaim>>> building;
  std::vector<std::optional<SignatureClaim>> built;
  KnownKeyIds known_ids;
  const bool hashed = hashes_challenge(layout);
  if (hashed) {
    built = build_claims();
    const std::size_t with_claim =
        static_cast<std::size_t>(std::count_if(built.begin(), built.end(), [](const auto& c) { return c.has_value(); }));
    if (header.key_ids.size() != 2 * with_claim)
      return Verdict(reject(Rejection::claims_contradict_block,
                            fmt::format("the proof has {} key ids for {} signature claims (two each)",
                                        header.key_ids.size(), with_claim)));
    std::size_t t = 0, next_id = 0;
    known_ids.reserve(header.key_ids.size());
    for (const auto& block : blocks)
      for (const codec::Tx& tx : vm::rollup_txs(block, params.namespace_id)) {
        auto& claim = built[t++];
        if (!claim) continue;
        claim->from_id = header.key_ids[next_id++];
        claim->to_id = header.key_ids[next_id++];
        known_ids.emplace_back(tx.from, hash::digest_bytes(claim->from_id));
        if (proves_to_key_id(tx)) known_ids.emplace_back(tx.to, hash::digest_bytes(claim->to_id));
      }
    std::sort(known_ids.begin(), known_ids.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    known_ids.erase(std::unique(known_ids.begin(), known_ids.end(),
                                [](const auto& a, const auto& b) { return a.first == b.first; }),
                    known_ids.end());
  } else {
    building = std::async(std::launch::async, build_claims);
  }
  std::size_t taken = 0;
  auto verdict = verify_statement(blocks, params, claim, proof, min_security_bits,
                                  [&](std::size_t index, std::span<const ReceiptClaim>) {
                                    // Too few bits leave the block a short list, which
                                    // build_program refuses as a contradiction.
                                    const std::size_t txs = vm::rollup_txs(blocks[index], params.namespace_id).size();
                                    const std::size_t end = std::min(taken + txs, proof_bits.size());
                                    std::vector<bool> bits(proof_bits.begin() + static_cast<std::ptrdiff_t>(taken),
                                                           proof_bits.begin() + static_cast<std::ptrdiff_t>(end));
                                    taken = end;
                                    return bits;
                                  },
                                  hashed ? &known_ids : nullptr);
  if (!verdict || !*verdict) return verdict;
  if (taken != proof_bits.size())
    return Verdict(reject(Rejection::claims_contradict_block, "the proof has more signature bits than the blocks have txs"));

  if (!hashed) built = building.get();
  std::vector<SignatureClaim> claims;
  claims.reserve(built.size());
  std::size_t first = 0;
  for (const auto& block : blocks) {
    const std::size_t txs = vm::rollup_txs(block, params.namespace_id).size();
    if (const auto bad = claims_with_bits(std::span(built).subspan(first, txs), proof_bits, first, claims))
      return Verdict(reject(Rejection::claims_contradict_block,
                            fmt::format("block {}: tx {}'s bytes make its signature invalid, but the proof's bit is 1",
                                        block.height, *bad)));
    first += txs;
  }
  const ecgfp5::SigningDomain domain{params.chain_id, params.namespace_id};
  const auto signatures = make_schnorr_air(layout, domain, std::move(claims));
  auto checked = stark::verify(*signatures, header.signature_proof, pinned_options(min_security_bits));
  if (!checked) {
    if (checked.error().code == Errc::internal) return std::unexpected(checked.error());
    return Verdict(reject(Rejection::signature_proof_rejected, "the signature proof: " + checked.error().message));
  }
  (*verdict)->security_bits = std::min((*verdict)->security_bits, checked->security_bits);
  return verdict;
}

/// The signature proof of `blocks` (those the range proves): the claims of their txs with the prover's
/// bits, proven with SchnorrAir; the bits of every tx go to the header.
Status prove_signatures(std::span<const codec::Block> blocks, std::span<const std::vector<bool>> bits,
                        const vm::RollupParams& params, const ProveOptions& options, ProofHeader& header,
                        BlockProof& out) {
  const auto start = Clock::now();
  const SchnorrLayout layout = signature_layout_of(header.version);
  const ecgfp5::SigningDomain domain{params.chain_id, params.namespace_id};
  std::vector<SignatureClaim> claims;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    auto block_claims = signature_claims_of(vm::rollup_txs(blocks[b], params.namespace_id), params, layout);
    header.signature_bits.insert(header.signature_bits.end(), bits[b].begin(), bits[b].end());
    // The native check and the byte checks must agree, or the verifier refuses the proof.
    if (const auto bad = claims_with_bits(block_claims, bits[b], 0, claims))
      return fail(Errc::internal, fmt::format("block {}: tx {} verifies natively but has no signature claim",
                                              blocks[b].height, *bad));
  }
  const bool hashed = hashes_challenge(layout);
  if (hashed)
    for (auto& claim : claims) {
      set_key_ids(claim);
      header.key_ids.push_back(claim.from_id);
      header.key_ids.push_back(claim.to_id);
    }
  std::vector<SignatureWitness> witnesses;
  witnesses.reserve(claims.size());
  for (const auto& claim : claims) witnesses.push_back(hashed ? witness_of(claim, domain) : witness_of(claim));
  out.signature_claims = claims.size();
  const auto air = make_schnorr_air(layout, domain, std::move(claims));
  const unsigned threads = std::max(1u, options.threads);
  stark::Trace trace = ROLLUP_TRY(hashed ? SchnorrAir::build_trace(witnesses, domain, threads, layout)
                                         : SchnorrAir::build_trace(witnesses, threads));
  out.signature_rows = trace.length();
  auto proof = stark::prove(*air, std::move(trace), options.stark, std::max(1u, options.threads));
  if (!proof) {
    if (proof.error().code == Errc::bad_input)
      return fail(Errc::internal, "the signature proof: " + proof.error().message);
    return std::unexpected(proof.error());
  }
  header.signature_proof = ROLLUP_TRY(stark::serialize(*proof));
  out.signature_timings = proof->timings;
  out.signature_ms = ms_since(start);
  return {};
}

}  // namespace

std::vector<std::optional<SignatureClaim>> signature_claims_of(std::span<const codec::Tx> txs,
                                                               const vm::RollupParams& params,
                                                               SchnorrLayout layout) {
  constexpr std::size_t kW = Gfp5::kEncodedSize;
  std::vector<std::optional<SignatureClaim>> claims(txs.size());
  std::vector<std::vector<Felt>> challenge_inputs;
  std::vector<std::size_t> with_claim;
  for (std::size_t t = 0; t < txs.size(); ++t) {
    const codec::Tx& tx = txs[t];
    if (tx.chain_id != params.chain_id || tx.namespace_id != params.namespace_id) continue;
    if (tx.from.size() != kW || tx.sig.size() != 2 * kW) continue;
    // Byte checks only: a key whose w encodes no non-neutral group element still gets a claim,
    // and the SchnorrAir proves its result 0 (key_valid = 0), so the verifier decodes nothing.
    const auto key_w = Gfp5::from_bytes(std::span<const std::uint8_t, kW>(tx.from.data(), kW));
    SignatureClaim claim;
    if (!key_w || !read_signature_fields(std::span<const std::uint8_t, 2 * kW>(tx.sig.data(), 2 * kW), claim)) continue;
    claim.public_key = *key_w;
    const Bytes message = tx.signing_message();
    if (hashes_challenge(layout)) {
      // The AIR hashes the challenge from these bytes; the verifier hashes nothing. A 40-byte
      // key's message is 135 bytes unless `to` has another size, which parse_tx refuses.
      if (message.size() != kSignedMessageBytes) continue;
      std::copy(message.begin(), message.end(), claim.message.begin());
      if (proves_to_key_id(tx)) claim.to_key = smt::key_id_elements(tx.to);
      claims[t] = claim;
      continue;
    }
    claims[t] = claim;
    challenge_inputs.push_back(ecgfp5::challenge_elements({params.chain_id, params.namespace_id}, *key_w,
                                                          claim.commitment, message));
    with_claim.push_back(t);
  }
  // The challenge's digest is e's four limbs (ecgfp5::challenge).
  const auto digests = hash::hash_elements_many(challenge_inputs);
  for (std::size_t c = 0; c < with_claim.size(); ++c) claims[with_claim[c]]->challenge = digests[c];
  return claims;
}

std::optional<SignatureClaim> signature_claim_of(const codec::Tx& tx, const vm::RollupParams& params,
                                                 SchnorrLayout layout) {
  return signature_claims_of(std::span<const codec::Tx>(&tx, 1), params, layout).front();
}

std::string_view describe(Rejection reason) {
  switch (reason) {
    case Rejection::encoding: return "not an exact proof encoding";
    case Rejection::wrong_blocks: return "not the claimed blocks";
    case Rejection::wrong_block_hash: return "not the claimed first block";
    case Rejection::bad_block: return "a block does not match its hashes";
    case Rejection::claims_contradict_block: return "receipt claims contradict the block";
    case Rejection::root_mismatch: return "not the claimed state roots";
    case Rejection::keys_mismatch: return "not the claimed key set";
    case Rejection::bad_public_inputs: return "inconsistent public inputs";
    case Rejection::stark_rejected: return "the STARK proof does not verify";
    case Rejection::signature_proof_rejected: return "the signature proof does not verify";
  }
  return "unknown rejection";
}

Bytes encode_proof(const ProofHeader& h, std::span<const std::uint8_t> stark_proof) {
  ByteWriter w;
  const bool range = h.claims.size() > 1;
  w.raw(range ? kRangeMagic : kBlockMagic).u8(h.version).u8(static_cast<std::uint8_t>(h.depth));
  if (range) w.u32(static_cast<std::uint32_t>(h.claims.size()));
  for (const auto& block : h.claims) {
    w.u32(static_cast<std::uint32_t>(block.size()));
    for (const auto& c : block) w.u8(encode_claim(c));
  }
  for (const Digest* d : {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys})
    w.raw(hash::digest_bytes(*d));
  if (carries_signature_proof(h.version)) write_signature_section(w, h);
  w.raw(stark_proof);
  return w.take();
}

Checked<std::pair<ProofHeader, std::span<const std::uint8_t>>> decode_proof(std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  const Prefix prefix = ROLLUP_TRY(read_prefix(r));
  ProofHeader h;
  h.depth = prefix.depth;
  h.version = prefix.version;
  h.claims.resize(prefix.blocks);
  for (auto& claims : h.claims) ROLLUP_TRY(read_claims(r, claims));
  ROLLUP_TRY(read_subtree_roots(r, {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys}));
  if (carries_signature_proof(h.version)) ROLLUP_TRY(read_signature_section(r, h));
  const std::size_t header = bytes.size() - r.remaining();
  return std::pair{std::move(h), bytes.subspan(header)};
}

std::uint64_t proof_block_count(std::span<const std::uint8_t> proof) {
  ByteReader r(proof);
  const auto prefix = read_prefix(r);
  return prefix ? prefix->blocks : 1;
}

Result<Checked<RangeProofReport>> verify_range_proof(std::span<const codec::Block> blocks,
                                                     const vm::RollupParams& params,
                                                     const RangeProofClaim& claim,
                                                     std::span<const std::uint8_t> proof,
                                                     unsigned min_security_bits) {
  const auto start = Clock::now();
  if (params.scheme == crypto::SignatureScheme::ecgfp5) {
    auto verdict = verify_signature_proven(blocks, params, claim, proof, min_security_bits);
    if (verdict && *verdict) (*verdict)->verify_ms = ms_since(start);
    return verdict;
  }
  // Each proof has one encoding: an Ed25519 rollup's has no signature section.
  if (const std::uint8_t version = version_of(proof); carries_signature_proof(version))
    return Checked<RangeProofReport>(
        reject(Rejection::encoding, fmt::format("version {} is an ecgfp5 rollup's proof; an Ed25519 rollup's has no signature proof",
                                                version)));
  // The signatures are most of a verification's work, and the program does not need them: a
  // tx's ops follow from its claim alone, and its signature bit only has to agree with the claim
  // (bad_signature exactly when the signature fails, build_program). So the statement and the
  // STARK are checked with the bits the claims imply while the signatures are checked beside
  // them; the verdict stands if every bit used was the real one. Otherwise it is taken again with
  // the real bits, in the original order, so that each proof gets the same verdict and reason.
  auto checking = std::async(std::launch::async, [&] {
    std::vector<std::vector<bool>> bits;
    for (const auto& block : blocks)
      bits.push_back(vm::check_signatures(vm::rollup_txs(block, params.namespace_id), params, verify_threads()));
    return bits;
  });
  std::vector<std::vector<bool>> claimed;
  auto verdict = verify_statement(blocks, params, claim, proof, min_security_bits,
                                  [&](std::size_t index, std::span<const ReceiptClaim> claims) {
                                    claimed.push_back(implied_signature_bits(blocks[index], params, claims));
                                    return claimed.back();
                                  });
  const std::vector<std::vector<bool>> real = checking.get();
  if (!std::equal(claimed.begin(), claimed.end(), real.begin()))
    verdict = verify_statement(blocks, params, claim, proof, min_security_bits,
                               [&](std::size_t index, std::span<const ReceiptClaim>) { return real[index]; });
  if (verdict && *verdict) (*verdict)->verify_ms = ms_since(start);
  return verdict;
}

Result<BlockProof> prove_range(ProverState& state, std::span<const codec::Block> blocks,
                               const vm::RollupParams& params, const ProveOptions& options) {
  if (blocks.empty()) return fail(Errc::bad_input, "a proof needs at least one block");
  for (std::size_t i = 1; i < blocks.size(); ++i)
    if (blocks[i].height != blocks[0].height + i)
      return fail(Errc::bad_input, "a range proof's blocks must have consecutive heights");
  const auto start = Clock::now();
  // The rollup STARK's freed cosets are the SchnorrAir proof's, already faulted in.
  const RetainHugePages retain;
  const unsigned threads = std::max(1u, options.threads);
  const std::string span = blocks.size() == 1 ? fmt::format("block {}", blocks.front().height)
                                              : fmt::format("blocks {}..{}", blocks.front().height, blocks.back().height);

  // Each block's witness starts where the previous one's ends. The blocks share one subtree
  // depth, the one the accounts after the last block need, known only then: the witnesses keep
  // whole paths until it is (make_full_witness, set_depth), so that no state is copied to find
  // it. Only the latest post-state is held.
  std::vector<std::vector<bool>> signatures;
  std::vector<BlockWitness> witnesses;
  const ProverState* pre = &state;
  std::optional<ProverState> post;
  for (const auto& block : blocks) {
    signatures.push_back(vm::check_signatures(vm::rollup_txs(block, params.namespace_id), params, threads));
    auto w = ROLLUP_TRY(make_full_witness(*pre, block, params, signatures.back(), threads));
    post.emplace(std::move(w.post_state), std::move(w.post_keys));
    w.post_state = {};
    w.post_keys = {};
    pre = &*post;
    witnesses.push_back(std::move(w));
  }
  const unsigned depth = depth_for(post->state().size() + 1);
  if (depth == 0) return fail(Errc::internal, "the state outgrows the largest subtree depth");

  BlockPublics pub;
  ProofHeader header;
  header.depth = depth;
  header.version =
      proof_version_for(options.layout, params.scheme == crypto::SignatureScheme::ecgfp5, options.signature_layout);
  std::vector<Op> ops;
  std::vector<OpWitness> witness;
  std::size_t proven = blocks.size();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    BlockWitness& w = witnesses[i];
    ROLLUP_TRY(set_depth(w, depth));
    // The prover's memory follows its trace: a range ends before the block that would take the
    // trace past the budget, and the blocks left are the caller's next proof. A single block
    // always goes ahead (the contract's work cap bounds it).
    if (i > 0 && options.max_trace_rows != 0 &&
        RollupAir::trace_length_for(ops.size() + w.program.ops.size(), depth) > options.max_trace_rows) {
      proven = i;
      break;
    }
    if (i == 0) {
      pub = w.publics;
    } else {
      pub.post_root = w.publics.post_root;
      pub.post_keys = w.publics.post_keys;
      pub.sub_post_state = w.publics.sub_post_state;
      pub.sub_post_keys = w.publics.sub_post_keys;
      pub.block_hashes.push_back(blocks[i].hash);
    }
    header.claims.push_back(std::move(w.claims));
    ops.insert(ops.end(), w.program.ops.begin(), w.program.ops.end());
    witness.insert(witness.end(), std::make_move_iterator(w.ops.begin()), std::make_move_iterator(w.ops.end()));
  }
  std::vector<BlockWitness>().swap(witnesses);
  if (proven < blocks.size()) {
    // The state after the last block proven was passed on the way: replay up to it.
    post.emplace(state);
    for (std::size_t i = 0; i < proven; ++i) post->advance(blocks[i], params, threads);
  }
  header.sub_pre_state = pub.sub_pre_state;
  header.sub_post_state = pub.sub_post_state;
  header.sub_pre_keys = pub.sub_pre_keys;
  header.sub_post_keys = pub.sub_post_keys;

  BlockProof out;
  out.witness_ms = ms_since(start);
  out.height = blocks.front().height;
  out.last_height = blocks[proven - 1].height;
  out.block_hash = blocks.front().hash;
  out.pre_root = pub.pre_root;
  out.post_root = pub.post_root;
  out.pre_keys = pub.pre_keys;
  out.post_keys = pub.post_keys;
  out.depth = depth;
  out.ops = ops.size();

  const auto t_trace = Clock::now();
  RollupAir air(std::move(pub), std::move(ops), options.layout);
  stark::Trace trace = build_trace(air, witness, threads);
  out.trace_ms = ms_since(t_trace);
  out.trace_rows = trace.length();
  out.trace_width = trace.width();
  auto proof = stark::prove(air, std::move(trace), options.stark, threads);
  if (!proof) {
    // The honest prover's trace always satisfies the AIR: a refusal is a bug here.
    if (proof.error().code == Errc::bad_input) return fail(Errc::internal, span + ": " + proof.error().message);
    return std::unexpected(proof.error());
  }
  out.timings = proof->timings;
  auto stark_bytes = ROLLUP_TRY(stark::serialize(*proof));
  out.security_bits = stark::proof_shape(proof->params)->security_bits;
  if (params.scheme == crypto::SignatureScheme::ecgfp5)
    ROLLUP_TRY(prove_signatures(blocks.first(proven), std::span(signatures).first(proven), params, options, header, out));
  out.bytes = encode_proof(header, stark_bytes);
  state = std::move(*post);
  out.prove_ms = ms_since(start);
  return out;
}

ProofLine proof_line_of(const BlockProof& p) {
  return ProofLine{p.height, p.last_height, p.block_hash, p.pre_root, p.post_root, p.pre_keys, p.post_keys,
                   p.security_bits, static_cast<std::uint64_t>(p.prove_ms), p.bytes};
}

std::string to_json(const ProofLine& p) {
  // `last_height` only for a range proof: a single block's line stays as it was.
  const std::string last = p.last_height > p.height ? fmt::format(R"("last_height":{},)", p.last_height) : "";
  return fmt::format(
      R"({{"kind":"proof","v":1,"height":{},{}"block_hash":"{}","pre_root":"{}","post_root":"{}",)"
      R"("pre_keys":{{"root":"{}","accounts":{}}},"post_keys":{{"root":"{}","accounts":{}}},)"
      R"("security_bits":{},"size":{},"prove_ms":{},"proof":"{}"}})",
      p.height, last, to_hex(p.block_hash), to_hex(p.pre_root), to_hex(p.post_root), to_hex(p.pre_keys.root),
      p.pre_keys.count, to_hex(p.post_keys.root), p.post_keys.count, p.security_bits, p.proof.size(),
      p.prove_ms, stark::to_base64(p.proof));
}

Result<ProofLine> parse_proof_line(const codec::Json& object) {
  codec::FieldReader f(object, "proof");
  ProofLine p;
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  p.height = ROLLUP_TRY(f.u53("height", 1));
  p.last_height = p.height;
  if (f.has("last_height")) {
    p.last_height = ROLLUP_TRY(f.u53("last_height", 1));
    if (p.last_height <= p.height)
      return fail(Errc::bad_input, "proof: `last_height` must exceed `height` (omit it for one block)");
  }
  p.block_hash = ROLLUP_TRY(f.hex_fixed<32>("block_hash"));
  p.pre_root = ROLLUP_TRY(f.hex_fixed<32>("pre_root"));
  p.post_root = ROLLUP_TRY(f.hex_fixed<32>("post_root"));
  for (auto [name, keys] : {std::pair{"pre_keys", &p.pre_keys}, std::pair{"post_keys", &p.post_keys}}) {
    const codec::Json* o = ROLLUP_TRY(f.object(name));
    codec::FieldReader k(*o, std::string("proof.") + name);
    keys->root = ROLLUP_TRY(k.hex_fixed<32>("root"));
    keys->count = ROLLUP_TRY(k.u53("accounts"));
    ROLLUP_TRY(k.finish());
  }
  p.security_bits = static_cast<unsigned>(ROLLUP_TRY(f.u53("security_bits")));
  const std::uint64_t size = ROLLUP_TRY(f.u53("size"));
  p.prove_ms = ROLLUP_TRY(f.u53("prove_ms"));
  const std::string text = ROLLUP_TRY(f.string("proof"));
  ROLLUP_TRY(f.finish());
  auto bytes = stark::from_base64(text);
  if (!bytes) return fail(Errc::bad_input, "proof: `proof` is not canonical base64");
  if (bytes->size() != size) return fail(Errc::bad_input, "proof: `size` differs from the proof's length");
  p.proof = std::move(*bytes);
  return p;
}

}  // namespace rollup::air
