// rollup-query: an account with its Merkle proof; --check verifies it against the contract.
#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/query.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-query",
                 "Print an account (balance, nonce, leaf, Merkle proof, root) from the executor's state.\n"
                 "With --check, verify the proof against the contract's root and exit 1 if it fails.",
                 "rollup-query --check 0x…  |  jq .balance");
  tool.add_db_option();
  auto& app = tool.app();
  std::string key_hex;
  std::optional<std::uint64_t> index;
  bool check = false;
  std::optional<std::uint64_t> height;
  app.add_option("PUBKEY", key_hex, "Account public key (0x + 64 hex digits)");
  cli::add_unsigned(app, "--index", index, "Account by leaf index instead of key");
  app.add_flag("--check", check,
               "Verify the proof against the contract's latest verified root (answering at its height)");
  cli::add_unsigned(app, "--height", height,
                 "Answer at this committed height, read from the state file's history (any height the\n"
                 "retention kept; older ones are rebuilt from the contract's blocks)");
  return tool.run(argc, argv, [&]() -> Status {
    if (key_hex.empty() == !index) return fail(Errc::usage, "give either PUBKEY or --index");
    std::optional<PublicKey> key;
    if (!key_hex.empty()) key = ROLLUP_TRY(cli::parse_public_key(key_hex, "PUBKEY"));
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    if (check && height) return fail(Errc::usage, "--check picks the height itself: drop --height");
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    if (check) height = ROLLUP_TRY(vm::root_to_check(*contract)).height;
    vm::AccountAnswer answer;
    if (height)
      answer = ROLLUP_TRY(vm::query_account_at(db, *contract, key, index, *height, cli::hardware_threads()));
    else
      answer = ROLLUP_TRY(vm::query_account(db, key, index));
    std::optional<vm::CheckVerdict> verdict;
    if (check) verdict = ROLLUP_TRY(vm::check_against_contract(*contract, answer));
    codec::LineWriter out;
    ROLLUP_TRY(out.write(vm::account_to_json(answer, verdict ? &*verdict : nullptr)));
    ROLLUP_TRY(out.finish());
    if (verdict && !verdict->valid) return fail(Errc::rejected, "check failed: " + verdict->reason);
    return {};
  });
}
