// The rollup's signature scheme (issue #10): the dispatch from scheme to key and signature lengths
// and verification, the 32 bytes a key stands for in the tree, the tx encoding of 40-byte keys,
// key files, the contract's stored choice (schema 6, and a file of schema 5), and an ECgFp5
// rollup's blocks executed and proven.
#include <catch2/catch.hpp>

#include "air/block_proof.hpp"
#include "air/program.hpp"
#include "air/schnorr_air.hpp"
#include "air/witness.hpp"
#include "stark/prover.hpp"
#include "block_builder.hpp"
#include "codec/keyfile.hpp"
#include "codec/objects.hpp"
#include "ecgfp5/curve.hpp"
#include "crypto/crypto.hpp"
#include "espresso/tx_payload.hpp"
#include "l1/contract.hpp"
#include "l1/genesis.hpp"
#include "smt/key_set.hpp"
#include "smt/tree.hpp"
#include "store/db.hpp"
#include "test_files.hpp"
#include "vm/state.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using crypto::SignatureScheme;

namespace {

constexpr std::uint64_t kChain = 9;
constexpr std::uint32_t kNamespace = 4;
const vm::RollupParams kEcParams{kChain, kNamespace, SignatureScheme::ecgfp5};
const vm::RollupParams kEdParams{kChain, kNamespace, SignatureScheme::ed25519};

crypto::AccountKey ec_key(std::uint64_t n) { return crypto::dev_account_key(SignatureScheme::ecgfp5, n); }

template <typename T>
T must(Result<T> r) {
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(*r);
}

}  // namespace

TEST_CASE("sigscheme: each scheme's key and signature lengths, names and numbers", "[sigscheme]") {
  CHECK(crypto::key_size(SignatureScheme::ed25519) == 32);
  CHECK(crypto::signature_size(SignatureScheme::ed25519) == 64);
  CHECK(crypto::key_size(SignatureScheme::ecgfp5) == 40);
  CHECK(crypto::signature_size(SignatureScheme::ecgfp5) == 80);
  for (auto s : {SignatureScheme::ed25519, SignatureScheme::ecgfp5}) {
    CHECK(*crypto::parse_scheme(crypto::scheme_name(s)) == s);
    CHECK(*crypto::scheme_from_number(static_cast<std::uint64_t>(s)) == s);
  }
  CHECK(crypto::parse_scheme("ed448").error().code == Errc::bad_input);
  CHECK(!crypto::scheme_from_number(2));
  CHECK(crypto::scheme_of_key(crypto::dev_key(1).public_key) == SignatureScheme::ed25519);
  CHECK(crypto::scheme_of_key(ec_key(1).public_key()) == SignatureScheme::ecgfp5);
}

TEST_CASE("sigscheme: verify_tx_signature checks each scheme and refuses the other's keys", "[sigscheme]") {
  const Bytes message{1, 2, 3, 4, 5};
  const crypto::SigningDomain domain{kChain, kNamespace};
  const auto ed = crypto::AccountKey::ed25519(crypto::dev_key(3));
  const auto ec = ec_key(3);
  const Signature ed_sig = ed.sign_tx(domain, message), ec_sig = ec.sign_tx(domain, message);
  CHECK(ed_sig.size() == 64);
  CHECK(ec_sig.size() == 80);
  CHECK(crypto::verify_tx_signature(SignatureScheme::ed25519, domain, ed.public_key(), message, ed_sig));
  CHECK(crypto::verify_tx_signature(SignatureScheme::ecgfp5, domain, ec.public_key(), message, ec_sig));
  // A signature of the other scheme, whatever its bytes, is no signature.
  CHECK_FALSE(crypto::verify_tx_signature(SignatureScheme::ecgfp5, domain, ed.public_key(), message, ed_sig));
  CHECK_FALSE(crypto::verify_tx_signature(SignatureScheme::ed25519, domain, ec.public_key(), message, ec_sig));
  // The ECgFp5 challenge binds the domain: another namespace or chain fails.
  CHECK_FALSE(crypto::verify_tx_signature(SignatureScheme::ecgfp5, {kChain, kNamespace + 1}, ec.public_key(), message, ec_sig));
  CHECK_FALSE(crypto::verify_tx_signature(SignatureScheme::ecgfp5, {kChain + 1, kNamespace}, ec.public_key(), message, ec_sig));
  Signature tampered = ec_sig;
  tampered[45] ^= 1;
  CHECK_FALSE(crypto::verify_tx_signature(SignatureScheme::ecgfp5, domain, ec.public_key(), message, tampered));
  // Signing is deterministic, and the key follows from the seed alone.
  CHECK(ec.sign_tx(domain, message) == ec_sig);
  CHECK(crypto::AccountKey::from_seed(SignatureScheme::ecgfp5, ec.seed()).public_key() == ec.public_key());
}

TEST_CASE("sigscheme: a key of the wrong scheme or a non-canonical ecgfp5 key is refused clearly", "[sigscheme]") {
  const auto ed = crypto::dev_key(1).public_key;
  const auto ec = ec_key(1).public_key();
  CHECK(crypto::check_key_scheme(SignatureScheme::ed25519, ed, "to"));
  CHECK(crypto::check_key_scheme(SignatureScheme::ecgfp5, ec, "to"));
  auto wrong = crypto::check_key_scheme(SignatureScheme::ecgfp5, ed, "to");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == Errc::bad_input);
  CHECK(wrong.error().message == "to: a 32-byte ed25519 key, but this rollup's accounts are ecgfp5 keys of 40 bytes");
  CHECK_FALSE(crypto::check_key_scheme(SignatureScheme::ed25519, ec, "to"));

  CHECK(crypto::check_key_encoding(ec, "from"));
  PublicKey non_canonical = ec;
  for (std::size_t i = 0; i < 8; ++i) non_canonical[8 + i] = 0xFF;  // c1 = 2^64 - 1 >= p
  CHECK(crypto::check_key_encoding(non_canonical, "from").error().code == Errc::bad_input);
  // Canonical coefficients, but not a point (or the neutral): no key can sign for it.
  CHECK(crypto::check_public_key(SignatureScheme::ecgfp5, ec, "to"));
  CHECK_FALSE(crypto::check_public_key(SignatureScheme::ecgfp5, PublicKey::zero(40), "to"));
  CHECK(crypto::check_key_encoding(PublicKey::zero(40), "to"));
}

