// The rollup AIR: honest block proofs of every kind of receipt verify; malicious provers (tampered
// traces, false claims, wrong roots, other blocks, damaged bytes, weak parameters) are rejected.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>

#include "core/limits.hpp"
#include "air_wrappers.hpp"
#include "block_builder.hpp"
#include "air/block_proof.hpp"
#include "air/witness.hpp"
#include "l1/genesis.hpp"
#include "smt/subtree.hpp"
#include "crypto/crypto.hpp"
#include "field/ntt.hpp"
#include "field/packed.hpp"
#include "stark/prover.hpp"
#include "stark/verifier.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using namespace rollup::air;
using vm::Reason;

namespace {

constexpr std::uint64_t kChain = 5;
constexpr std::uint32_t kNamespace = 2;
const vm::RollupParams kParams{kChain, kNamespace};

const auto alice = crypto::dev_key(1), bob = crypto::dev_key(2), carol = crypto::dev_key(3),
           feeman = crypto::dev_key(4), dave = crypto::dev_key(5), frank = crypto::dev_key(6),
           erin = crypto::dev_key(7);

using BlockBuilder = test::BasicBlockBuilder<kNamespace>;

codec::Block rehash(codec::Block b) {
  b.namespaces[0].tx_hash = codec::tx_list_hash(b.namespaces[0].txs);
  b.hash = b.compute_hash();
  return b;
}

vm::State genesis() {
  vm::State s;
  s.load_accounts({{alice.public_key, 1000, 0}, {bob.public_key, 500, 0}, {carol.public_key, kBalanceLimit - 10, 0}}, 1);
  return s;
}

// Block 1: deposits to an existing, a new and a nearly full account; transfers to existing and
// new accounts, a withdraw, a fee recipient created by the first fee, every failure reason, a
// replayed tx, `to` and `from` equal to the fee recipient.
codec::Block first_block() {
  auto bad_sig = wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, kParams);
  bad_sig.sig[0] ^= 1;
  auto t0 = wallet::sign_transfer(alice, bob.public_key, 10, 1, 0, kParams);
  return BlockBuilder(feeman.public_key)
      .deposit(alice.public_key, 100)
      .deposit(dave.public_key, 50)
      .deposit(carol.public_key, 20)                                             // overflows
      .tx(t0)                                                                    // creates feeman
      .tx(wallet::sign_transfer(alice, erin.public_key, 5, 1, 1, kParams))        // creates erin
      .tx(bad_sig)
      .tx(wallet::sign_transfer(frank, bob.public_key, 1, 0, 0, kParams))         // unknown
      .tx(wallet::sign_transfer(alice, alice.public_key, 1, 0, 2, kParams))       // self
      .tx(wallet::sign_transfer(alice, bob.public_key, 1, 0, 7, kParams))         // bad nonce
      .tx(wallet::sign_transfer(bob, alice.public_key, 1000000, 0, 0, kParams))   // insufficient
      .tx(wallet::sign_transfer(alice, carol.public_key, 20, 0, 2, kParams))      // overflow at to
      .tx(wallet::sign_withdraw(alice, 3, 1, 2, kParams))
      .tx(t0)                                                                    // replayed
      .tx(wallet::sign_transfer(dave, feeman.public_key, 5, 1, 0, kParams))       // to == fee recipient
      .tx(wallet::sign_transfer(feeman, bob.public_key, 1, 1, 0, kParams))        // from == fee recipient
      .done();
}

// Block 2, with a nearly full fee recipient: a fee credit overflows; a deposit and a transfer
// create accounts while the fee recipient exists.
codec::Block second_block(const codec::Block& parent) {
  BlockBuilder b(carol.public_key, 2, parent.deposit_end());
  b.block.parent = parent.hash;
  return b.deposit(frank.public_key, 7)
      .tx(wallet::sign_transfer(alice, bob.public_key, 1, 20, 3, kParams))        // overflow at fee
      .tx(wallet::sign_transfer(bob, crypto::dev_key(8).public_key, 4, 2, 0, kParams))
      .tx(wallet::sign_withdraw(frank, 2, 0, 0, kParams))
      .done();
}

struct Proven {
  BlockProof proof;
  RangeProofClaim claim;
  vm::BlockOutcome outcome;
};

Proven prove(ProverState& state, const codec::Block& block, const stark::ProofOptions& options = {}) {
  vm::State stf = state.state();
  const auto& txs = vm::rollup_txs(block, kNamespace);
  auto outcome = stf.apply_block(block, kParams, vm::check_signatures(txs, kParams, 1), 1);
  RangeProofClaim claim{block.height, block.height, block.hash, hash::digest_bytes(state.state().root()), {},
                        state.keys().commitment()};
  auto p = prove_range(state, std::span(&block, 1), kParams, ProveOptions{2, options});
  REQUIRE(p);
  claim.post_root = p->post_root;
  return {std::move(*p), claim, outcome};
}

// The verifier's whole report on a one-block proof; never an Error, whatever the bytes.
Checked<RangeProofReport> verify_report(const codec::Block& block, const RangeProofClaim& claim,
                                std::span<const std::uint8_t> bytes, unsigned min_bits = 100) {
  auto r = verify_range_proof(std::span(&block, 1), kParams, claim, bytes, min_bits);
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(*r);
}

// The one block's effects of a verified proof.
Checked<BlockEffects> verify(const codec::Block& block, const RangeProofClaim& claim, std::span<const std::uint8_t> bytes) {
  auto r = verify_report(block, claim, bytes);
  if (!r) return std::unexpected(r.error());
  REQUIRE(r->blocks.size() == 1);
  return std::move(r->blocks[0]);
}

Rejection rejection(const codec::Block& block, const RangeProofClaim& claim, std::span<const std::uint8_t> bytes,
                    unsigned min_bits = 100) {
  auto r = verify_report(block, claim, bytes, min_bits);
  REQUIRE(!r);
  const Rejected& why = r.error();
  INFO(why.message());
  // Callers that want a verdict only still get Errc::rejected and the message they always had.
  CHECK(why.error().code == Errc::rejected);
  CHECK(why.error().message == "block proof rejected: " + why.detail);
  CHECK(!describe(why.reason).empty());
  if (std::getenv("AIR_TEST_WHY")) std::fprintf(stderr, "why: %s\n", why.message().c_str());
  return why.reason;
}

