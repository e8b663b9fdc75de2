// rollup-snapshot: the state at a height, out of one state file and into a fresh one.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/history.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-snapshot",
                 "Export the rollup's state at a committed height as NDJSON (a header line, then one line per\n"
                 "account), or import such a snapshot into a state file whose executor has stored nothing yet.\n"
                 "An import is checked against the root (and key set) the contract verified at that height, so a\n"
                 "snapshot from anyone is safe to start from; the executor then goes on from that height with the\n"
                 "contract's blocks. Export reads one consistent view of the file: safe on a live state file.",
                 "rollup-snapshot export --height 100 > snap.ndjson && rollup-snapshot --db new.db import snap.ndjson\n"
                 "  && rollup-exec --db new.db --follow --until 120");
  tool.add_db_option();
  auto& app = tool.app();
  app.require_subcommand(1);
  unsigned threads = cli::hardware_threads();
  cli::add_unsigned(app, "--threads", threads, "Threads for hashing the tree", 1, 256)->capture_default_str();

  std::optional<std::uint64_t> height;
  auto* exp = app.add_subcommand("export", "Write the state at a height to stdout");
  cli::add_unsigned(*exp, "--height", height,
                    "The height (default: the contract's last verified height, the one an import accepts)");
  auto* imp = app.add_subcommand("import", "Read a snapshot (file or stdin) into this state file");
  tool.add_input_option(imp);

  return tool.run(argc, argv, [&]() -> Status {
    if (exp->parsed()) {
      auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
      auto contract = ROLLUP_TRY(l1::open_contract(db));
      if (!height) height = ROLLUP_TRY(contract->latest_root()).height;
      codec::LineWriter out;
      std::uint64_t written = 0;
      cli::Progress progress("rollup-snapshot");
      ROLLUP_TRY(vm::export_snapshot(db, *contract, *height, threads, [&](std::string_view line) -> Status {
        if (++written % 100'000 == 0) progress.update(fmt::format("{} accounts", written - 1));
        return out.write(line);
      }));
      return out.finish();
    }
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    vm::SnapshotImporter importer(db, *contract, threads);
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line&, const codec::Json& object) { return importer.add(object); }));
    auto imported = ROLLUP_TRY(importer.finish());
    tool.notice(fmt::format("imported {} accounts at height {}, root {} (the contract's verified root there)",
                            imported.accounts, imported.height, vm::root_hex(imported.root)));
    return {};
  });
}