TEST_CASE("sigscheme: an ecgfp5 key stands in the tree for its key id, an ed25519 key for itself", "[sigscheme]") {
  const auto ed = crypto::dev_key(2).public_key;
  const auto ec = ec_key(2).public_key();
  Hash32 ed_bytes{};
  std::copy(ed.begin(), ed.end(), ed_bytes.begin());
  CHECK(smt::account_key_bytes(ed) == ed_bytes);

  // key id = RPO(c0..c4), each coefficient 8 bytes little-endian in w.
  std::array<field::Felt, 5> w;
  for (std::size_t i = 0; i < 5; ++i) {
    std::uint64_t c = 0;
    for (std::size_t b = 0; b < 8; ++b) c |= std::uint64_t(ec[8 * i + b]) << (8 * b);
    w[i] = field::Felt(c);
  }
  const Hash32 key_id = hash::digest_bytes(hash::hash_elements(w));
  CHECK(smt::account_key_bytes(ec) == key_id);
  const auto words = smt::account_key_words(ec);
  for (std::size_t j = 0; j < 8; ++j)
    CHECK(words[j] == (std::uint32_t(key_id[4 * j]) | std::uint32_t(key_id[4 * j + 1]) << 8 |
                       std::uint32_t(key_id[4 * j + 2]) << 16 | std::uint32_t(key_id[4 * j + 3]) << 24));

  // Every binding of a key goes through it: the leaf, the batch of leaves, the key set, the AIR.
  PublicKey as_id;
  as_id.assign(key_id);
  CHECK(smt::leaf_digest(ec, 7, 3) == smt::leaf_digest(as_id, 7, 3));
  const std::vector<smt::LeafInput> leaves{{ec, 7, 3}, {ed, 1, 0}};
  const auto digests = smt::leaf_digests(leaves, 1);
  CHECK(digests[0] == smt::leaf_digest(ec, 7, 3));
  CHECK(digests[1] == smt::leaf_digest(ed, 1, 0));
  CHECK(smt::pack_key(ec) == smt::pack_key(as_id));
  const auto air_words = air::key_words(ec);
  for (std::size_t j = 0; j < 8; ++j) CHECK(air_words[j] == field::Felt(words[j]));
  // Two keys, two ids.
  CHECK(smt::account_key_bytes(ec_key(3).public_key()) != key_id);
  // Hashed side by side, each key gets the id it gets alone, whatever the mix of schemes.
  std::vector<PublicKey> mixed{ec, ed};
  for (std::uint64_t i = 3; i < 14; ++i) mixed.push_back(ec_key(i).public_key());
  const auto ids = smt::account_key_bytes_many(mixed);
  REQUIRE(ids.size() == mixed.size());
  for (std::size_t i = 0; i < mixed.size(); ++i) CHECK(ids[i] == smt::account_key_bytes(mixed[i]));
  CHECK(smt::pack_key_bytes(ids[0]) == smt::pack_key(ec));
}

TEST_CASE("sigscheme: an ecgfp5 tx is encoded as version 3 with 40-byte keys and round-trips", "[sigscheme]") {
  const auto alice = ec_key(1), bob = ec_key(2);
  const codec::Tx tx = wallet::sign_transfer(alice, bob.public_key(), 12, 2, 5, kEcParams);
  const Bytes msg = tx.signing_message();
  REQUIRE(msg.size() + 80 == codec::Tx::kEcgfp5EncodedSize);
  CHECK(std::string(msg.begin(), msg.begin() + 18) == "rollup-tools:tx:v3");
  ByteReader r(std::span<const std::uint8_t>(msg).subspan(18));
  std::uint64_t chain = 0, amount = 0, fee = 0, nonce = 0;
  std::uint32_t ns = 0;
  std::uint8_t type = 0;
  std::array<std::uint8_t, 40> from{}, to{};
  REQUIRE((r.u64(chain) && r.u32(ns) && r.u8(type) && r.raw(from) && r.raw(to) && r.u64(amount) &&
           r.u64(fee) && r.u64(nonce) && r.done()));
  CHECK(chain == kChain);
  CHECK(ns == kNamespace);
  CHECK(type == 1);
  CHECK(PublicKey(from) == alice.public_key());
  CHECK(PublicKey(to) == bob.public_key());
  CHECK((amount == 12 && fee == 2 && nonce == 5));
  CHECK(vm::tx_signature_valid(tx, kEcParams));
  CHECK_FALSE(vm::tx_signature_valid(tx, kEdParams));

  // JSON: the same v 2 object, with longer hex; parsed back to the same tx and id.
  const std::string line = codec::to_json(tx);
  const auto parsed = must(codec::parse_tx(must(codec::parse_stream_object(line))));
  CHECK(parsed.from == tx.from);
  CHECK(parsed.to == tx.to);
  CHECK(parsed.sig == tx.sig);
  CHECK(parsed.id() == tx.id());
  const auto fast = codec::parse_tx_line_fast(line);  // the sequencer's fast path decides alike
  REQUIRE(fast);
  CHECK(fast->id() == tx.id());

  // A withdraw signs the zero key of 40 bytes as its recipient.
  const codec::Tx w = wallet::sign_withdraw(alice, 3, 0, 6, kEcParams);
  CHECK(w.signing_message().size() + 80 == codec::Tx::kEcgfp5EncodedSize);
  CHECK(vm::tx_signature_valid(must(codec::parse_tx(must(codec::parse_stream_object(codec::to_json(w))))), kEcParams));

  // An Ed25519 tx is unchanged: tag v2, 32-byte keys.
  const codec::Tx ed = wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 1, 0, 0, kEdParams);
  const Bytes ed_msg = ed.signing_message();
  CHECK(ed_msg.size() + 64 == codec::Tx::kEncodedSize);
  CHECK(std::string(ed_msg.begin(), ed_msg.begin() + 18) == "rollup-tools:tx:v2");
}