// A cheating prover: the witness of `claims` (the honest ones when null) under `signatures`, the
// trace passed through `tamper`, proven without the prover's checks and encoded with
// `header_claims` (the witness's claims when null).
Bytes cheat(const ProverState& state, const codec::Block& block, const std::vector<bool>& signatures,
            const std::vector<ReceiptClaim>* claims, const std::function<void(const RollupAir&, stark::Trace&)>& tamper,
            const std::vector<ReceiptClaim>* header_claims = nullptr) {
  auto w = make_witness(state, block, kParams, signatures, 1, claims);
  REQUIRE(w);
  RollupAir air(w->publics, w->program.ops);
  auto trace = build_trace(air, w->ops, 2);
  if (tamper) tamper(air, trace);
  stark::ProverFaults faults;
  faults.skip_checks = true;
  auto proof = stark::prove_with_faults(air, trace, {}, 2, faults);
  REQUIRE(proof);
  auto bytes = stark::serialize(*proof);
  REQUIRE(bytes);
  ProofHeader h{w->publics.depth, {header_claims ? *header_claims : w->claims}, w->publics.sub_pre_state,
                w->publics.sub_post_state, w->publics.sub_pre_keys, w->publics.sub_post_keys};
  return encode_proof(h, *bytes);
}

// The claim a cheating proof makes: its own post-state, so that only the proof can refuse it.
RangeProofClaim claim_of(RangeProofClaim claim, const Bytes& bytes) {
  auto decoded = decode_proof(bytes);
  REQUIRE(decoded);
  claim.post_root = hash::digest_bytes(smt::lift_root(decoded->first.sub_post_state, decoded->first.depth));
  return claim;
}

void stark_rejects(const codec::Block& block, const RangeProofClaim& claim, const Bytes& bytes) {
  CHECK(rejection(block, claim_of(claim, bytes), bytes) == Rejection::stark_rejected);
}

std::vector<bool> signatures_of(const codec::Block& block) {
  return vm::check_signatures(vm::rollup_txs(block, kNamespace), kParams, 1);
}

std::size_t find_op(const RollupAir& air, OpKind kind, std::size_t from = 0) {
  for (std::size_t o = from; o < air.ops().size(); ++o)
    if (air.ops()[o].kind == kind) return o;
  FAIL("no op of the kind");
  return 0;
}

}  // namespace

TEST_CASE("air: honest proofs of every receipt kind and failure reason verify", "[air]") {
  ProverState state(genesis(), 1);
  const auto b1 = first_block();
  auto p1 = prove(state, b1);
  auto checked = verify_report(b1, p1.claim, p1.proof.bytes);
  REQUIRE(checked);
  const RangeProofReport& full = *checked;
  CHECK(full.security_bits >= 100);
  auto r1 = verify(b1, p1.claim, p1.proof.bytes);
  REQUIRE(r1);
  // The proof binds exactly the STF's receipts, withdrawals and refunds.
  REQUIRE(r1->receipts.size() == p1.outcome.receipts.size());
  for (std::size_t i = 0; i < r1->receipts.size(); ++i) {
    CHECK(r1->receipts[i].reason == p1.outcome.receipts[i].reason);
    CHECK(r1->receipts[i].tx_id == p1.outcome.receipts[i].tx_id);
  }
  std::vector<Reason> reasons;
  for (const auto& r : p1.outcome.receipts) reasons.push_back(r.reason);
  CHECK(reasons == std::vector<Reason>{Reason::none, Reason::none, Reason::balance_overflow, Reason::none,
                                       Reason::none, Reason::bad_signature, Reason::unknown_account,
                                       Reason::self_transfer, Reason::bad_nonce, Reason::insufficient_balance,
                                       Reason::balance_overflow, Reason::none, Reason::bad_nonce, Reason::none,
                                       Reason::none});
  REQUIRE(r1->withdrawals.size() == 1);
  CHECK(r1->withdrawals[0].to == alice.public_key);
  CHECK(r1->withdrawals[0].amount == 3);
  CHECK(r1->failed_deposits == std::vector<std::uint64_t>{2});
  CHECK(p1.proof.post_root == hash::digest_bytes(p1.outcome.post_root));
  CHECK(full.post_keys == state.keys().commitment());
  CHECK(full.post_keys.count == 6);  // alice, bob, carol, then dave, feeman, erin; never frank
  std::vector<PublicKey> post_keys;
  for (std::uint64_t i = 0; i < state.state().size(); ++i) post_keys.push_back(state.state().account(i).key);
  CHECK(full.post_keys == smt::KeyTree::from_keys(post_keys).commitment());

  const auto b2 = second_block(b1);
  auto p2 = prove(state, b2);
  CHECK(p2.claim.pre_keys == full.post_keys);
  auto r2 = verify(b2, p2.claim, p2.proof.bytes);
  REQUIRE(r2);
  CHECK(r2->receipts[1].reason == Reason::balance_overflow);  // the fee credit
  auto decoded = decode_proof(p2.proof.bytes);
  REQUIRE(decoded);
  CHECK(decoded->first.claims[0][1].at_fee);
  CHECK(r2->receipts[2].reason == Reason::none);
  CHECK(r2->receipts[3].reason == Reason::none);
  CHECK(r2->withdrawals.size() == 1);
}

TEST_CASE("air: empty and deposit-only blocks, and blocks without the rollup's namespace", "[air]") {
  ProverState state(genesis(), 1);
  std::uint64_t height = 0;
  auto check = [&](codec::Block block) {
    block.height = ++height;
    block = rehash(block);
    auto p = prove(state, block);
    auto r = verify_report(block, p.claim, p.proof.bytes);
    REQUIRE(r);
    CHECK(p.proof.post_root == hash::digest_bytes(p.outcome.post_root));
    return *r;
  };
  check(BlockBuilder(feeman.public_key).done());
  auto deposits = check(BlockBuilder(feeman.public_key).deposit(frank.public_key, 1).deposit(frank.public_key, 2).done());
  CHECK(deposits.post_keys.count == 4);
  codec::Block other = BlockBuilder(feeman.public_key).done();
  other.namespaces[0].id = kNamespace + 1;  // another rollup's txs are not this rollup's
  other.namespaces[0].txs.push_back(wallet::sign_transfer(alice, bob.public_key, 1, 0, 0, kParams));
  CHECK(check(other).blocks[0].receipts.empty());
}

