// rollup-prove: proves the blocks named by exec lines and writes proof lines.
#include <fmt/format.h>

#include "air/session.hpp"
#include "cli/tool.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-prove",
                 "Prove the state transition of each block an exec line names (the block as the contract\n"
                 "committed it) and write a proof line after the exec line, which passes through. Proofs\n"
                 "are kept in the state file: a block proven before is not proven again, its stored proof\n"
                 "is written with a notice. Other lines pass through unchanged.",
                 "rollup-submit | rollup-exec | rollup-prove | rollup-submit");
  tool.add_db_option();
  tool.add_input_option();
  unsigned threads = cli::hardware_threads();
  tool.app()
      .add_option("--threads", threads, "Threads for the prover")
      ->capture_default_str()
      ->check(CLI::Range(1u, 256u));

  return tool.run(argc, argv, [&]() -> Status {
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    air::ProveOptions options;
    options.threads = threads;
    auto session = ROLLUP_TRY(air::ProverSession::open(db, options));
    codec::LineWriter out;
    cli::Progress progress("rollup-prove");
    std::uint64_t proven = 0;
    ROLLUP_TRY(tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      if (codec::kind_of(object) != "exec") return out.write(line.text);
      auto exec = ROLLUP_TRY(vm::parse_exec_claim(object));
      ROLLUP_TRY(out.write(line.text));
      progress.update(fmt::format("proving block {}", exec.height));
      auto outcome = ROLLUP_TRY(session->prove(exec));
      if (outcome.already_stored) {
        tool.notice(fmt::format("{}: block {} is already proven; writing the stored proof", line.where(), exec.height));
      } else {
        ++proven;
        const auto& f = *outcome.figures;
        progress.update(fmt::format("block {} proven in {:.1f} s, {} proven", exec.height, f.prove_ms / 1000, proven));
        tool.detail(fmt::format("block {}: {} ops at depth {}, trace {} x {}, proof {} bytes, {:.0f} ms "
                                "(witness {:.0f}, trace {:.0f}, stark {:.0f})",
                                exec.height, f.ops, f.depth, f.trace_width, f.trace_rows, f.bytes.size(),
                                f.prove_ms, f.witness_ms, f.trace_ms, f.timings.total * 1000));
      }
      return out.write(air::to_json(outcome.line));
    }));
    return out.finish();
  });
}