TEST_CASE("sigscheme: an ecgfp5 tx as an Espresso payload: version 3, 215 bytes, round trip", "[sigscheme]") {
  const auto alice = ec_key(1);
  for (const codec::Tx& tx : {wallet::sign_transfer(alice, ec_key(2).public_key(), 12, 2, 5, kEcParams),
                              wallet::sign_withdraw(alice, 3, 0, 6, kEcParams)}) {
    const Bytes payload = espresso::encode_tx_payload(tx);
    CHECK(payload.size() == espresso::kTx40PayloadSize);
    CHECK(payload.size() == 215);
    const auto back = must(espresso::decode_tx_payload(payload));
    CHECK(back.id() == tx.id());
    CHECK(codec::to_json(back) == codec::to_json(tx));
    Bytes relabeled = payload;
    relabeled[17] = '2';  // a v2 tag on a v3 layout
    CHECK_FALSE(espresso::decode_tx_payload(relabeled));
  }
}

TEST_CASE("sigscheme: tx lines mixing key lengths, or with a signature of the other length, are bad input",
          "[sigscheme]") {
  const auto alice = ec_key(1);
  const codec::Tx tx = wallet::sign_transfer(alice, ec_key(2).public_key(), 12, 2, 5, kEcParams);
  auto with = [&](const char* field, const std::string& hex) {
    auto json = must(codec::parse_stream_object(codec::to_json(tx)));
    json[field] = hex;
    return codec::parse_tx(json);
  };
  const auto to_ed = with("to", to_hex(crypto::dev_key(2).public_key));
  REQUIRE_FALSE(to_ed);
  CHECK(to_ed.error().message.find("same scheme as from") != std::string::npos);
  Signature short_sig = Signature::zero(64);
  CHECK_FALSE(with("sig", to_hex(short_sig)));
  CHECK_FALSE(with("from", "0x" + std::string(72, 'a')));  // 36 bytes: no scheme's
  CHECK_FALSE(with("from", "0x" + std::string(80, 'f')));  // coefficients >= p
}

TEST_CASE("sigscheme: blocks and deposit lists with 40-byte keys hash apart from 32-byte ones", "[sigscheme]") {
  const auto ec = ec_key(1).public_key();
  PublicKey prefix;
  prefix.assign(std::span(ec.data(), 32));
  codec::Block a = test::BasicBlockBuilder<kNamespace>(ec).deposit(ec, 5).done();
  codec::Block b = test::BasicBlockBuilder<kNamespace>(prefix).deposit(prefix, 5).done();
  CHECK(a.hash != b.hash);
  CHECK(codec::deposits_hash(a.deposits) != codec::deposits_hash(b.deposits));
  // The JSON of such a block parses back to the same hash.
  const auto parsed = must(codec::parse_block(must(codec::parse_stream_object(codec::to_json(a)))));
  CHECK(parsed.hash == a.hash);
  CHECK(parsed.fee_recipient == ec);
}

TEST_CASE("sigscheme: key files record their scheme; old files read as ed25519", "[sigscheme]") {
  test::TempDir dir("rollup-sigscheme");
  const auto ec = ec_key(5);
  REQUIRE(codec::write_key_file(dir.path("ec.key"), ec, false));
  const auto back = must(codec::read_account_key_file(dir.path("ec.key")));
  CHECK(back.scheme() == SignatureScheme::ecgfp5);
  CHECK(back.public_key() == ec.public_key());
  // A sequencer's key must be Ed25519.
  auto as_sequencer = codec::read_key_file(dir.path("ec.key"));
  REQUIRE_FALSE(as_sequencer);
  CHECK(as_sequencer.error().message.find("ecgfp5") != std::string::npos);

  const std::string old_file = R"({"kind":"key","v":1,"public_key":")" + to_hex(crypto::dev_key(9).public_key) +
                               R"(","seed":")" + to_hex(crypto::dev_key(9).seed()) + "\"}";
  const auto old_key = must(codec::parse_account_key_file(old_file, "old.key"));
  CHECK(old_key.scheme() == SignatureScheme::ed25519);
  CHECK(old_key.public_key() == crypto::dev_key(9).public_key);
  // A file whose key is not its scheme's.
  const std::string mislabeled = R"({"kind":"key","v":1,"scheme":"ecgfp5","public_key":")" +
                                 to_hex(crypto::dev_key(9).public_key) + R"(","seed":")" +
                                 to_hex(crypto::dev_key(9).seed()) + "\"}";
  CHECK(codec::parse_account_key_file(mislabeled, "x.key").error().code == Errc::bad_input);
}