TEST_CASE("air: a shared block is proven with the rollup's own namespace's txs and deposits",
          "[air]") {
  // A shared sequencer's block (version 2): this rollup's entry carries two deposits and a tx;
  // another rollup's entry carries its own deposit and a tx that alice also signed for nonce 0.
  ProverState state(genesis(), 1);
  codec::Block b;
  b.version = codec::kSharedBlockFormatVersion;
  b.height = 1;
  b.fee_recipient = feeman.public_key;
  codec::NamespaceTxs ours, theirs;
  ours.id = kNamespace;
  ours.txs = {wallet::sign_transfer(alice, bob.public_key, 10, 1, 0, kParams)};
  ours.deposit_first = 0;
  ours.deposits = {{0, frank.public_key, frank.public_key, 5},
                   {1, erin.public_key, erin.public_key, 6}};
  theirs.id = kNamespace + 1;
  theirs.txs = {wallet::sign_transfer(alice, dave.public_key, 20, 1, 0,
                                      vm::RollupParams{kChain, kNamespace + 1})};
  theirs.deposit_first = 7;
  theirs.deposits = {{7, dave.public_key, dave.public_key, 100}};
  for (auto* ns : {&ours, &theirs}) ns->tx_hash = codec::tx_list_hash(ns->txs);
  b.namespaces = {ours, theirs};
  b.hash = b.compute_hash();

  auto p = prove(state, b);
  auto r = verify_report(b, p.claim, p.proof.bytes);
  REQUIRE(r);
  const auto& receipts = p.outcome.receipts;
  REQUIRE(receipts.size() ==
          3);  // frank's and erin's deposits, alice's transfer: nothing of theirs
  CHECK(receipts[0].deposit_index == 0);
  CHECK(receipts[1].deposit_index == 1);
  CHECK(receipts[2].reason == vm::Reason::none);
  CHECK_FALSE(state.state().index_of(dave.public_key));

  // The same txs and deposits in a single rollup's block (version 1) reach the same root.
  vm::State alone = genesis();
  codec::Block single = BlockBuilder(feeman.public_key)
                            .deposit(frank.public_key, 5)
                            .deposit(erin.public_key, 6)
                            .tx(ours.txs[0])
                            .done();
  auto outcome = alone.apply_block(single, kParams, signatures_of(single), 1);
  CHECK(outcome.post_root == p.outcome.post_root);
}

TEST_CASE("air: the first proof's key set is the contract's genesis key set", "[air]") {
  // The contract stores l1::genesis_keys at init; the prover starts from the genesis state's.
  const std::vector<l1::GenesisAccount> accounts = {{alice.public_key, 1000}, {bob.public_key, 500},
                                                    {carol.public_key, kBalanceLimit - 10}};
  CHECK(l1::genesis_keys(accounts) == ProverState(genesis(), 1).keys().commitment());
  CHECK(l1::genesis_keys({}) == smt::KeyTree().commitment());
}

namespace {
// first_block()'s witness from the genesis, and its AIR.
std::pair<BlockWitness, RollupAir> first_block_air() {
  ProverState state(genesis(), 1);
  const auto block = first_block();
  auto w = make_witness(state, block, kParams, signatures_of(block), 1);
  REQUIRE(w);
  RollupAir air(w->publics, w->program.ops);
  return {std::move(*w), std::move(air)};
}

// The verifier's values of every periodic column at z (periodic_values_at, which sums the
// Lagrange terms of the rows a column pins) against the interpolated column.
void require_periodic_values_interpolate(const RollupAir& air, const Ext2& z) {
  const auto cols = air.periodic_columns();
  REQUIRE(cols.size() == air.periodic_periods().size());
  std::vector<Ext2> fast(cols.size());
  REQUIRE(air.periodic_values_at(z, fast));
  for (std::size_t k = 0; k < cols.size(); ++k) {
    INFO("periodic column " << k);
    auto coeffs = cols[k];
    field::intt(std::span<Felt>(coeffs));
    CHECK(fast[k] == field::evaluate_polynomial(std::span<const Felt>(coeffs), z.pow(air.trace_length() / coeffs.size())));
  }
}
}  // namespace

TEST_CASE("air: the verifier's sparse periodic columns equal their interpolation", "[air]") {
  const auto [w, latest] = first_block_air();
  for (const AirLayout layout : {AirLayout::v1, AirLayout::v2}) {
    const RollupAir air(w.publics, w.program.ops, layout);
    CHECK(air.periodic_periods().size() == per::kPublic + (layout == AirLayout::v1 ? 16 : 19));
    require_periodic_values_interpolate(air, Ext2(Felt(123456789), Felt(987654321)));
    // The declared degrees come from the constraints; the largest is the RPO round's, the head, and
    // the rest's is 5 in layout v1 and 3 in v2.
    const auto degrees = air.transition_degrees();
    CHECK(*std::max_element(degrees.begin(), degrees.end()) == 8);
    const auto head_end = degrees.begin() + RollupAir::kHeadConstraints;
    CHECK(*std::max_element(head_end, degrees.end()) == (layout == AirLayout::v1 ? 5u : 3u));
  }
}

