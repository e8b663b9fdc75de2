// rollup-replay: re-executes blocks on an in-memory state and traces every receipt.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/replay.hpp"

namespace {

struct HeightRange {
  std::uint64_t first = 1;
  std::optional<std::uint64_t> last;  ///< nullopt: up to the contract's last committed block
};

rollup::Result<HeightRange> parse_heights(const std::string& text) {
  using namespace rollup;
  auto usage = [&] { return fail(Errc::usage, "--heights: '" + text + "' is not A..B or A.. (heights from 1)"); };
  auto dots = text.find("..");
  if (dots == std::string::npos) return usage();
  auto number = [](const std::string& s) -> std::optional<std::uint64_t> {
    if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(s);
  };
  HeightRange r;
  auto first = number(text.substr(0, dots));
  if (!first || *first == 0) return usage();
  r.first = *first;
  std::string rest = text.substr(dots + 2);
  if (!rest.empty()) {
    r.last = number(rest);
    if (!r.last || *r.last < r.first) return usage();
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-replay",
                 "Re-execute blocks on an in-memory state and write one replay line per deposit and tx: its\n"
                 "receipt, the state root before and after it, and every account it changed with balance and\n"
                 "nonce before and after. Blocks come from the contract (--heights) or from block lines on the\n"
                 "input (other lines are skipped). The state starts just below the first block (--from picks\n"
                 "another height); the state file is only read, never written. Two executors' replays compare\n"
                 "with diff(1). --check stops at the first block whose post root differs from the root the\n"
                 "state file stored or the contract verified at its height.",
                 "rollup-replay --heights 1..100 --check > a.ndjson\n"
                 "  rollup-replay --db other.db --heights 1..100 > b.ndjson && diff a.ndjson b.ndjson\n"
                 "  rollup-seq --key seq.key txs.ndjson | rollup-replay | jq 'select(.receipt.status != \"ok\")'");
  tool.add_db_option();
  tool.add_input_option();
  auto& app = tool.app();
  std::string heights_text;
  std::optional<std::uint64_t> from;
  bool check = false;
  unsigned threads = cli::hardware_threads();
  app.add_option("--heights", heights_text,
                 "Replay the contract's committed blocks A..B (A.. : up to its last), instead of the input");
  cli::add_unsigned(app, "--from", from,
                    "Start from the state at this committed height (default: the height below the first block)");
  app.add_flag("--check", check,
               "Compare each block's post root with the state file's stored root and the contract's verified "
               "root at its height; stop with exit status 1 at the first that differs");
  cli::add_unsigned(app, "--threads", threads, "Threads for signatures and hashing", 1, 256)->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    std::optional<HeightRange> range;
    if (!heights_text.empty()) {
      range = ROLLUP_TRY(parse_heights(heights_text));
      if (from && *from + 1 != range->first)
        return fail(Errc::usage, fmt::format("--from {} and --heights {}: the first block replayed on the state at "
                                             "height {} is {}", *from, heights_text, *from, *from + 1));
      if (tool.inputs() != std::vector<std::string>{"-"})
        return fail(Errc::usage, "--heights reads blocks from the contract: give no input files");
    }
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::read_only));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    std::optional<vm::Replayer> replayer;
    codec::LineWriter out;
    std::string lines;
    std::uint64_t blocks = 0, receipts = 0;

    auto replay = [&](const codec::Block& block, const std::vector<bool>& signatures) -> Status {
      if (!replayer) {
        std::uint64_t start = from ? *from : (block.height > 0 ? block.height - 1 : 0);
        tool.detail(fmt::format("rebuilding the state at height {}", start));
        replayer = ROLLUP_TRY(vm::Replayer::open(db, *contract, start, threads));
      }
      lines.clear();
      auto outcome = ROLLUP_TRY(replayer->apply(block, [&](const vm::ReceiptTrace& t) {
        if (!lines.empty()) lines += '\n';
        lines += vm::replay_to_json(block.height, t);
        ++receipts;
      }, &signatures));
      ++blocks;
      // One write per block: a line per receipt, flushed together.
      if (!lines.empty()) ROLLUP_TRY(out.write(lines));
      if (check) {
        if (auto mismatch = ROLLUP_TRY(replayer->check(outcome)))
          return fail(Errc::rejected, "check failed at " + *mismatch);
      }
      return {};
    };
    vm::SignatureLookahead lookahead(ROLLUP_TRY(vm::rollup_params(*contract)), threads, replay);

    if (range) {
      const std::uint64_t tip = ROLLUP_TRY(contract->height());
      std::uint64_t last = range->last ? *range->last : tip;
      if (last > tip)
        return fail(Errc::usage, fmt::format("--heights {}: the contract's last committed block is {}", heights_text, tip));
      if (last < range->first) {
        tool.notice(fmt::format("the contract has no block at or above {}", range->first));
        return out.finish();
      }
      for (std::uint64_t h = range->first; h <= last; ++h)
        ROLLUP_TRY(lookahead.push(ROLLUP_TRY(vm::block_committed_at(*contract, h))));
      ROLLUP_TRY(lookahead.finish());
    } else {
      // The block before the one just read is applied; where a block breaks the order, name it.
      std::string previous_where, where;
      auto read = tool.for_each_object([&](const codec::Line& line, const codec::Json& object) -> Status {
        if (codec::kind_of(object) != "block") return {};
        auto block = ROLLUP_TRY(codec::parse_block(object));
        previous_where = std::exchange(where, line.where());
        auto replayed = lookahead.push(std::move(block));
        if (!replayed) throw Failure(Error{replayed.error().code, previous_where + ": " + replayed.error().message});
        return {};
      });
      ROLLUP_TRY(read);
      auto replayed = lookahead.finish();
      if (!replayed) return fail(replayed.error().code, where + ": " + replayed.error().message);
    }
    tool.detail(fmt::format("{} blocks, {} receipts replayed", blocks, receipts));
    return out.finish();
  });
}
