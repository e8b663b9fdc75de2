// rollup-exec: authenticates blocks against the contract and applies them.
#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <thread>

#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/executor.hpp"
#include "vm/history.hpp"
#include "vm/pipeline.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void request_stop(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-exec",
                 "Authenticate each block against the contract's commitment at its height, apply it\n"
                 "with the state transition function, store the state, and write an exec line.\n"
                 "Other lines pass through unchanged.",
                 "rollup-seq --key seq.key | rollup-submit | rollup-exec | rollup-prove | rollup-submit");
  tool.add_db_option();
  tool.add_input_option();
  auto& app = tool.app();
  bool follow = false, dry_run = false;
  unsigned threads = cli::hardware_threads();
  std::optional<std::uint64_t> until;
  std::uint64_t poll_ms = 200;
  app.add_flag("--follow", follow, "Read blocks from the contract instead of the input, as they are committed");
  cli::add_unsigned(app, "--until", until, "With --follow: stop after this height (default: follow until interrupted)");
  cli::add_unsigned(app, "--poll-ms", poll_ms, "With --follow: how often to look for new blocks")->capture_default_str();
  app.add_flag("--dry-run", dry_run, "Execute without writing the state file");
  std::optional<std::string> retain;
  app.add_option("--retain", retain,
                 "History to keep, stored in the state file: N heights below the tip, or 'archive' for every\n"
                 "height (default 10000). Nothing above the contract's last verified root is ever pruned.");
  cli::add_unsigned(app, "--threads", threads, "Threads for signatures and hashing", 1, 256)->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    if (retain) {
      if (*retain == "archive") {
        ROLLUP_TRY(vm::set_retention(db, std::nullopt));
      } else {
        std::uint64_t n = 0;
        const char* end = retain->data() + retain->size();
        auto [stop, ec] = std::from_chars(retain->data(), end, n);
        if (retain->empty() || ec != std::errc{} || stop != end)
          return fail(Errc::usage, "--retain: expected a number of heights or 'archive', got '" + *retain + "'");
        ROLLUP_TRY(vm::set_retention(db, n));
      }
    }
    auto executor = ROLLUP_TRY(vm::Executor::open(db, *contract, threads, !dry_run));
    codec::LineWriter out;
    cli::Progress progress("rollup-exec");
    std::uint64_t applied = 0, txs = 0;
    auto started = std::chrono::steady_clock::now();

    auto report = [&](const vm::ApplyResult& result) -> Status {
      if (result.already_applied) {
        // The stored exec line goes out again so that downstream stages stay idempotent too.
        tool.notice(fmt::format("block {} is already applied; skipped", result.height));
      } else {
        ++applied;
        txs += result.txs;
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        progress.update(fmt::format("height {}, {} txs, {:.0f} tx/s", result.height, txs, txs / std::max(secs, 1e-9)));
      }
      // A block at or below the snapshot the file started from has no exec line here.
      if (result.exec_line.empty()) return Status{};
      return out.write(result.exec_line);
    };

    if (!dry_run) {
      auto unsettled = ROLLUP_TRY(executor->unsettled_exec_lines());
      if (!unsettled.empty())
        tool.notice(fmt::format("re-emitting the exec lines of {} applied blocks the contract holds no proven root for",
                                unsettled.size()));
      for (const auto& line : unsettled) ROLLUP_TRY(out.write(line));
    }
    if (follow) {
      std::signal(SIGINT, request_stop);
      std::signal(SIGTERM, request_stop);
      // Every height gets its exec line in order, also those another executor applied.
      std::uint64_t emitted = executor->height();
      while (!g_stop && (!until || emitted < *until)) {
        auto result = ROLLUP_TRY(executor->follow(emitted + 1));
        if (!result) {
          std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
          continue;
        }
        if (result->already_applied) {
          tool.detail(fmt::format("block {} was applied by another executor", result->height));
          if (!result->exec_line.empty()) ROLLUP_TRY(out.write(result->exec_line));
        } else {
          ROLLUP_TRY(report(*result));
        }
        ++emitted;
      }
      ROLLUP_TRY(executor->finish());
      return out.finish();
    }
    vm::BlockPipeline pipeline(*executor, [&](const std::variant<vm::ApplyResult, std::string>& item) {
      if (auto* line = std::get_if<std::string>(&item)) return out.write(*line);
      return report(std::get<vm::ApplyResult>(item));
    });
    auto read = tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
      if (codec::kind_of(object) != "block") return pipeline.push_passthrough(line.text);
      auto block = ROLLUP_TRY(codec::parse_block(object));
      auto pushed = pipeline.push_block(std::move(block), line.where());
      // The apply thread's error already names its own line.
      if (!pushed) throw Failure(pushed.error());
      return {};
    });
    auto drained = pipeline.finish();
    if (!drained) return drained;
    ROLLUP_TRY(read);
    ROLLUP_TRY(executor->finish());
    const auto& t = executor->timings();
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    tool.detail(fmt::format("{} blocks, {} txs in {:.2f} s: signatures {:.2f} s, state transition and tree "
                            "{:.2f} s, waiting for the state file {:.2f} s, input and the rest {:.2f} s",
                            applied, txs, total, t.signatures, t.transition, t.persist,
                            total - t.signatures - t.transition - t.persist));
    return out.finish();
  });
}