TEST_CASE("air: layouts v1 and v2 take the same values on every row, whatever the trace", "[air]") {
  // So they accept exactly the same traces: v2's sole columns are v1's selector-times-shared
  // products on the trace domain, though not as polynomials (hence lower degrees).
  const auto [w, latest] = first_block_air();
  const RollupAir v1(w.publics, w.program.ops, AirLayout::v1), v2(w.publics, w.program.ops, AirLayout::v2);
  CHECK(v1.id() == "rollup/block/v1");
  CHECK(v2.id() == "rollup/block/v2");
  CHECK(v1.public_inputs() != v2.public_inputs());
  const std::size_t nc = v1.transition_degrees().size();
  REQUIRE(v2.transition_degrees().size() == nc);
  const auto per1 = v1.periodic_columns(), per2 = v2.periodic_columns();
  std::mt19937_64 rng(Catch::rngSeed() + 7);
  std::vector<Felt> cur(col::kWidth), next(col::kWidth), p1(per1.size()), p2(per2.size()), out1(nc), out2(nc);
  std::size_t nonzero = 0;
  for (std::size_t r = 0; r < v1.trace_length(); ++r) {
    for (auto& x : cur) x = Felt(rng());
    for (auto& x : next) x = Felt(rng());
    for (std::size_t k = 0; k < per1.size(); ++k) p1[k] = per1[k][r % per1[k].size()];
    for (std::size_t k = 0; k < per2.size(); ++k) p2[k] = per2[k][r % per2[k].size()];
    v1.evaluate_transition(cur, next, p1, out1);
    v2.evaluate_transition(cur, next, p2, out2);
    REQUIRE(out1 == out2);
    nonzero += std::count_if(out1.begin(), out1.end(), [](Felt v) { return v != Felt::zero(); });
  }
  CHECK(nonzero > 0);
}

TEST_CASE("air: every vector kernel evaluates the constraints as the scalar code", "[air]") {
  const auto [w, air] = first_block_air();
  const std::size_t width = air.trace_width(), np = air.periodic_periods().size();
  const std::size_t nc = air.transition_degrees().size();
  // 61 rows: whole vectors of 4 and 8 and a tail that goes row by row. Random cells, with edge
  // values where reductions wrap or borrow (p - 1, 2^48, 2^63) sprinkled in.
  const std::size_t rows = 61, stride = 64;
  std::mt19937_64 rng(Catch::rngSeed() + 21);
  const Felt edges[] = {Felt::zero(), Felt::one(), Felt(Felt::kModulus - 1), Felt(1ULL << 48),
                        Felt(1ULL << 63), Felt(1ULL << 32)};
  auto cells = [&](std::size_t columns) {
    std::vector<Felt> v(columns * stride);
    for (auto& x : v) x = rng() % 5 == 0 ? edges[rng() % std::size(edges)] : Felt(rng());
    return v;
  };
  const auto cur = cells(width), next = cells(width), per = cells(np);
  std::vector<Felt> expected(nc * stride);
  std::vector<Felt> row_cur(width), row_next(width), row_per(np), row_out(nc);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < width; ++c) row_cur[c] = cur[c * stride + r], row_next[c] = next[c * stride + r];
    for (std::size_t k = 0; k < np; ++k) row_per[k] = per[k * stride + r];
    air.evaluate_transition(row_cur, row_next, row_per, row_out);
    for (std::size_t k = 0; k < nc; ++k) expected[k * stride + r] = row_out[k];
  }
  const auto saved = field::vector_isa();
  for (field::VectorIsa isa : field::supported_vector_isas()) {
    INFO("instruction set " << field::vector_isa_name(isa));
    field::detail::set_vector_isa(isa);
    std::vector<Felt> got(nc * stride);
    air.evaluate_transition_rows({rows, stride, cur, next, per, got});
    for (std::size_t k = 0; k < nc; ++k)
      for (std::size_t r = 0; r < rows; ++r) REQUIRE(got[k * stride + r] == expected[k * stride + r]);
  }
  field::detail::set_vector_isa(saved);
  // The default of stark::Air, row by row, for AIRs that are not a TypedAir.
  std::vector<Felt> got(nc * stride);
  air.stark::Air::evaluate_transition_rows({rows, stride, cur, next, per, got});
  for (std::size_t k = 0; k < nc; ++k)
    for (std::size_t r = 0; r < rows; ++r) REQUIRE(got[k * stride + r] == expected[k * stride + r]);

  // The head (the rounds) alone, on every kernel set and by the default: the same values, and it
  // reads no trace-long periodic column (the prover leaves those zero where it runs the head).
  const std::size_t head = air.head_constraints().size();
  REQUIRE(head == RollupAir::kHeadConstraints);
  const auto degrees = air.transition_degrees();
  for (std::size_t k = 0; k < nc; ++k) CHECK((degrees[k] == 8) == (k < head));
  auto short_only = per;
  const auto periods = air.periodic_periods();
  for (std::size_t k = 0; k < np; ++k)
    if (periods[k] == air.trace_length()) std::fill_n(short_only.begin() + k * stride, stride, Felt::zero());
  test::require_head_as_whole(air, {rows, stride, cur, next, short_only, {}}, expected);
}

TEST_CASE("air: a block's proof is the same with the constraints' head split off and without", "[air]") {
  const auto [w, air] = first_block_air();
  const stark::Trace trace = build_trace(air, w.ops, 2);
  const auto split = stark::prove(air, trace, {}, 2);
  REQUIRE(split);
  const auto whole = stark::prove(test::WithoutHead(air), trace, {}, 2);
  REQUIRE(whole);
  CHECK(*stark::serialize(*split) == *stark::serialize(*whole));
}

TEST_CASE("air: a proof at subtree depth 14 verifies", "[air]") {
  std::vector<vm::Account> accounts;
  for (int i = 0; i < 70; ++i) accounts.push_back({crypto::dev_key(200 + i).public_key, 100, 0});
  vm::State s;
  s.load_accounts(accounts, 1);
  ProverState state(std::move(s), 1);
  auto block = BlockBuilder(crypto::dev_key(200).public_key)
                   .tx(wallet::sign_transfer(crypto::dev_key(201), crypto::dev_key(202).public_key, 5, 1, 0, kParams))
                   .tx(wallet::sign_transfer(crypto::dev_key(203), alice.public_key, 5, 1, 0, kParams))
                   .done();
  auto p = prove(state, block);
  CHECK(p.proof.depth == 14);
  REQUIRE(verify(block, p.claim, p.proof.bytes));
}

