// rollup-inspect: explains stream objects and stored items in words and figures, checking what it
// can recompute (signatures, hashes, Merkle paths) and, with a state file, what the contract holds.
#include <fmt/format.h>

#include <cstdlib>

#include "cli/tool.hpp"
#include "inspect/explain.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-inspect",
                 "Explain each NDJSON line (tx, block, exec, proof, account, verdict, l1.receipt), "
                 "or a stored\n"
                 "block, proof or account, in words and figures. What can be recomputed is "
                 "checked, not echoed:\n"
                 "signatures, hashes, Merkle paths, proof encodings; with --db (or ROLLUP_DB) also "
                 "against the\n"
                 "contract: its sequencer, its committed blocks, its verified roots. Exit 1 when a "
                 "check fails.",
                 "rollup-tx transfer --key a.key --to 0x… --amount 5 | rollup-inspect\n"
                 "  rollup-l1 blocks --from 3 --to 3 | rollup-inspect --db rollup.db\n"
                 "  rollup-inspect block 3                      # the committed block at height 3\n"
                 "  rollup-inspect proof 3 --json | jq .stark_parameters\n"
                 "  rollup-inspect account 0x… --height 2       # each Merkle level, checked "
                 "against the contract\n"
                 "  rollup-exec < blocks.ndjson | rollup-inspect --db rollup.db --json | jq "
                 "'select(.holds|not)'");
  tool.add_db_option();
  tool.add_input_option();
  auto& app = tool.app();
  bool json = false;
  app.add_flag("--json", json,
               "One JSON object per explanation (kind \"inspect\") instead of text");

  std::uint64_t height = 0;
  auto* block_cmd =
      app.add_subcommand("block", "Explain the block the contract committed at HEIGHT");
  cli::add_unsigned(*block_cmd, "HEIGHT", height, "Block height", 1)->required();
  auto* proof_cmd =
      app.add_subcommand("proof", "Explain the stored proof that starts (or ends) at HEIGHT");
  cli::add_unsigned(*proof_cmd, "HEIGHT", height, "Block height", 1)->required();
  std::string key_hex;
  std::optional<std::uint64_t> index, at_height;
  auto* account_cmd =
      app.add_subcommand("account", "Explain an account's Merkle proof, level by level");
  account_cmd->add_option("PUBKEY", key_hex, "Account public key (0x + 64 hex digits)");
  cli::add_unsigned(*account_cmd, "--index", index, "Account by leaf index instead of key");
  cli::add_unsigned(*account_cmd, "--height", at_height,
                    "Answer at this committed height, rebuilt by replaying the contract's blocks");

  return tool.run(argc, argv, [&]() -> Status {
    codec::LineWriter out;
    std::size_t explained = 0, failing = 0;
    auto emit = [&](const inspect::Explanation& e) -> Status {
      ++explained;
      failing += !e.holds();
      if (json) return out.write(inspect::render_json(e));
      std::string text = inspect::render_text(e);
      if (explained > 1) text.insert(0, "\n");
      text.pop_back();  // the writer ends the record with its own newline
      return out.write(text);
    };
    const bool stored = block_cmd->parsed() || proof_cmd->parsed() || account_cmd->parsed();
    // Stream lines are checked against a state file only when one is named: their own content
    // explains them. A stored item is read from the state file, ./rollup.db by default.
    const char* db_env = std::getenv("ROLLUP_DB");
    const bool db_named = app.get_option("--db")->count() > 0 || (db_env && *db_env);
    std::optional<store::Db> db;
    std::unique_ptr<l1::Contract> contract;
    std::unique_ptr<inspect::Context> context = std::make_unique<inspect::Context>();
    if (stored || db_named) {
      db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
      contract = ROLLUP_TRY(l1::open_contract(*db));
      context = std::make_unique<inspect::Context>(*db, *contract, cli::hardware_threads());
    }
    if (stored && tool.inputs() != std::vector<std::string>{"-"})
      return fail(Errc::usage,
                  "input files are for explaining lines; a subcommand reads the state file");
    if (block_cmd->parsed()) {
      ROLLUP_TRY(emit(ROLLUP_TRY(inspect::explain_stored_block(*context, height))));
    } else if (proof_cmd->parsed()) {
      ROLLUP_TRY(emit(ROLLUP_TRY(inspect::explain_stored_proof(*context, height))));
    } else if (account_cmd->parsed()) {
      if (key_hex.empty() == !index)
        return fail(Errc::usage, "account: give either PUBKEY or --index");
      std::optional<PublicKey> key;
      if (!key_hex.empty()) key = ROLLUP_TRY(cli::parse_public_key(key_hex, "PUBKEY"));
      ROLLUP_TRY(
          emit(ROLLUP_TRY(inspect::explain_stored_account(*context, key, index, at_height))));
    } else {
      ROLLUP_TRY(tool.for_each_object([&](const codec::Line&, const codec::Json& object) -> Status {
        return emit(ROLLUP_TRY(inspect::explain_object(object, *context)));
      }));
    }
    ROLLUP_TRY(out.finish());
    if (failing)
      return fail(Errc::rejected,
                  fmt::format("{} of {} {} a failed check", failing, explained,
                              explained == 1 ? "explanation has" : "explanations have"));
    return {};
  });
}