TEST_CASE("sigscheme: the contract stores the scheme; a file of schema 5 opens as ed25519", "[sigscheme][l1][store]") {
  test::TempDir dir("rollup-sigscheme");
  {
    const std::string path = dir.path("ec.db");
    auto db = must(store::Db::open(path, store::OpenMode::create_if_missing));
    auto contract = must(l1::open_contract(db));
    l1::Config c;
    c.chain_id = kChain;
    c.namespace_id = kNamespace;
    c.sequencer = crypto::dev_key(1000).public_key;
    c.dev_mode = true;
    c.sig_scheme = SignatureScheme::ecgfp5;
    // Genesis accounts must be the rollup's scheme.
    CHECK(contract->init(c, l1::dev_genesis(2, 10)).error().code == Errc::usage);
    REQUIRE(contract->init(c, l1::dev_genesis(2, 10, SignatureScheme::ecgfp5)));
    CHECK(must(contract->config()).sig_scheme == SignatureScheme::ecgfp5);
    // Deposits to a key of the other scheme are refused.
    REQUIRE(contract->fund(ec_key(0).public_key(), 100));
    CHECK(contract->deposit(ec_key(0).public_key(), crypto::dev_key(0).public_key, 5).error().code == Errc::bad_input);
    CHECK(contract->deposit(ec_key(0).public_key(), ec_key(7).public_key(), 5));
    const auto queued = must(contract->deposits_from(0, 10));
    REQUIRE(queued.size() == 1);
    CHECK(queued[0].deposit.to == ec_key(7).public_key());
  }
  {
    const std::string path = dir.path("v5.db");
    const std::string seq = to_hex(crypto::dev_key(1000).public_key).substr(2);
    test::write_state_file_of_version(
        path, 5,
        "INSERT INTO l1_config(id, chain_id, namespace_id, sequencer, genesis_root, deposit_deadline_s, "
        "max_block_ops, dev_mode, frozen, created_at) VALUES (1, 1, 1, X'" + seq +
            "', zeroblob(32), 86400, 0, 1, 0, 'x');");
    auto db = must(store::Db::open(path, store::OpenMode::must_exist));
    CHECK(must(db.schema_version()) == 6);
    auto contract = must(l1::open_contract(db));
    CHECK(must(contract->config()).sig_scheme == SignatureScheme::ed25519);
  }
}

TEST_CASE("sigscheme: an ecgfp5 rollup's block: transfers, a tampered signature, an ed25519 tx, proven",
          "[sigscheme][air]") {
  const auto alice = ec_key(1), bob = ec_key(2), carol = ec_key(3), fees = ec_key(4);
  vm::State genesis;
  genesis.load_accounts({{alice.public_key(), 1000, 0}, {bob.public_key(), 50, 0}}, 1);

  auto tampered = wallet::sign_transfer(alice, bob.public_key(), 1, 0, 1, kEcParams);
  tampered.sig[60] ^= 1;
  const auto ed_alice = crypto::dev_key(1);
  const codec::Block block = test::BasicBlockBuilder<kNamespace>(fees.public_key())
                                 .deposit(carol.public_key(), 9)
                                 .tx(wallet::sign_transfer(alice, bob.public_key(), 10, 1, 0, kEcParams))
                                 .tx(wallet::sign_transfer(alice, ec_key(5).public_key(), 7, 1, 1, kEcParams))
                                 .tx(tampered)
                                 .tx(wallet::sign_transfer(ed_alice, crypto::dev_key(2).public_key, 1, 0, 0, kEdParams))
                                 .tx(wallet::sign_withdraw(bob, 5, 0, 0, kEcParams))
                                 .done();
  const auto& txs = vm::rollup_txs(block, kNamespace);
  const auto signatures = vm::check_signatures(txs, kEcParams, 1);
  CHECK(signatures == std::vector<bool>{true, true, false, false, true});

  vm::State stf = genesis;
  const auto outcome = stf.apply_block(block, kEcParams, signatures, 1);
  std::vector<vm::Reason> reasons;
  for (const auto& r : outcome.receipts) reasons.push_back(r.reason);
  CHECK(reasons == std::vector<vm::Reason>{vm::Reason::none, vm::Reason::none, vm::Reason::none,
                                           vm::Reason::bad_signature, vm::Reason::bad_signature, vm::Reason::none});
  CHECK(stf.account(*stf.index_of(ec_key(5).public_key())).balance == 7);

  air::ProverState prover(genesis, 1);
  const air::RangeProofClaim pre{block.height, block.height, block.hash, hash::digest_bytes(genesis.root()), {},
                                 prover.keys().commitment()};
  auto proof = must(air::prove_range(prover, std::span(&block, 1), kEcParams, air::ProveOptions{2, {}}));
  CHECK(proof.post_root == hash::digest_bytes(outcome.post_root));
  air::RangeProofClaim claim = pre;
  claim.post_root = proof.post_root;
  auto verdict = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, proof.bytes, 100));
  INFO((verdict ? std::string() : verdict.error().message()));
  REQUIRE(verdict);
  REQUIRE(verdict->blocks.size() == 1);
  CHECK(verdict->blocks[0].receipts[3].reason == vm::Reason::bad_signature);
  REQUIRE(verdict->blocks[0].withdrawals.size() == 1);
  CHECK(verdict->blocks[0].withdrawals[0].to == bob.public_key());
  // The same proof verified as an Ed25519 rollup's: version 8 is an ecgfp5 rollup's (one encoding
  // per proof), so it is refused before its bits are looked at.
  auto as_ed = must(air::verify_range_proof(std::span(&block, 1), kEdParams, claim, proof.bytes, 100));
  REQUIRE_FALSE(as_ed);
  CHECK(as_ed.error().reason == air::Rejection::encoding);

  // The signatures travel as a SchnorrAir proof of the claims of the four txs with an ecgfp5 key
  // (the Ed25519 tx's 32-byte key makes its bit 0 without a claim), their bits in the proof.
  CHECK(proof.signature_claims == 4);
  auto decoded = air::decode_proof(proof.bytes);
  REQUIRE(decoded);
  CHECK(decoded->first.version == air::kSignatureProofVersion);
  CHECK(decoded->first.signature_bits == signatures);
  CHECK(air::encode_proof(decoded->first, decoded->second) == proof.bytes);
  // An Ed25519 rollup's proof is no ecgfp5 rollup's: the version tells them apart.
  auto v2 = decoded->first;
  v2.version = air::kProofVersion;
  auto old_form = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim,
                                               air::encode_proof(v2, decoded->second), 100));
  REQUIRE_FALSE(old_form);
  CHECK(old_form.error().reason == air::Rejection::encoding);
  // A version 3 proof (SchnorrAir v1's layout, the same bytes otherwise) is refused: re-prove.
  Bytes v3 = proof.bytes;
  v3[4] = air::kRetiredSignatureProofVersion;
  auto retired = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, v3, 100));
  REQUIRE_FALSE(retired);
  CHECK(retired.error().reason == air::Rejection::encoding);
  CHECK(retired.error().message().find("prove the blocks again") != std::string::npos);
  // An older version, proven with `options`, still verifies, and only as itself: relabelled 8,
  // version 6's signature section lacks the key ids, so it is no version 8 encoding, and version
  // 7's SchnorrAir proof is of layout v3, which version 8's verifier (v4) rejects.
  auto older_version_verifies = [&](const air::ProveOptions& options, std::uint8_t version) {
    INFO("version " << int{version});
    air::ProverState older_prover(genesis, 1);
    auto older = must(air::prove_range(older_prover, std::span(&block, 1), kEcParams, options));
    CHECK(older.bytes[4] == version);
    auto verdict = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, older.bytes, 100));
    INFO((verdict ? std::string() : verdict.error().message()));
    CHECK(verdict);
    older.bytes[4] = air::kSignatureProofVersion;
    auto relabelled = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, older.bytes, 100));
    REQUIRE_FALSE(relabelled);
    INFO(relabelled.error().message());
    CHECK((relabelled.error().reason == air::Rejection::encoding ||
           (version == 7 && relabelled.error().reason == air::Rejection::signature_proof_rejected)));
  };
  // Version 4: the rollup AIR's layout v1.
  air::ProveOptions v1_options{2, {}};
  v1_options.layout = air::AirLayout::v1;
  older_version_verifies(v1_options, 4);
  // Version 6: SchnorrAir v2, whose challenges and key ids the verifier hashes.
  air::ProveOptions v6_options{2, {}};
  v6_options.signature_layout = air::SchnorrLayout::v2;
  older_version_verifies(v6_options, 6);
  // Version 7: SchnorrAir v3, the same statement over 110 columns.
  air::ProveOptions v7_options{2, {}};
  v7_options.signature_layout = air::SchnorrLayout::v3;
  older_version_verifies(v7_options, 7);
}