TEST_CASE("malicious: tampered trace cells in every column group", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto block = first_block();
  const auto sigs = signatures_of(block);
  auto w = make_witness(state, block, kParams, sigs, 1);
  REQUIRE(w);
  RollupAir probe(w->publics, w->program.ops);
  const std::size_t R = probe.op_rows();
  const std::size_t debit = find_op(probe, OpKind::state_update) * R;  // alice's first deposit... a credit
  const std::size_t low = find_op(probe, OpKind::key_low) * R;
  const std::size_t second = R;  // op 1
  struct Cell {
    const char* group;
    std::size_t column, row;
  };
  const std::vector<Cell> cells = {
      {"old lane", col::kOld + 3, debit + 3},       {"new lane", col::kNew + 4, debit + 8},
      {"state root", col::kStateRoot + 1, second + 5}, {"key root", col::kKeyRoot + 2, second + 5},
      {"count", col::kCount, second + 10},           {"index", col::kIndex, debit + 20},
      {"path bit", col::kBit, debit + 16},           {"range A", col::kAccA, debit + 9},
      {"range A bit", col::kBitA, debit + 9},        {"range B", col::kAccB, low + 9},
      {"range B bit", col::kBitB, low + 9},          {"key flags", col::kFlags + 1, low},
      {"d1", col::kD1, low + 3},                     {"link", col::kLink + 2, low + 10},
  };
  for (const auto& cell : cells) {
    INFO(cell.group);
    auto tamper = [&](const RollupAir&, stark::Trace& t) {
      Felt& v = t.at(cell.column, cell.row);
      v = cell.column == col::kBit || cell.column == col::kBitA || cell.column == col::kBitB ||
                  (cell.column >= col::kFlags && cell.column < col::kFlags + smt::kKeyLimbs)
              ? Felt::one() - v
              : v + Felt::one();
    };
    // The honest prover refuses the tampered trace: the cell is constrained.
    RollupAir air(w->publics, w->program.ops);
    auto trace = build_trace(air, w->ops, 2);
    tamper(air, trace);
    auto refused = stark::prove(air, trace, {}, 2);
    REQUIRE(!refused);
    CHECK(refused.error().code == Errc::bad_input);
    // Forced through, the proof is rejected.
    RangeProofClaim claim{1, 1, block.hash, hash::digest_bytes(state.state().root()), w->publics.post_root,
                          state.keys().commitment()};
    stark_rejects(block, claim, cheat(state, block, sigs, nullptr, tamper));
  }
}

