// rollup-bisect: the first height, and the first receipt in it, at which two histories part.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "rpc/remote.hpp"
#include "store/db.hpp"
#include "vm/replay.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-bisect",
                 "Find the first height at which two state files' stored roots disagree, or a state file's\n"
                 "and its contract's (--contract: the verified roots, and the committed blocks re-executed),\n"
                 "by binary search over the heights; then re-execute that block on each side, receipt by\n"
                 "receipt, for the first deposit or tx whose result or root differs. Prints one bisect line\n"
                 "(the height, both roots, the receipt on each side) and a sentence on stderr. Exit status 0\n"
                 "when no divergence is found, 1 when one is. The state files are only read.\n"
                 "With --rpc URL, the other side is a rollup-serve: its executed roots and receipts\n"
                 "(rollup_status, rollup_getReceipts) against the state file's, one request a probe.",
                 "rollup-bisect a.db b.db | jq .height\n"
                 "  rollup-bisect --contract suspect.db\n"
                 "  rollup-bisect --rpc http://127.0.0.1:8545 mine.db");
  tool.add_db_option();
  auto& app = tool.app();
  std::vector<std::string> files;
  bool against_contract = false;
  std::string rpc_url;
  unsigned threads = cli::hardware_threads();
  app.add_option("STATE_FILE", files, "One or two state files (default: --db)")->expected(0, 2);
  app.add_flag("--contract", against_contract,
               "Compare the state file with its contract instead of with a second state file");
  app.add_option("--rpc", rpc_url, "Compare the state file with a rollup-serve at this URL");
  cli::add_unsigned(app, "--threads", threads, "Threads for signatures and hashing", 1, 256)->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    if (files.empty()) files.push_back(tool.db_path());
    for (const auto& f : files) ROLLUP_TRY(store::check_db_path(f));
    const int others = int(against_contract) + int(!rpc_url.empty()) + int(files.size() == 2);
    if (others != 1)
      return fail(Errc::usage, "give two state files, or one state file and --contract or --rpc URL");
    std::vector<store::Db> dbs;
    std::vector<std::unique_ptr<l1::Contract>> contracts;
    dbs.reserve(files.size());
    for (const auto& f : files) {
      dbs.push_back(ROLLUP_TRY(store::Db::open(f, store::OpenMode::read_only)));
      contracts.push_back(ROLLUP_TRY(l1::open_contract(dbs.back())));
    }
    vm::BisectReport report;
    if (against_contract) {
      report = ROLLUP_TRY(vm::bisect_against_contract(dbs[0], *contracts[0], files[0], threads));
    } else if (!rpc_url.empty()) {
      auto client = ROLLUP_TRY(rpc::Client::open(rpc_url));
      auto remote = ROLLUP_TRY(rpc::remote_history(client));
      report = ROLLUP_TRY(vm::bisect_against_remote(dbs[0], *contracts[0], files[0], remote, threads));
    } else {
      report = ROLLUP_TRY(
          vm::bisect_state_files(dbs[0], *contracts[0], files[0], dbs[1], *contracts[1], files[1], threads));
    }
    codec::LineWriter out;
    ROLLUP_TRY(out.write(vm::bisect_to_json(report)));
    ROLLUP_TRY(out.finish());
    tool.detail(fmt::format("{} heights compared", report.probes));
    if (report.height) return fail(Errc::rejected, vm::bisect_summary(report));
    tool.notice(vm::bisect_summary(report));
    return {};
  });
}