namespace {

// The block of the test above: two good transfers, a tampered signature, an Ed25519 tx, a
// withdrawal.
codec::Block mixed_block() {
  const auto alice = ec_key(1), bob = ec_key(2);
  auto tampered = wallet::sign_transfer(alice, bob.public_key(), 1, 0, 1, kEcParams);
  tampered.sig[60] ^= 1;
  return test::BasicBlockBuilder<kNamespace>(ec_key(4).public_key())
      .deposit(ec_key(3).public_key(), 9)
      .tx(wallet::sign_transfer(alice, bob.public_key(), 10, 1, 0, kEcParams))
      .tx(wallet::sign_transfer(alice, ec_key(5).public_key(), 7, 1, 1, kEcParams))
      .tx(tampered)
      .tx(wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 1, 0, 0, kEdParams))
      .tx(wallet::sign_withdraw(bob, 5, 0, 0, kEcParams))
      .done();
}

vm::State mixed_genesis() {
  vm::State genesis;
  genesis.load_accounts({{ec_key(1).public_key(), 1000, 0}, {ec_key(2).public_key(), 50, 0}}, 1);
  return genesis;
}

// A cheating prover: the rollup STARK proven honestly for the signature bits `bits` (whatever the
// signatures say), and a SchnorrAir proof of the block's claims with `results` as their result
// bits, made from the honest trace without the prover's checks. With the real bits for both it
// is an honest proof. Returns the proof and the claim it makes (its own post-state).
std::pair<Bytes, air::RangeProofClaim> cheat(const vm::State& genesis, const codec::Block& block,
                                             const std::vector<bool>& bits, const std::vector<bool>& results) {
  const air::ProverState prover(genesis, 1);
  auto w = must(air::make_witness(prover, block, kEcParams, bits, 1, nullptr));
  const air::RollupAir rollup(w.publics, w.program.ops);
  auto rollup_proof = must(stark::prove(rollup, air::build_trace(rollup, w.ops, 2), {}, 2));
  air::ProofHeader header{w.publics.depth, {w.claims}, w.publics.sub_pre_state, w.publics.sub_post_state,
                          w.publics.sub_pre_keys, w.publics.sub_post_keys};
  header.version = air::kSignatureProofVersion;
  header.signature_bits = bits;
  std::vector<air::SignatureClaim> claims;
  std::vector<air::SignatureWitness> witnesses;
  const ecgfp5::SigningDomain domain{kEcParams.chain_id, kEcParams.namespace_id};
  const auto& txs = vm::rollup_txs(block, kNamespace);
  for (std::size_t i = 0; i < txs.size(); ++i) {
    auto claim = air::signature_claim_of(txs[i], kEcParams);
    if (!claim) continue;
    air::set_key_ids(*claim);
    header.key_ids.push_back(claim->from_id);
    header.key_ids.push_back(claim->to_id);
    witnesses.push_back(air::witness_of(*claim, domain));
    claim->valid = results[i];
    claims.push_back(*claim);
  }
  const air::SchnorrLayout layout = air::signature_layout_of(header.version);
  const auto signatures = air::make_schnorr_air(layout, domain, claims);
  stark::ProverFaults faults;
  faults.skip_checks = true;
  auto signature_proof = must(stark::prove_with_faults(
      *signatures, must(air::SchnorrAir::build_trace(witnesses, domain, 2, layout)), {}, 2, faults));
  header.signature_proof = must(stark::serialize(signature_proof));
  const air::RangeProofClaim claim{block.height, block.height, block.hash, hash::digest_bytes(genesis.root()),
                                   w.publics.post_root, prover.keys().commitment()};
  return {air::encode_proof(header, must(stark::serialize(rollup_proof))), claim};
}

