// rollup-inspect's explanations: what they recompute holds for honest objects and fails for
// tampered ones, with and without the contract, and both renderings carry the same facts.
#include <catch2/catch.hpp>

#include "air/block_proof.hpp"
#include "air/contract_verifier.hpp"
#include "air/witness.hpp"
#include "crypto/crypto.hpp"
#include "inspect/explain.hpp"
#include "l1/genesis.hpp"
#include "stark/proof.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;
using inspect::Outcome;

namespace {

const auto kSequencer = crypto::dev_key(1000);
const auto kAlice = crypto::dev_key(0), kBob = crypto::dev_key(1);
const vm::RollupParams kParams{1, 1};

const inspect::Check* find_check(const inspect::Explanation& e, std::string_view name) {
  for (const auto& c : e.checks)
    if (c.name == name) return &c;
  return nullptr;
}

Outcome outcome_of(const inspect::Explanation& e, std::string_view name) {
  const auto* c = find_check(e, name);
  INFO("check " << name);
  REQUIRE(c != nullptr);
  return c->outcome;
}

inspect::OrderedJson json_of(const inspect::Explanation& e) {
  return inspect::OrderedJson::parse(inspect::render_json(e));
}

/// A contract with three dev accounts at genesis, its blocks signed by kSequencer.
struct Chain {
  store::Db db = *store::Db::open(":memory:", store::OpenMode::create_if_missing);
  std::unique_ptr<l1::Contract> contract =
      l1::open_contract(db, []() -> Result<std::uint64_t> { return 1'700'000'000; }).value();
  std::vector<l1::GenesisAccount> genesis = l1::dev_genesis(3, 1000);

  Chain() {
    l1::Config c;
    c.chain_id = kParams.chain_id;
    c.namespace_id = kParams.namespace_id;
    c.sequencer = kSequencer.public_key;
    c.dev_mode = true;
    REQUIRE(contract->init(c, genesis));
  }

  codec::Block block(std::uint64_t height, const Hash32& parent, std::vector<codec::Tx> txs,
                     const crypto::KeyPair& signer = kSequencer) {
    codec::Block b;
    b.height = height;
    b.parent = parent;
    b.timestamp = 1'700'000'000'000;
    b.sequencer = signer.public_key;
    b.fee_recipient = signer.public_key;
    b.namespaces.push_back(
        codec::NamespaceTxs{kParams.namespace_id, codec::tx_list_hash(txs), std::move(txs)});
    b.hash = b.compute_hash();
    b.sig = crypto::sign(signer, b.hash);
    return b;
  }

  vm::State genesis_state() const {
    std::vector<vm::Account> accounts;
    for (const auto& g : genesis) accounts.push_back({g.key, g.balance, 0});
    vm::State s;
    s.load_accounts(accounts, 1);
    return s;
  }
};

}  // namespace

TEST_CASE("inspect: a tx shows its 119 signed bytes field by field and whether its signature holds",
          "[inspect]") {
  inspect::Context none;
  const auto tx = wallet::sign_transfer(kAlice, kBob.public_key, 25, 2, 7, kParams);
  auto e = inspect::explain_tx(tx, none).value();
  CHECK(e.holds());
  CHECK(outcome_of(e, "signature") == Outcome::holds);
  const auto j = json_of(e);
  CHECK(j["kind"] == "inspect");
  CHECK(j["object"] == "tx");
  CHECK(j["signed_message"] == to_hex(tx.signing_message()));
  // The fields cut the message without gap or overlap, and each slice is the field's encoding.
  std::string joined = "0x";
  std::size_t next = 0;
  for (const auto& field : j["message_bytes"]) {
    CHECK(field["offset"] == next);
    next += field["length"].get<std::size_t>();
    joined += field["bytes"].get<std::string>().substr(2);
  }
  CHECK(next == 119);
  CHECK(joined == to_hex(tx.signing_message()));
  CHECK(j["message_bytes"][6]["field"] == "amount");
  CHECK(j["message_bytes"][6]["bytes"] == "0x1900000000000000");

  auto forged = tx;
  forged.amount = 26;  // the signature was made over 25
  auto f = inspect::explain_tx(forged, none).value();
  CHECK_FALSE(f.holds());
  CHECK(outcome_of(f, "signature") == Outcome::fails);
  CHECK(json_of(f)["holds"] == false);

  SECTION("with the contract: a tx signed for another rollup is named") {
    Chain chain;
    inspect::Context context(chain.db, *chain.contract);
    CHECK(outcome_of(inspect::explain_tx(tx, context).value(), "rollup") == Outcome::holds);
    const auto other =
        wallet::sign_transfer(kAlice, kBob.public_key, 25, 2, 7, vm::RollupParams{1, 9});
    auto o = inspect::explain_tx(other, context).value();
    CHECK(outcome_of(o, "signature") == Outcome::holds);  // a good signature, for namespace 9
    CHECK(outcome_of(o, "rollup") == Outcome::fails);
  }
}

TEST_CASE(
    "inspect: a block's signer, committed block, parent and deposits are checked against the "
    "contract",
    "[inspect]") {
  Chain chain;
  inspect::Context context(chain.db, *chain.contract);
  const auto tx = wallet::sign_transfer(kAlice, kBob.public_key, 5, 1, 0, kParams);
  auto bad_sig = wallet::sign_transfer(kAlice, kBob.public_key, 6, 1, 1, kParams);
  bad_sig.sig[3] ^= 1;
  const auto b1 = chain.block(1, Hash32{}, {tx, bad_sig});

  // Not committed yet: an open question, not a failure.
  auto before = inspect::explain_block(b1, context).value();
  CHECK(before.holds());
  CHECK(outcome_of(before, "committed") == Outcome::open);
  CHECK(outcome_of(before, "sequencer_signature") == Outcome::holds);
  const auto j = json_of(before);
  CHECK(j["valid_tx_signatures"] == 1);
  CHECK(j["namespaces"][0]["txs"][1]["signature"] == false);
  CHECK(j["work_ops"] == l1::ops_of(2, 0));

  REQUIRE(chain.contract->commit_block(b1));
  auto stored = inspect::explain_stored_block(context, 1).value();
  CHECK(stored.holds());
  CHECK(outcome_of(stored, "committed") == Outcome::holds);
  CHECK(json_of(stored)["record"].get<std::string>().size() == 66);
  CHECK(inspect::explain_stored_block(context, 2).error().code == Errc::rejected);

  // Another block at a committed height, one on the wrong parent, one by another signer.
  auto other = inspect::explain_block(chain.block(1, Hash32{}, {tx}), context).value();
  CHECK(outcome_of(other, "committed") == Outcome::fails);
  Hash32 wrong_parent{};
  wrong_parent[0] = 1;
  auto orphan = inspect::explain_block(chain.block(2, wrong_parent, {}), context).value();
  CHECK(outcome_of(orphan, "parent") == Outcome::fails);
  CHECK(outcome_of(orphan, "committed") == Outcome::open);
  const auto impostor = chain.block(2, b1.hash, {}, kAlice);
  auto forged = inspect::explain_block(impostor, context).value();
  CHECK(outcome_of(forged, "sequencer_signature") == Outcome::fails);
  CHECK(outcome_of(forged, "parent") == Outcome::holds);
  // Without the contract the signature is checked against the key the block names alone.
  inspect::Context none;
  CHECK(outcome_of(inspect::explain_block(impostor, none).value(), "sequencer_signature") ==
        Outcome::holds);
  auto tampered = impostor;
  tampered.sig[0] ^= 1;
  CHECK(outcome_of(inspect::explain_block(tampered, none).value(), "sequencer_signature") ==
        Outcome::fails);
}

TEST_CASE("inspect: an exec line's receipts in words, checked against the committed block",
          "[inspect]") {
  Chain chain;
  inspect::Context context(chain.db, *chain.contract);
  auto bad_nonce = wallet::sign_transfer(kAlice, kBob.public_key, 5, 1, 4, kParams);
  const auto b1 = chain.block(
      1, Hash32{}, {wallet::sign_transfer(kAlice, kBob.public_key, 5, 1, 0, kParams), bad_nonce});
  REQUIRE(chain.contract->commit_block(b1));
  auto state = chain.genesis_state();
  const auto& txs = vm::rollup_txs(b1, kParams.namespace_id);
  const auto outcome = state.apply_block(b1, kParams, vm::check_signatures(txs, kParams, 1), 1);
  const auto line = codec::parse_stream_object(vm::exec_to_json(outcome)).value();

  auto e = inspect::explain_exec(line, context).value();
  CHECK(e.holds());
  CHECK(outcome_of(e, "committed") == Outcome::holds);
  CHECK(outcome_of(e, "receipts") == Outcome::holds);
  CHECK(outcome_of(e, "pre_root") == Outcome::holds);  // the genesis root, verified at init
  CHECK(outcome_of(e, "post_root") == Outcome::open);  // not proven yet
  const auto j = json_of(e);
  REQUIRE(j["receipts"].size() == 2);
  CHECK(j["receipts"][0]["status"] == "ok");
  CHECK(j["receipts"][1]["reason"] == "bad_nonce");
  const std::string words = j["receipts"][1]["words"];
  CHECK(words.find("nonce 4: failed, bad_nonce") != std::string::npos);
  CHECK(inspect::render_text(e).find("the nonce is not the sender's next one") !=
        std::string::npos);

  // Without the contract, a block seen earlier on the stream names the receipts' txs; before it,
  // a receipt names its tx id alone.
  inspect::Context none;
  const std::string alone =
      json_of(inspect::explain_exec(line, none).value())["receipts"][1]["words"];
  CHECK(alone.find("nonce 4") == std::string::npos);
  CHECK(alone.find("failed, bad_nonce") != std::string::npos);
  REQUIRE(inspect::explain_block(b1, none));
  const std::string named =
      json_of(inspect::explain_exec(line, none).value())["receipts"][1]["words"];
  CHECK(named.find("nonce 4: failed, bad_nonce") != std::string::npos);

  auto broken = line;
  broken["receipts"][1]["reason"] = "tired";
  auto bad = inspect::explain_exec(broken, context);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::bad_input);
  CHECK(bad.error().message.find("exec.receipts[1]") != std::string::npos);
}

TEST_CASE("inspect: a proof's parameters, sections and public inputs; verified with the contract",
          "[inspect]") {
  Chain chain;
  inspect::Context context(chain.db, *chain.contract);
  const auto b1 =
      chain.block(1, Hash32{}, {wallet::sign_transfer(kAlice, kBob.public_key, 5, 1, 0, kParams)});
  REQUIRE(chain.contract->commit_block(b1));
  air::ProverState prover(chain.genesis_state(), 1);
  auto proven = air::prove_range(prover, std::span(&b1, 1), kParams, air::ProveOptions{1, {}});
  REQUIRE(proven);
  const auto line = air::proof_line_of(*proven);

  inspect::Context none;
  auto e = inspect::explain_proof(line, none).value();
  CHECK(e.holds());
  CHECK(outcome_of(e, "encoding") == Outcome::holds);
  auto j = json_of(e);
  CHECK(j["stark_parameters"]["blowup"] == 8);
  CHECK(j["stark_parameters"]["queries"] == 29);
  CHECK(j["stark_parameters"]["security_bits"] == line.security_bits);
  std::size_t total = 0;
  for (const auto& s : j["sections"]) {
    CHECK(s["offset"] == total);  // contiguous, in order
    total += s["bytes"].get<std::size_t>();
  }
  CHECK(total == line.proof.size());
  CHECK(j["public_inputs"]["post_root"] == to_hex(line.post_root));
  CHECK(j["public_inputs"]["receipt_claims"][0]["receipts"] == 1);

  // With the contract: the proof verifies (rollup-verify's check); its root is not on L1 yet.
  auto checked = inspect::explain_proof(line, context).value();
  CHECK(outcome_of(checked, "committed") == Outcome::holds);
  CHECK(outcome_of(checked, "verifies") == Outcome::holds);
  CHECK(outcome_of(checked, "post_root") == Outcome::open);
  l1::ProofClaim claim{line.height,
                       line.block_hash,
                       line.pre_root,
                       line.post_root,
                       line.pre_keys,
                       line.post_keys,
                       0};
  REQUIRE(chain.contract->submit_proof(claim, line.proof, air::contract_verifier()));
  CHECK(outcome_of(inspect::explain_proof(line, context).value(), "post_root") == Outcome::holds);

  auto overclaimed = line;
  overclaimed.security_bits += 1;
  CHECK(outcome_of(inspect::explain_proof(overclaimed, none).value(), "security_bits") ==
        Outcome::fails);
  auto damaged = line;
  damaged.proof[0] ^= 1;  // the magic
  auto d = inspect::explain_proof(damaged, none).value();
  CHECK(outcome_of(d, "encoding") == Outcome::fails);
  auto wrong_root = line;
  wrong_root.post_root[0] ^= 1;
  CHECK(outcome_of(inspect::explain_proof(wrong_root, context).value(), "verifies") ==
        Outcome::fails);
}

TEST_CASE("inspect: an account proof level by level, to the root and the contract's root",
          "[inspect]") {
  Chain chain;
  inspect::Context context(chain.db, *chain.contract);
  const auto state = chain.genesis_state();
  vm::AccountAnswer answer{state.account(1), state.tree().proof(1), state.root(), 0};

  auto e = inspect::explain_account(answer, context).value();
  CHECK(e.holds());
  CHECK(outcome_of(e, "leaf") == Outcome::holds);
  CHECK(outcome_of(e, "path") == Outcome::holds);
  CHECK(outcome_of(e, "contract_root") == Outcome::holds);  // the genesis root at height 0
  const auto j = json_of(e);
  REQUIRE(j["levels"].size() == smt::kDepth);
  CHECK(j["levels"][0]["node_is"] == "right");  // index 1: bit 0 set
  CHECK(j["levels"][1]["node_is"] == "left");
  CHECK(j["levels"][31]["parent"] == j["root"]);
  CHECK(j["levels"][5]["sibling_empty"] == true);  // three accounts: level 2 up is empty beside

  auto bent = answer;
  bent.proof.siblings[3][0] = bent.proof.siblings[3][0] + field::Felt(1);
  auto b = inspect::explain_account(bent, context).value();
  CHECK(outcome_of(b, "path") == Outcome::fails);
  CHECK(outcome_of(b, "contract_root") == Outcome::fails);
  auto richer = answer;
  richer.account.balance += 1;
  CHECK(outcome_of(inspect::explain_account(richer, context).value(), "leaf") == Outcome::fails);
  auto later = answer;
  later.height = 4;
  CHECK(outcome_of(inspect::explain_account(later, context).value(), "contract_root") ==
        Outcome::open);
}

TEST_CASE("inspect: text and JSON carry the same explanation; unknown kinds are bad input",
          "[inspect]") {
  inspect::Explanation e;
  e.object = "demo";
  e.summary = "a demo";
  e.body.add("short", 1).add("much_longer_key", "x", "the text form");
  e.body.add_json("machine_only", true);
  auto& items = e.body.list("items");
  inspect::Section item;
  item.compact = true;
  item.heading = "item 0";
  item.add("a", 1).add("words", "reads as a sentence");
  items.push_back(item);
  e.check("fine", true, "it holds");
  e.check("unknown", Outcome::open, "not yet");
  CHECK(e.holds());
  const std::string text = inspect::render_text(e);
  CHECK(text.find("  short            1\n") != std::string::npos);
  CHECK(text.find("  much longer key  the text form\n") != std::string::npos);
  CHECK(text.find("machine") == std::string::npos);
  CHECK(text.find("item 0  a 1  reads as a sentence") != std::string::npos);
  CHECK(text.find("open   unknown  not yet") != std::string::npos);
  const auto j = json_of(e);
  CHECK(
      j.dump() ==
      R"({"kind":"inspect","v":1,"object":"demo","summary":"a demo","short":1,"much_longer_key":"x",)"
      R"("machine_only":true,"items":[{"a":1,"words":"reads as a sentence"}],"checks":[{"check":"fine",)"
      R"("outcome":"holds","detail":"it holds"},{"check":"unknown","outcome":"open","detail":"not yet"}],)"
      R"("holds":true})");
  e.check("broken", false, "it does not");
  CHECK_FALSE(e.holds());

  inspect::Context none;
  auto status = codec::parse_stream_object(R"({"kind":"l1.status","v":1})").value();
  auto r = inspect::explain_object(status, none);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::bad_input);
  CHECK(r.error().message.find("l1.status") != std::string::npos);
}

