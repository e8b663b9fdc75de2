// rollup-prove: proves the blocks named by exec lines and writes proof lines.
#include <fmt/format.h>

#include <vector>

#include "air/session.hpp"
#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-prove",
                 "Prove the state transition of each block an exec line names (the block as the contract\n"
                 "committed it) and write a proof line after the exec line, which passes through. Proofs\n"
                 "are kept in the state file: a block proven before is not proven again, its stored proof\n"
                 "is written with a notice. Other lines pass through unchanged. With --range N, the blocks\n"
                 "of N consecutive exec lines are proven in one range proof, written after the last of them\n"
                 "(fewer at the end of the input or before a gap in the heights).",
                 "rollup-submit | rollup-exec | rollup-prove | rollup-submit");
  tool.add_db_option();
  tool.add_input_option();
  unsigned threads = cli::hardware_threads();
  cli::add_unsigned(tool.app(), "--threads", threads, "Threads for the prover", 1, 256)->capture_default_str();
  unsigned range = 1;
  cli::add_unsigned(tool.app(), "--range", range,
                    "Blocks per proof: consecutive exec'd blocks proven in one range proof", 1, 4096)
      ->capture_default_str();
  std::string lde_cache = "auto";
  tool.app()
      .add_option("--lde-cache", lde_cache,
                  "MiB of the LDEs (the trace's, then the composition's) the prover keeps between its passes; "
                  "the rest is recomputed (less memory, more time, the same proof). auto: both whole when the "
                  "trace's takes at most 1750 MiB (a block of about 1,000 transfers), else 800 MiB")
      ->envname("ROLLUP_LDE_CACHE")
      ->capture_default_str();
  std::uint64_t max_trace_rows = air::kDefaultMaxTraceRows;
  cli::add_unsigned(tool.app(), "--max-trace-rows", max_trace_rows,
                    "The most trace rows one proof may take (memory follows them): a range proof ends before "
                    "the block that would exceed it, and the rest is proven next (a single block always goes "
                    "ahead; 0: no limit)")
      ->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    air::ProveOptions options;
    options.threads = threads;
    if (lde_cache != "auto")
      options.stark.lde_cache_bytes =
          ROLLUP_TRY(cli::parse_unsigned(lde_cache, "--lde-cache (MiB or auto)", 0, std::uint64_t{1} << 30)) << 20;
    options.max_trace_rows = max_trace_rows;
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    auto session = ROLLUP_TRY(air::ProverSession::open(db, *contract, options));
    codec::LineWriter out;
    cli::Progress progress("rollup-prove");
    std::uint64_t proven = 0;
    std::vector<vm::ExecClaim> pending;  // exec lines of the range being gathered
    std::string where;
    // The first blocks gathered that fit the trace budget, in one proof.
    auto prove_some = [&]() -> Status {
      const std::uint64_t first = pending.front().height;
      const std::string asked = pending.size() == 1 ? fmt::format("block {}", first)
                                                    : fmt::format("blocks {}..{}", first, pending.back().height);
      progress.update(fmt::format("proving {}", asked));
      auto outcome = ROLLUP_TRY(session->prove_range(pending));
      const std::uint64_t last = std::max(outcome.line.height, outcome.line.last_height);
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(last - first + 1));
      const std::string blocks = first == last ? fmt::format("block {}", first) : fmt::format("blocks {}..{}", first, last);
      if (!pending.empty() && !outcome.already_stored)
        tool.notice(fmt::format("{}: the range's trace would exceed --max-trace-rows: {} proven in one proof, "
                                "the rest next", where, blocks));
      if (outcome.already_stored) {
        tool.notice(fmt::format("{}: {} {} already proven; writing the stored proof", where, blocks,
                                first == last ? "is" : "are"));
      } else {
        ++proven;
        const auto& f = *outcome.figures;
        progress.update(fmt::format("{} proven in {:.1f} s, {} proven", blocks, f.prove_ms / 1000, proven));
        tool.detail(fmt::format("{}: {} ops at depth {}, trace {} x {}, proof {} bytes, {:.0f} ms "
                                "(witness {:.0f}, trace {:.0f}, stark {:.0f})",
                                blocks, f.ops, f.depth, f.trace_width, f.trace_rows, f.bytes.size(),
                                f.prove_ms, f.witness_ms, f.trace_ms, f.timings.total * 1000));
      }
      return out.write(air::to_json(outcome.line));
    };
    // One range proof, or several when the range's trace would be over the budget.
    auto flush = [&]() -> Status {
      while (!pending.empty()) ROLLUP_TRY(prove_some());
      return {};
    };
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      if (codec::kind_of(object) != "exec") return out.write(line.text);
      auto exec = ROLLUP_TRY(vm::parse_exec_claim(object));
      // A gap in the heights ends the range gathered so far.
      if (!pending.empty() && exec.height != pending.back().height + 1) ROLLUP_TRY(flush());
      ROLLUP_TRY(out.write(line.text));
      where = line.where();
      pending.push_back(std::move(exec));
      if (pending.size() >= range) return flush();
      return {};
    }));
    ROLLUP_TRY(flush());
    return out.finish();
  });
}
