// rollup-diff: the accounts that differ between two heights of a state file, or two state files.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/replay.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-diff",
                 "Print the accounts that differ between two states: two heights of one state file (--height\n"
                 "twice), or two state files (each at its executor's current state, or both at --height).\n"
                 "One account_diff line per differing leaf index with both values, then a diff_summary line\n"
                 "with both heights, both roots and the count. Exit status 0 when the states are equal, 1 when\n"
                 "they differ, as diff(1). The state files are only read.",
                 "rollup-diff --height 10 --height 20 | jq -c 'select(.kind == \"account_diff\")'\n"
                 "  rollup-diff a.db b.db --height 42");
  tool.add_db_option();
  auto& app = tool.app();
  std::vector<std::string> files;
  std::vector<std::uint64_t> heights;
  unsigned threads = cli::hardware_threads();
  app.add_option("STATE_FILE", files, "Two state files to compare (instead of --db)")->expected(0, 2);
  app.add_option("--height", heights,
                 "A committed height: twice to compare two heights of --db; once to compare two files at it")
      ->check(cli::unsigned_range())
      ->expected(1)
      ->take_all()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli::add_unsigned(app, "--threads", threads, "Threads for hashing", 1, 256)->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    if (files.size() == 1) return fail(Errc::usage, "give two state files, or none and --height twice");
    if (heights.size() > 2) return fail(Errc::usage, "--height: at most two");
    struct Source {
      std::string path;
      std::optional<std::uint64_t> height;
    };
    std::vector<Source> sources;
    if (files.empty()) {
      if (heights.size() != 2)
        return fail(Errc::usage, "one state file: give --height twice (or two state files to compare)");
      sources = {{tool.db_path(), heights[0]}, {tool.db_path(), heights[1]}};
    } else {
      for (const auto& f : files) ROLLUP_TRY(store::check_db_path(f));
      std::optional<std::uint64_t> h1, h2;
      if (!heights.empty()) h1 = h2 = heights[0];
      if (heights.size() == 2) h2 = heights[1];
      sources = {{files[0], h1}, {files[1], h2}};
    }
    std::vector<vm::StateSide> sides;
    for (const auto& s : sources) {
      auto db = ROLLUP_TRY(store::Db::open(s.path, store::OpenMode::read_only));
      auto contract = ROLLUP_TRY(l1::open_contract(db));
      sides.push_back(ROLLUP_TRY(vm::load_side(db, *contract, s.path, s.height, threads)));
    }
    auto differences = vm::diff_states(sides[0].state, sides[1].state);
    codec::LineWriter out;
    for (const auto& d : differences) ROLLUP_TRY(out.write(vm::difference_to_json(d)));
    ROLLUP_TRY(out.write(vm::diff_summary_to_json(sides[0], sides[1], differences.size())));
    ROLLUP_TRY(out.finish());
    if (!differences.empty())
      return fail(Errc::rejected, differences.size() == 1 ? std::string("1 account differs")
                                                          : fmt::format("{} accounts differ", differences.size()));
    return {};
  });
}