std::optional<air::Rejection> rejection(const codec::Block& block, const air::RangeProofClaim& claim,
                                        const Bytes& proof) {
  auto verdict = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, proof, 100));
  if (verdict) return std::nullopt;
  INFO(verdict.error().message());
  return verdict.error().reason;
}

}  // namespace

TEST_CASE("sigscheme: an ecgfp5 proof's signature bits are bound by its SchnorrAir proof", "[sigscheme][air]") {
  const vm::State genesis = mixed_genesis();
  const codec::Block block = mixed_block();
  const std::vector<bool> real = vm::check_signatures(vm::rollup_txs(block, kNamespace), kEcParams, 1);
  REQUIRE(real == std::vector<bool>{true, true, false, false, true});

  // The cheating prover with the real bits makes a proof that verifies: what it changes below is
  // what the verifier refuses.
  const auto [honest, honest_claim] = cheat(genesis, block, real, real);
  CHECK(rejection(block, honest_claim, honest) == std::nullopt);

  SECTION("a flipped bit in the proof object alone contradicts the receipt claims") {
    for (std::size_t i : {0, 2}) {
      auto decoded = air::decode_proof(honest);
      REQUIRE(decoded);
      auto header = decoded->first;
      header.signature_bits[i] = !header.signature_bits[i];
      CHECK(rejection(block, honest_claim, air::encode_proof(header, decoded->second)) ==
            air::Rejection::claims_contradict_block);
    }
  }
  SECTION("a flipped bit the rollup STARK proves, for a good and for a bad signature") {
    for (std::size_t i : {0, 2}) {
      std::vector<bool> lie = real;
      lie[i] = !lie[i];
      // The signature proof of the real results, and one forged for the lie.
      const auto [with_real, claim_real] = cheat(genesis, block, lie, real);
      CHECK(rejection(block, claim_real, with_real) == air::Rejection::signature_proof_rejected);
      const auto [forged, claim_forged] = cheat(genesis, block, lie, lie);
      CHECK(rejection(block, claim_forged, forged) == air::Rejection::signature_proof_rejected);
    }
  }
  SECTION("bit 1 for a tx whose bytes allow no claim (an Ed25519 key)") {
    auto decoded = air::decode_proof(honest);
    REQUIRE(decoded);
    auto header = decoded->first;
    header.signature_bits[3] = true;
    CHECK(rejection(block, honest_claim, air::encode_proof(header, decoded->second)) ==
          air::Rejection::claims_contradict_block);
  }
  SECTION("another block's signature proof") {
    // The same pattern of verdicts (so the same bits) over other txs: only the claims differ.
    const auto alice = ec_key(1), bob = ec_key(2);
    auto tampered = wallet::sign_transfer(bob, alice.public_key(), 2, 0, 0, kEcParams);
    tampered.sig[45] ^= 1;
    const codec::Block other =
        test::BasicBlockBuilder<kNamespace>(ec_key(4).public_key())
            .tx(wallet::sign_transfer(alice, bob.public_key(), 3, 1, 0, kEcParams))
            .tx(wallet::sign_transfer(alice, bob.public_key(), 4, 1, 1, kEcParams))
            .tx(tampered)
            .tx(wallet::sign_transfer(crypto::dev_key(1), crypto::dev_key(2).public_key, 2, 0, 0, kEdParams))
            .tx(wallet::sign_withdraw(bob, 6, 0, 0, kEcParams))
            .done();
    air::ProverState prover(genesis, 1);
    auto other_proof = must(air::prove_range(prover, std::span(&other, 1), kEcParams, air::ProveOptions{2, {}}));
    auto theirs = air::decode_proof(other_proof.bytes);
    auto ours = air::decode_proof(honest);
    REQUIRE(theirs);
    REQUIRE(ours);
    REQUIRE(theirs->first.signature_bits == ours->first.signature_bits);
    auto header = ours->first;
    header.signature_proof = theirs->first.signature_proof;
    CHECK(rejection(block, honest_claim, air::encode_proof(header, ours->second)) ==
          air::Rejection::signature_proof_rejected);
  }
  SECTION("the key ids: one too many or too few, another key's, not canonical") {
    auto decoded = air::decode_proof(honest);
    REQUIRE(decoded);
    REQUIRE(decoded->first.key_ids.size() == 8);  // two for each of the four claims
    // The sender's id in the program is the one the SchnorrAir proves: a real key's id instead
    // (Bob's, the first tx's `to`) breaks the rollup STARK or the signature proof.
    auto swapped = decoded->first;
    std::swap(swapped.key_ids[0], swapped.key_ids[1]);
    CHECK(rejection(block, honest_claim, air::encode_proof(swapped, decoded->second)).has_value());
    auto more = decoded->first;
    more.key_ids.push_back(more.key_ids[0]);
    CHECK(rejection(block, honest_claim, air::encode_proof(more, decoded->second)) ==
          air::Rejection::claims_contradict_block);
    auto fewer = decoded->first;
    fewer.key_ids.pop_back();
    CHECK(rejection(block, honest_claim, air::encode_proof(fewer, decoded->second)) ==
          air::Rejection::claims_contradict_block);
    // An id element >= p is no digest: the section decodes strictly.
    Bytes bytes = honest;
    const std::size_t ids_at = 4 + 1 + 1 + 4 + decoded->first.claims[0].size() + 128 + 4 + 1 + 4;
    const auto first_id = hash::digest_bytes(decoded->first.key_ids[0]);
    REQUIRE(std::equal(first_id.begin(), first_id.end(), bytes.begin() + static_cast<std::ptrdiff_t>(ids_at)));
    for (std::size_t b = 0; b < 8; ++b) bytes[ids_at + b] = 0xFF;
    CHECK(rejection(block, honest_claim, bytes) == air::Rejection::encoding);
  }
  SECTION("a bit too many or too few") {
    auto decoded = air::decode_proof(honest);
    REQUIRE(decoded);
    auto more = decoded->first;
    more.signature_bits.push_back(false);
    CHECK(rejection(block, honest_claim, air::encode_proof(more, decoded->second)) ==
          air::Rejection::claims_contradict_block);
    auto fewer = decoded->first;
    fewer.signature_bits.pop_back();
    CHECK(rejection(block, honest_claim, air::encode_proof(fewer, decoded->second)) ==
          air::Rejection::claims_contradict_block);
  }
}

