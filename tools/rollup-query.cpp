// rollup-query: an account with its Merkle proof; --check verifies it against the contract.
#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "rpc/remote.hpp"
#include "store/db.hpp"
#include "vm/query.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-query",
                 "Print an account (balance, nonce, leaf, Merkle proof, root) from the executor's state.\n"
                 "With --check, verify the proof against the contract's root and exit 1 if it fails.\n"
                 "With --rpc URL, ask a rollup-serve instead of reading the executor's state; with --check\n"
                 "too, the answer is checked against the root the contract in --db verified, never against\n"
                 "anything the server says, and a server that lies makes it exit 1.",
                 "rollup-query --check 0x…  |  jq .balance\n"
                 "  rollup-query --rpc http://127.0.0.1:8545 --check 0x…");
  tool.add_db_option();
  auto& app = tool.app();
  std::string key_hex;
  std::optional<std::uint64_t> index;
  bool check = false;
  std::optional<std::uint64_t> height;
  std::string rpc_url;
  app.add_option("PUBKEY", key_hex, "Account public key (0x + 64 hex digits; 80 for an ecgfp5 rollup)");
  app.add_option("--rpc", rpc_url, "Ask the rollup-serve at this URL (--db then only gives the contract)");
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
    if (check && height) return fail(Errc::usage, "--check picks the height itself: drop --height");
    if (!rpc_url.empty() && index) return fail(Errc::usage, "--rpc asks by PUBKEY: drop --index");
    std::optional<rpc::Client> client;
    if (!rpc_url.empty()) client = ROLLUP_TRY(rpc::Client::open(rpc_url));
    std::optional<store::Db> db;
    std::unique_ptr<l1::Contract> contract;
    // A client of a server that does not check needs no state file of its own.
    if (!client || check) {
      db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
      contract = ROLLUP_TRY(l1::open_contract(*db));
    }
    if (contract && key) {
      // A key of the other scheme names no account of this rollup: say so rather than "no account".
      const auto cfg = ROLLUP_TRY(contract->config());
      if (auto ok = crypto::check_key_scheme(cfg.sig_scheme, *key, "PUBKEY"); !ok)
        return fail(Errc::usage, ok.error().message);
    }
    if (check) height = ROLLUP_TRY(vm::root_to_check(*contract)).height;
    vm::AccountAnswer answer;
    if (client)
      answer = ROLLUP_TRY(rpc::fetch_account(*client, *key, height));
    else if (height)
      answer = ROLLUP_TRY(vm::query_account_at(*db, *contract, key, index, *height, cli::hardware_threads()));
    else
      answer = ROLLUP_TRY(vm::query_account(*db, key, index));
    std::optional<vm::CheckVerdict> verdict;
    if (check) verdict = ROLLUP_TRY(vm::check_against_contract(*contract, answer));
    if (client && !check) tool.notice("the server's answer is not checked: add --check to hold it to the contract");
    codec::LineWriter out;
    ROLLUP_TRY(out.write(vm::account_to_json(answer, verdict ? &*verdict : nullptr)));
    ROLLUP_TRY(out.finish());
    if (verdict && !verdict->valid) return fail(Errc::rejected, "check failed: " + verdict->reason);
    return {};
  });
}