TEST_CASE("inspect: a shared block shows each namespace's deposits and checks the rollup's own",
          "[inspect]") {
  Chain chain;
  inspect::Context context(chain.db, *chain.contract);
  REQUIRE(chain.contract->fund(kAlice.public_key, 100));
  REQUIRE(chain.contract->deposit(kAlice.public_key, kBob.public_key, 30));
  const auto queued = chain.contract->deposits_from(0, 1).value();
  codec::Block b =
      chain.block(1, Hash32{}, {wallet::sign_transfer(kAlice, kBob.public_key, 5, 1, 0, kParams)});
  b.version = codec::kSharedBlockFormatVersion;
  b.namespaces[0].deposit_first = 0;
  b.namespaces[0].deposits = {queued[0].deposit};
  codec::NamespaceTxs theirs;  // another rollup's entry: its own queue, its own deposit 0
  theirs.id = kParams.namespace_id + 1;
  theirs.tx_hash = codec::tx_list_hash({});
  theirs.deposits = {{0, kBob.public_key, kBob.public_key, 999}};
  b.namespaces.push_back(theirs);
  b.hash = b.compute_hash();
  b.sig = crypto::sign(kSequencer, b.hash);

  auto e = inspect::explain_block(b, context).value();
  CHECK(e.holds());
  CHECK(outcome_of(e, "hash") == Outcome::holds);
  CHECK(outcome_of(e, "deposits") == Outcome::holds);  // this rollup's entry against its queue
  const auto j = json_of(e);
  CHECK(j["version"] == 2);
  CHECK(j["deposits"] == 2);
  CHECK_FALSE(j.contains("deposit_first"));
  CHECK(j["namespaces"][0]["deposits_consumed"][0]["amount"] == 30);
  CHECK(j["namespaces"][1]["deposits_consumed"][0]["amount"] == 999);
  CHECK(j["work_ops"] == l1::ops_of(1, 1));  // the other rollup's deposit is not ours
  CHECK(e.summary.find("2 deposits consumed") != std::string::npos);

  // Its entry claiming another deposit than the queue holds fails the check.
  b.namespaces[0].deposits[0].amount = 31;
  b.hash = b.compute_hash();
  b.sig = crypto::sign(kSequencer, b.hash);
  CHECK(outcome_of(inspect::explain_block(b, context).value(), "deposits") == Outcome::fails);
}