TEST_CASE("sigscheme: the signature section decodes strictly", "[sigscheme][air]") {
  air::ProofHeader header;
  header.depth = air::depth_for(1);
  header.claims = {{}};
  header.version = air::kSignatureProofVersion;
  header.signature_bits = {true, false, true, true, false, false, false, true, true};
  header.signature_proof = {1, 2, 3};
  const Bytes stark = {9, 9};
  const Bytes bytes = air::encode_proof(header, stark);
  auto decoded = air::decode_proof(bytes);
  INFO((decoded ? std::string() : decoded.error().detail));
  REQUIRE(decoded);
  CHECK(decoded->first.signature_bits == header.signature_bits);
  CHECK(decoded->first.signature_proof == header.signature_proof);
  CHECK(Bytes(decoded->second.begin(), decoded->second.end()) == stark);
  // RBLK, version, depth, u32 count (0 claims), 4 x 32 roots, then u32 9 and two bytes of bits.
  const std::size_t bits_at = 4 + 1 + 1 + 4 + 128;
  CHECK(bytes[bits_at] == 9);
  CHECK(bytes[bits_at + 4] == 0b10001101);
  CHECK(bytes[bits_at + 5] == 0b00000001);
  Bytes stray = bytes;
  stray[bits_at + 5] |= 0b10;  // a bit beyond the count
  REQUIRE_FALSE(air::decode_proof(stray));
  CHECK(air::decode_proof(stray).error().reason == air::Rejection::encoding);
  Bytes truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bits_at + 7));
  CHECK_FALSE(air::decode_proof(truncated));
}

TEST_CASE("sigscheme: a range proof of two ecgfp5 blocks carries one signature proof over both", "[sigscheme][air]") {
  const vm::State genesis = mixed_genesis();
  const codec::Block first = mixed_block();
  const auto alice = ec_key(1), bob = ec_key(2);
  auto tampered = wallet::sign_transfer(bob, alice.public_key(), 2, 0, 1, kEcParams);
  tampered.sig[70] ^= 1;
  const codec::Block second = test::BasicBlockBuilder<kNamespace>(ec_key(4).public_key(), 2, 1)
                                  .tx(tampered)
                                  .tx(wallet::sign_transfer(alice, bob.public_key(), 3, 1, 2, kEcParams))
                                  .done();
  const std::vector<codec::Block> blocks{first, second};
  air::ProverState prover(genesis, 1);
  const air::RangeProofClaim pre{1, 2, first.hash, hash::digest_bytes(genesis.root()), {}, prover.keys().commitment()};
  auto proof = must(air::prove_range(prover, std::span(blocks), kEcParams, air::ProveOptions{2, {}}));
  REQUIRE(proof.last_height == 2);
  CHECK(proof.signature_claims == 6);
  auto decoded = air::decode_proof(proof.bytes);
  REQUIRE(decoded);
  CHECK(decoded->first.version == air::kSignatureProofVersion);
  CHECK(decoded->first.signature_bits == std::vector<bool>{true, true, false, false, true, false, true});
  air::RangeProofClaim claim = pre;
  claim.post_root = proof.post_root;
  auto verdict = must(air::verify_range_proof(std::span(blocks), kEcParams, claim, proof.bytes, 100));
  INFO((verdict ? std::string() : verdict.error().message()));
  REQUIRE(verdict);
  REQUIRE(verdict->blocks.size() == 2);
  CHECK(verdict->blocks[1].receipts[0].reason == vm::Reason::bad_signature);
  // The bits of the second block moved into the first: the counts per block no longer fit the
  // receipt claims.
  auto header = decoded->first;
  header.signature_bits.swap(header.signature_bits[4], header.signature_bits[5]);
  auto swapped = must(air::verify_range_proof(std::span(blocks), kEcParams, claim,
                                              air::encode_proof(header, decoded->second), 100));
  CHECK_FALSE(swapped);
}