TEST_CASE("malicious: false receipt claims", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto block = first_block();
  const auto sigs = signatures_of(block);
  auto honest = make_witness(state, block, kParams, sigs, 1);
  REQUIRE(honest);
  const RangeProofClaim claim{1, 1, block.hash, hash::digest_bytes(state.state().root()), honest->publics.post_root,
                              state.keys().commitment()};
  auto lie = [&](std::size_t receipt, ReceiptClaim c) {
    auto claims = honest->claims;
    claims[receipt] = c;
    return claims;
  };
  // Receipt indices: 3 deposits, then txs 0.. (see first_block).
  const std::size_t insufficient = 3 + 6, replayed = 3 + 9, overflow_to = 3 + 7, unknown = 3 + 3,
                    to_new = 3 + 1, existing_to = 3 + 0;
  SECTION("an overdraft") {
    auto claims = lie(insufficient, {});
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("a replayed nonce") {
    auto claims = lie(replayed, {});
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("a credit past 2^53 claimed to fit") {
    auto claims = lie(overflow_to, {});
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("a successful tx claimed to fail") {
    ReceiptClaim failed;
    failed.reason = Reason::insufficient_balance;
    auto claims = lie(existing_to, failed);
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("an existing key claimed unknown") {
    ReceiptClaim c;
    c.reason = Reason::unknown_account;
    auto claims = lie(existing_to, c);
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("an unknown key claimed to have an account") {
    ReceiptClaim c;
    c.reason = Reason::bad_nonce;
    auto claims = lie(unknown, c);
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("an existing key given a second account") {
    ReceiptClaim c;
    c.to_new = true;
    auto claims = lie(existing_to, c);
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("a new key credited as if it existed") {
    auto claims = lie(to_new, {});
    stark_rejects(block, claim, cheat(state, block, sigs, &claims, nullptr));
  }
  SECTION("a transfer whose sender did not sign, applied") {
    // Claimed ok: contradicts the verifier's own signature check.
    auto forged = sigs;
    forged[2] = true;
    auto claims = lie(3 + 2, {});
    auto bytes = cheat(state, block, forged, &claims, nullptr);
    CHECK(rejection(block, claim_of(claim, bytes), bytes) == Rejection::claims_contradict_block);
    // The verifier checks the STARK beside the signatures, with the bits the claims imply; the
    // verdict is still the one the real bits give first (docs/air.md §6).
    auto why = verify_report(block, claim_of(claim, bytes), bytes);
    REQUIRE(!why);
    CHECK(why.error().detail == "block 1: receipt 5: the claim contradicts the block: the signature is invalid");
    // Claimed bad_signature, but the trace applies it anyway.
    auto header = honest->claims;
    stark_rejects(block, claim, cheat(state, block, forged, &claims, nullptr, &header));
  }
  SECTION("a signed transfer claimed bad_signature after proving") {
    auto p = prove(state, block);
    auto decoded = decode_proof(p.proof.bytes);
    REQUIRE(decoded);
    auto header = decoded->first;
    header.claims[0][existing_to] = ReceiptClaim{Reason::bad_signature};
    const Bytes bytes = encode_proof(header, decoded->second);
    CHECK(rejection(block, p.claim, bytes) == Rejection::claims_contradict_block);
    auto why = verify_report(block, p.claim, bytes);
    REQUIRE(!why);
    CHECK(why.error().detail == "block 1: receipt 3: the claim contradicts the block: the signature is valid");
  }
  SECTION("a claim byte flipped after proving") {
    auto p = prove(state, block);
    auto decoded = decode_proof(p.proof.bytes);
    REQUIRE(decoded);
    auto header = decoded->first;
    header.claims[0][overflow_to].at_fee = true;  // contradicts the block: the tx has no fee
    CHECK(rejection(block, p.claim, encode_proof(header, decoded->second)) == Rejection::claims_contradict_block);
    header = decoded->first;
    header.claims[0][existing_to].to_new = true;  // a consistent claim, but not the proven one
    const Bytes bytes = encode_proof(header, decoded->second);
    CHECK(rejection(block, p.claim, bytes) == Rejection::stark_rejected);
  }
}

TEST_CASE("malicious: wrong roots, key sets and blocks", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto b1 = first_block();
  const ProverState before = state;
  auto p1 = prove(state, b1);
  const auto b2 = second_block(b1);
  auto p2 = prove(state, b2);
  REQUIRE(verify(b1, p1.claim, p1.proof.bytes));

  auto claim = p1.claim;
  SECTION("wrong post-state root") {
    claim.post_root[0] ^= 1;
    CHECK(rejection(b1, claim, p1.proof.bytes) == Rejection::root_mismatch);
    claim.post_root = p2.proof.post_root;
    CHECK(rejection(b1, claim, p1.proof.bytes) == Rejection::root_mismatch);
  }
  SECTION("wrong pre-state root") {
    claim.pre_root = p2.claim.pre_root;
    CHECK(rejection(b1, claim, p1.proof.bytes) == Rejection::root_mismatch);
  }
  SECTION("wrong pre-block key set") {
    claim.pre_keys.count += 1;  // the same root: the count's boundary constraint refuses it
    CHECK(rejection(b1, claim, p1.proof.bytes) == Rejection::stark_rejected);
    claim = p1.claim;
    claim.pre_keys = p2.claim.pre_keys;
    CHECK(rejection(b1, claim, p1.proof.bytes) == Rejection::keys_mismatch);
  }
  SECTION("a proof for block h checked against block h+1") {
    auto c = p2.claim;  // block 1's receipt claims for block 2's receipts
    CHECK(rejection(b2, c, p1.proof.bytes) == Rejection::claims_contradict_block);
    c = p1.claim;
    CHECK(rejection(b2, c, p1.proof.bytes) == Rejection::wrong_blocks);
    c.first_height = c.last_height = 2;
    c.block_hash = b2.hash;
    rejection(b2, c, p1.proof.bytes);
  }
  SECTION("txs reordered, dropped, inserted or replaced") {
    // The proof is checked as is, and with its claims edited to match the changed block (a
    // receipt's claim dropped or duplicated) so that only the STARK can refuse it.
    auto changed = [&](const std::function<void(std::vector<codec::Tx>&)>& edit,
                       const std::function<void(std::vector<ReceiptClaim>&)>& edit_claims = nullptr) {
      codec::Block b = b1;
      edit(b.namespaces[0].txs);
      b = rehash(b);
      auto c = p1.claim;
      c.block_hash = b.hash;
      rejection(b, c, p1.proof.bytes);
      if (!edit_claims) return;
      auto decoded = decode_proof(p1.proof.bytes);
      REQUIRE(decoded);
      edit_claims(decoded->first.claims[0]);
      CHECK(rejection(b, c, encode_proof(decoded->first, decoded->second)) == Rejection::stark_rejected);
    };
    changed([](auto& txs) { txs[0] = wallet::sign_transfer(alice, bob.public_key, 11, 1, 0, kParams); },
            [](auto&) {});  // same shape, another amount
    changed([](auto& txs) { txs[0] = txs[1]; }, [](auto& claims) { claims[3] = claims[4]; });
    changed([](auto& txs) { txs.erase(txs.begin() + 1); }, [](auto& claims) { claims.erase(claims.begin() + 4); });
    changed([](auto& txs) { txs.push_back(txs[1]); }, [](auto& claims) { claims.push_back(claims[4]); });
    changed([](auto& txs) { std::swap(txs[0], txs[1]); });
    changed([](auto& txs) { txs.erase(txs.begin() + 3); });
    changed([](auto& txs) { txs.erase(txs.begin() + 5); });
    changed([](auto& txs) { txs.push_back(txs[0]); });
    changed([](auto& txs) { txs.insert(txs.begin(), wallet::sign_transfer(bob, alice.public_key, 1, 0, 0, kParams)); });
    // A deposit dropped.
    codec::Block b = b1;
    b.deposits.pop_back();
    b = rehash(b);
    auto c = p1.claim;
    c.block_hash = b.hash;
    rejection(b, c, p1.proof.bytes);
  }
  SECTION("a block whose hash does not match its contents") {
    codec::Block b = b1;
    b.namespaces[0].txs[0].amount += 1;
    CHECK(rejection(b, p1.claim, p1.proof.bytes) == Rejection::bad_block);
  }
}

TEST_CASE("malicious: damaged proof bytes", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto block = BlockBuilder(feeman.public_key)
                         .deposit(dave.public_key, 9)
                         .tx(wallet::sign_transfer(alice, bob.public_key, 10, 1, 0, kParams))
                         .done();
  auto p = prove(state, block);
  const Bytes& good = p.proof.bytes;
  REQUIRE(verify(block, p.claim, good));
  auto decoded = decode_proof(good);
  REQUIRE(decoded);
  const std::size_t header = good.size() - decoded->second.size();
  auto stark_proof = stark::deserialize(decoded->second);
  REQUIRE(stark_proof);

  SECTION("bit flips in every section") {
    std::set<std::size_t> at;
    for (std::size_t i = 0; i < header; ++i) at.insert(i);  // every header byte
    for (const auto& [name, offset] : stark::proof_sections(stark_proof->params))
      for (std::size_t i = 0; i < 48; i += 7) at.insert(header + offset + i);
    for (std::size_t i = header; i < good.size(); i += 211) at.insert(i);
    std::size_t flips = 0;
    for (std::size_t i : at) {
      if (i >= good.size()) continue;
      for (int bit : {0, 5}) {
        Bytes bad = good;
        bad[i] ^= static_cast<std::uint8_t>(1u << bit);
        rejection(block, p.claim, bad);
        ++flips;
      }
    }
    CHECK(flips > 500);
  }
  SECTION("truncated proofs and trailing bytes") {
    for (std::size_t len = 0; len < good.size(); len += (len < header + 64 ? 1 : 397))
      rejection(block, p.claim, std::span(good.data(), len));
    Bytes longer = good;
    longer.push_back(0);
    rejection(block, p.claim, longer);
  }
  SECTION("fewer queries or less security than required") {
    stark::ProofOptions weak;
    weak.num_queries = 20;
    weak.min_security_bits = 0;
    ProverState s(genesis(), 1);
    auto w = prove(s, block, weak);
    CHECK(rejection(block, w.claim, w.proof.bytes) == Rejection::stark_rejected);
    rejection(block, p.claim, good, 110);  // a stricter verifier refuses 103 bits
    stark::ProofOptions no_grinding;
    no_grinding.grinding_bits = 0;
    no_grinding.min_security_bits = 0;
    ProverState s2(genesis(), 1);
    auto g = prove(s2, block, no_grinding);
    rejection(block, g.claim, g.proof.bytes);
  }
  SECTION("FRI layers from a different polynomial") {
    ProverState s(genesis(), 1);
    auto w = make_witness(s, block, kParams, signatures_of(block), 1);
    REQUIRE(w);
    RollupAir air(w->publics, w->program.ops);
    auto trace = build_trace(air, w->ops, 2);
    const unsigned layers = stark::proof_shape(stark_proof->params)->fri_layers;
    for (int layer : {0, 1, static_cast<int>(layers)}) {
      stark::ProverFaults faults;
      faults.fri_substitute_layer = layer;
      auto proof = stark::prove_with_faults(air, trace, {}, 2, faults);
      REQUIRE(proof);
      ProofHeader h = decoded->first;
      rejection(block, p.claim, encode_proof(h, *stark::serialize(*proof)));
    }
    stark::ProverFaults ood;
    ood.alter_ood = true;
    auto proof = stark::prove_with_faults(air, trace, {}, 2, ood);
    REQUIRE(proof);
    rejection(block, p.claim, encode_proof(decoded->first, *stark::serialize(*proof)));
  }
  SECTION("a stream proof line round-trips and its size is checked") {
    const auto line = proof_line_of(p.proof);
    auto parsed = parse_proof_line(codec::Json::parse(to_json(line)));
    REQUIRE(parsed);
    CHECK(parsed->proof == good);
    CHECK(parsed->post_keys == p.proof.post_keys);
    auto json = codec::Json::parse(to_json(line));
    json["size"] = good.size() + 1;
    CHECK(!parse_proof_line(json));
  }
}

namespace {

// A proof of `block` at a forced subtree depth (the prover picks 6 for these few accounts), made
// as prove_range makes it; `tamper` edits the trace and then the prover's own checks are skipped
// (a cheating prover). Returns the encoding and the claim it answers.
std::pair<Bytes, RangeProofClaim> prove_at_depth(const ProverState& state, const codec::Block& block, unsigned depth,
                                                 const std::function<void(const RollupAir&, stark::Trace&)>& tamper = {}) {
  auto w = make_witness(state, block, kParams, signatures_of(block), 1, nullptr, depth);
  REQUIRE(w);
  RollupAir air(w->publics, w->program.ops);
  auto trace = build_trace(air, w->ops, 2);
  stark::ProverFaults faults;
  if (tamper) {
    tamper(air, trace);
    REQUIRE_FALSE(stark::prove(air, trace, {}, 2));  // the honest prover refuses it
    faults.skip_checks = true;
  }
  auto proof = stark::prove_with_faults(air, trace, {}, 2, faults);
  REQUIRE(proof);
  auto bytes = stark::serialize(*proof);
  REQUIRE(bytes);
  ProofHeader h{w->publics.depth, {w->claims}, w->publics.sub_pre_state, w->publics.sub_post_state,
                w->publics.sub_pre_keys, w->publics.sub_post_keys};
  RangeProofClaim claim{block.height, block.height, block.hash, hash::digest_bytes(state.state().root()),
                        w->publics.post_root, state.keys().commitment()};
  return {encode_proof(h, *bytes), claim};
}

}  // namespace

TEST_CASE("air: the verifier's sums over pinned rows hold across their chunks of points", "[air]") {
  // periodic_values_at takes its points 2,048 at a time: a program of 600 ops (2,400 public
  // points) at depth 7 (R = 72, trace-long row selectors, some 13,000 of their points) crosses
  // both sums' chunk boundaries, where the one-op blocks of the other tests do not. The ops need
  // no witness here: only the columns the program fixes are compared.
  const ProverState state(genesis(), 1);
  const auto block = first_block();
  auto w = make_witness(state, block, kParams, signatures_of(block), 1, nullptr, 7);
  REQUIRE(w);
  std::vector<Op> ops;
  while (ops.size() < 600) ops.insert(ops.end(), w->program.ops.begin(), w->program.ops.end());
  const RollupAir air(w->publics, ops);
  REQUIRE_FALSE(std::has_single_bit(air.op_rows()));
  require_periodic_values_interpolate(air, Ext2(Felt(0x0123456789ABCDEFULL), Felt(0xFEDCBA9876543210ULL % Felt::kModulus)));
}

TEST_CASE("air: proofs at depths whose ops are not a power of two rows verify", "[air]") {
  const ProverState state(genesis(), 1);
  const auto block = first_block();
  ProverState advanced = state;  // prove() moves its state past the block
  auto reference = prove(advanced, block);
  REQUIRE(reference.proof.depth == 6);
  const auto expected = verify(block, reference.claim, reference.proof.bytes);
  REQUIRE(expected);
  for (unsigned depth : {7u, 9u, 15u}) {
    INFO("depth " << depth);
    auto w = make_witness(state, block, kParams, signatures_of(block), 1, nullptr, depth);
    REQUIRE(w);
    RollupAir air(w->publics, w->program.ops);
    REQUIRE_FALSE(std::has_single_bit(air.op_rows()));
    CHECK(air.trace_length() % air.op_rows() != 0);  // the trace ends inside a cut pad op
    // The row selectors are as long as the trace; the verifier's sums over their non-zero rows
    // are their interpolation.
    const auto periods = air.periodic_periods();
    CHECK(periods[per::kRow0] == air.trace_length());
    require_periodic_values_interpolate(air, Ext2(Felt(31415926), Felt(27182818)));
    auto [bytes, claim] = prove_at_depth(state, block, depth);
    CHECK(claim.post_root == reference.claim.post_root);
    auto effects = verify(block, claim, bytes);
    REQUIRE(effects);
    REQUIRE(effects->receipts.size() == expected->receipts.size());
    for (std::size_t i = 0; i < expected->receipts.size(); ++i) {
      CHECK(effects->receipts[i].reason == expected->receipts[i].reason);
      CHECK(effects->receipts[i].tx_id == expected->receipts[i].tx_id);
    }
  }
}

TEST_CASE("malicious: tampered cells at a depth whose ops are not a power of two rows", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto block = first_block();
  struct Cell {
    const char* what;
    std::size_t column;
    bool from_end;   // row counted back from the trace's end (inside the cut pad op)
    std::size_t row;  // else: op 1's row
  };
  const std::vector<Cell> cells = {
      {"a round of the cut pad op", col::kOld + 5, true, 3},
      {"the count register in the cut pad op", col::kCount, true, 1},
      {"a path bit of op 1", col::kBit, false, 8 * 3},
      {"range check A at op 1's last row", col::kAccA, false, 71},
      {"op 1's leaf index on its last row", col::kIndex, false, 71},
  };
  for (const auto& cell : cells) {
    INFO(cell.what);
    auto tamper = [&](const RollupAir& air, stark::Trace& t) {
      REQUIRE(air.op_rows() == 72);
      const std::size_t row = cell.from_end ? air.trace_length() - 1 - cell.row : air.op_rows() + cell.row;
      Felt& v = t.at(cell.column, row);
      v = cell.column == col::kBit ? Felt::one() - v : v + Felt::one();
    };
    auto [bytes, claim] = prove_at_depth(state, block, 7, tamper);
    stark_rejects(block, claim, bytes);
  }
}

TEST_CASE("air: deferred fee credits write the fee recipient once, before its own ops and at the end", "[air]") {
  ProverState state(genesis(), 1);
  const auto block = first_block();
  const auto sigs = signatures_of(block);
  auto w = make_witness(state, block, kParams, sigs, 1);
  REQUIRE(w);
  auto per_tx = build_program(block, kParams, sigs, w->claims, FeeCredits::per_tx);
  auto deferred = build_program(block, kParams, sigs, w->claims, FeeCredits::deferred);
  REQUIRE(per_tx);
  REQUIRE(deferred);
  // The verifier hands over the txs' ids it hashed for the block check: the same receipts.
  std::vector<Hash32> ids;
  for (const auto& tx : vm::rollup_txs(block, kParams.namespace_id)) ids.push_back(tx.id());
  REQUIRE(!ids.empty());
  auto with_ids = build_program(block, kParams, sigs, w->claims, FeeCredits::deferred, ids);
  REQUIRE(with_ids);
  REQUIRE(with_ids->receipts.size() == deferred->receipts.size());
  for (std::size_t i = 0; i < deferred->receipts.size(); ++i) CHECK(with_ids->receipts[i].tx_id == deferred->receipts[i].tx_id);
  CHECK_FALSE(build_program(block, kParams, sigs, w->claims, FeeCredits::deferred, std::span(ids).first(ids.size() - 1)));
  CHECK(deferred->ops.size() < per_tx->ops.size());
  CHECK(deferred->created == per_tx->created);
  const auto fr = key_words(feeman.public_key);
  // Every op on the fee recipient's leaf in the deferred program is one the per-tx program has
  // too, or a sum written just before such an op or at the end.
  std::size_t fee_ops = 0;
  for (const Op& op : deferred->ops) fee_ops += is_state_op(op.kind) && op.key == fr;
  std::size_t per_tx_fee_ops = 0;
  for (const Op& op : per_tx->ops) per_tx_fee_ops += is_state_op(op.kind) && op.key == fr;
  CHECK(fee_ops < per_tx_fee_ops);
  // Block 2's fees (after one that overflows) are owed at its end, and written there.
  prove(state, block);
  const auto b2 = second_block(block);
  const auto sigs2 = signatures_of(b2);
  auto w2 = make_witness(state, b2, kParams, sigs2, 1);
  REQUIRE(w2);
  auto p2 = build_program(b2, kParams, sigs2, w2->claims, FeeCredits::deferred);
  REQUIRE(p2);
  CHECK(p2->ops.back().key == key_words(carol.public_key));
  CHECK(p2->ops.back().delta == Felt(2));  // bob's fee; alice's overflowed
}

TEST_CASE("malicious: deferred fee credits", "[air][malicious]") {
  ProverState state(genesis(), 1);
  const auto b1 = first_block();
  SECTION("a fee to a recipient without an account, deferred as if it had one") {
    const auto sigs = signatures_of(b1);
    auto honest = make_witness(state, b1, kParams, sigs, 1);
    REQUIRE(honest);
    auto claims = honest->claims;
    auto created = std::find_if(claims.begin(), claims.end(), [](const ReceiptClaim& c) { return c.fee_new; });
    REQUIRE(created != claims.end());
    created->fee_new = false;
    const RangeProofClaim claim{1, 1, b1.hash, hash::digest_bytes(state.state().root()), honest->publics.post_root,
                                state.keys().commitment()};
    stark_rejects(b1, claim, cheat(state, b1, sigs, &claims, nullptr));
  }
  SECTION("a fee credit past 2^53 claimed to fit, inside the deferred sum") {
    prove(state, b1);
    const auto b2 = second_block(b1);
    const auto sigs = signatures_of(b2);
    auto honest = make_witness(state, b2, kParams, sigs, 1);
    REQUIRE(honest);
    REQUIRE(honest->claims[1].at_fee);
    auto claims = honest->claims;
    claims[1] = {};
    const RangeProofClaim claim{2, 2, b2.hash, hash::digest_bytes(state.state().root()), honest->publics.post_root,
                                state.keys().commitment()};
    stark_rejects(b2, claim, cheat(state, b2, sigs, &claims, nullptr));
  }
}