TEST_CASE("sigscheme: claims made side by side carry each tx's own challenge", "[sigscheme][air]") {
  // 11 txs: a group of eight sponges and a remainder of three, one of them with no claim.
  std::vector<codec::Tx> txs;
  for (std::uint64_t i = 0; i < 11; ++i) {
    txs.push_back(i == 9 ? wallet::sign_withdraw(ec_key(i), 1 + i, i, i, kEcParams)
                         : wallet::sign_transfer(ec_key(i), ec_key(100 + i).public_key(), 1 + i, i, i, kEcParams));
  }
  for (std::size_t b = 0; b < 8; ++b) txs[5].sig[b] = 0xFF;  // w(R)'s c0 >= p: no claim
  const auto hashed = air::signature_claims_of(txs, kEcParams, air::SchnorrLayout::v2);
  const auto kept = air::signature_claims_of(txs, kEcParams);
  REQUIRE(hashed.size() == txs.size());
  REQUIRE(kept.size() == txs.size());
  for (std::size_t i = 0; i < txs.size(); ++i) {
    INFO("tx " << i);
    if (i == 5) {
      CHECK_FALSE(hashed[i]);
      CHECK_FALSE(kept[i]);
      continue;
    }
    REQUIRE(hashed[i]);
    const Bytes message = txs[i].signing_message();
    const auto e = ecgfp5::challenge({kEcParams.chain_id, kEcParams.namespace_id}, hashed[i]->public_key,
                                     hashed[i]->commitment, message);
    for (std::size_t j = 0; j < 4; ++j) CHECK(hashed[i]->challenge[j] == field::Felt(e.limbs()[j]));
    const auto one = air::signature_claim_of(txs[i], kEcParams, air::SchnorrLayout::v2);
    REQUIRE(one);
    CHECK(one->challenge == hashed[i]->challenge);
    // Layout v3 keeps the signed message (transfers and withdrawals alike 135 bytes), and the
    // AIR's sponge over it ends at the same e.
    REQUIRE(kept[i]);
    REQUIRE(message.size() == air::kSignedMessageBytes);
    CHECK(std::equal(message.begin(), message.end(), kept[i]->message.begin()));
    // ... and the `to` key whose id it proves: a transfer's, none for the withdrawal.
    const bool transfer = txs[i].type == codec::TxType::transfer;
    CHECK(kept[i]->to_key == (transfer ? smt::key_id_elements(txs[i].to) : std::array<field::Felt, 5>{}));
    const auto witness = air::witness_of(*kept[i], {kEcParams.chain_id, kEcParams.namespace_id});
    CHECK(witness.challenge == std::array<std::uint64_t, 5>{e.limbs()[0], e.limbs()[1], e.limbs()[2], e.limbs()[3], 0});
  }
}

TEST_CASE("sigscheme: a tx from a key that encodes no group element gets its bad_signature proven",
          "[sigscheme][air]") {
  // The verifier builds a claim from the bytes alone (no decoding) for every key whose
  // coefficients are below p; the SchnorrAir proves the key invalid and the bit 0.
  const vm::State genesis = mixed_genesis();
  const auto alice = ec_key(1), bob = ec_key(2);
  auto undecodable = wallet::sign_transfer(alice, bob.public_key(), 2, 1, 1, kEcParams);
  for (std::uint64_t v = 1;; ++v) {
    const auto w = ecgfp5::Gfp5::from_u64(v, 3 * v + 1, 0, 0, 0);
    if (ecgfp5::Point::decode(w)) continue;
    undecodable.from = w.to_bytes();
    break;
  }
  auto neutral = wallet::sign_transfer(alice, bob.public_key(), 3, 1, 1, kEcParams);
  neutral.from = std::array<std::uint8_t, 40>{};
  const codec::Block block = test::BasicBlockBuilder<kNamespace>(ec_key(4).public_key())
                                 .tx(wallet::sign_transfer(alice, bob.public_key(), 10, 1, 0, kEcParams))
                                 .tx(undecodable)
                                 .tx(neutral)
                                 .done();
  const auto& txs = vm::rollup_txs(block, kNamespace);
  const std::vector<bool> real = vm::check_signatures(txs, kEcParams, 1);
  REQUIRE(real == std::vector<bool>{true, false, false});
  const auto claims = air::signature_claims_of(txs, kEcParams);
  for (const auto& c : claims) REQUIRE(c);
  CHECK(!air::expected_result(*claims[1]));
  CHECK(!air::expected_result(*claims[2]));

  air::ProverState prover(genesis, 1);
  air::RangeProofClaim claim{block.height, block.height, block.hash, hash::digest_bytes(genesis.root()), {},
                             prover.keys().commitment()};
  auto proof = must(air::prove_range(prover, std::span(&block, 1), kEcParams, air::ProveOptions{2, {}}));
  CHECK(proof.signature_claims == 3);
  claim.post_root = proof.post_root;
  auto verdict = must(air::verify_range_proof(std::span(&block, 1), kEcParams, claim, proof.bytes, 100));
  INFO((verdict ? std::string() : verdict.error().message()));
  REQUIRE(verdict);
  CHECK(verdict->blocks[0].receipts[1].reason == vm::Reason::bad_signature);
  CHECK(verdict->blocks[0].receipts[2].reason == vm::Reason::bad_signature);

  // The bit of the undecodable key's tx claimed 1: with the real SchnorrAir proof, or one forged
  // for the lie from the honest trace (key_valid 0, result 0 against a public 1).
  const auto [honest, honest_claim] = cheat(genesis, block, real, real);
  CHECK(rejection(block, honest_claim, honest) == std::nullopt);
  for (std::size_t i : {1, 2}) {
    std::vector<bool> lie = real;
    lie[i] = true;
    const auto [with_real, claim_real] = cheat(genesis, block, lie, real);
    CHECK(rejection(block, claim_real, with_real) == air::Rejection::signature_proof_rejected);
    const auto [forged, claim_forged] = cheat(genesis, block, lie, lie);
    CHECK(rejection(block, claim_forged, forged) == air::Rejection::signature_proof_rejected);
  }
}
