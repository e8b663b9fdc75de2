// rollup-seq: orders txs into signed blocks without executing them.
#include <fmt/format.h>

#include <chrono>

#include "cli/tool.hpp"
#include "codec/keyfile.hpp"
#include "seq/sequencer.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-seq",
                 "Batch tx lines into ordered, signed blocks (with the contract's pending deposits).\n"
                 "Other lines pass through unchanged. The sequencer never executes txs.",
                 "rollup-tx batch --dev-accounts 100 -n 1000 | rollup-seq --key seq.key | rollup-submit");
  tool.add_db_option();
  tool.add_input_option();
  auto& app = tool.app();
  std::string key_file, order = "fifo", fee_recipient, cut_on;
  seq::Options options;
  app.add_option("--key", key_file, "Sequencer key file")->required()->envname("ROLLUP_SEQ_KEY");
  cli::add_unsigned(app, "--max-txs", options.max_txs, "Cut a block at this many txs", 1)->capture_default_str();
  cli::add_unsigned(app, "--max-bytes", options.max_bytes, "Cut a block at this many bytes of tx lines", 1)->capture_default_str();
  cli::add_unsigned(app, "--max-wait-ms", options.max_wait_ms, "Cut a block this long after its first tx")->capture_default_str();
  app.add_option("--order", order, "Order within a block: fifo or fee (each sender keeps nonce order)")
      ->capture_default_str()->check(CLI::IsMember({"fifo", "fee"}));
  cli::add_unsigned(app, "--namespace", options.namespace_id, "Namespace id of the txs (default: the contract's)");
  app.add_option("--fee-recipient", fee_recipient, "Public key credited the fees (default: the sequencer's)");
  cli::add_unsigned(app, "--max-deposits", options.max_deposits, "Deposits per block at most")->capture_default_str();
  cli::add_unsigned(app, "--timestamp", options.fixed_timestamp, "Fixed block timestamp in ms (reproducible streams)");
  app.add_option("--cut-on", cut_on,
                 "Cut a block when a line of this kind arrives (it then passes through), e.g. espresso.block:\n"
                 "one block per Espresso block from rollup-espresso (the other limits still apply)");

  return tool.run(argc, argv, [&]() -> Status {
    options.ordering = order == "fee" ? seq::Ordering::fee : seq::Ordering::fifo;
    if (!fee_recipient.empty()) options.fee_recipient = ROLLUP_TRY(cli::parse_public_key(fee_recipient, "--fee-recipient"));
    auto key = ROLLUP_TRY(codec::read_key_file(key_file));
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::create_if_missing));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    auto sequencer = ROLLUP_TRY(seq::Sequencer::open(db, *contract, key, options));
    codec::LineWriter out;
    std::uint64_t blocks = 0, txs = 0;
    cli::Progress progress("rollup-seq");

    // Blocks logged by an earlier run that never reached the contract go out first.
    auto unsubmitted = ROLLUP_TRY(sequencer.unsubmitted_blocks());
    if (!unsubmitted.empty())
      tool.notice(fmt::format("re-emitting {} logged blocks not yet on the contract", unsubmitted.size()));
    for (const auto& line : unsubmitted) ROLLUP_TRY(out.write(line));
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> batch_started;
    auto emit = [&]() -> Status {
      auto sealed = ROLLUP_TRY(sequencer.cut());
      batch_started.reset();
      if (!sealed) return {};
      ROLLUP_TRY(out.write(sealed->line));
      ++blocks;
      tool.detail(fmt::format("block {}: {} txs, {} deposits", sealed->block.height,
                              sealed->block.namespaces.empty() ? 0 : sealed->block.namespaces[0].txs.size(),
                              sealed->block.deposits.size()));
      progress.update(fmt::format("{} blocks, {} txs", blocks, txs));
      return {};
    };
    // The timer: a batch is cut max_wait_ms after its first tx even when stdin goes quiet, and
    // while no tx comes at all the deposit queue is looked at as often, so that deposits make
    // their deadline on their own.
    tool.set_idle_handler(
        [&]() -> int {
          if (!batch_started)  // poll the deposit queue, never in a busy loop
            return static_cast<int>(std::clamp<std::uint64_t>(options.max_wait_ms, 50, INT32_MAX));
          auto left = options.max_wait_ms -
                      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *batch_started).count();
          return static_cast<int>(std::max<std::int64_t>(0, left));
        },
        [&]() -> Status {
          if (batch_started || ROLLUP_TRY(sequencer.deposits_pending())) return emit();
          return {};
        });

    auto admit = [&](const codec::Tx& tx, const codec::Line& line) -> Status {
      bool full = ROLLUP_TRY(sequencer.add(tx, line.text.size() + 1));
      ++txs;
      if (!batch_started) batch_started = Clock::now();
      if (full) ROLLUP_TRY(emit());
      return {};
    };
    auto result = tool.for_each_object(
        [&](const codec::Line& line, const codec::Json& object) -> Status {
          if (codec::kind_of(object) != "tx") {
            if (!cut_on.empty() && codec::kind_of(object) == cut_on) ROLLUP_TRY(emit());
            return out.write(line.text);
          }
          return admit(ROLLUP_TRY(codec::parse_tx(object)), line);
        },
        [&](const codec::Line& line) -> std::optional<Status> {
          auto tx = codec::parse_tx_line_fast(line.text);
          if (!tx) return std::nullopt;
          return admit(*tx, line);
        });
    // Txs accepted before a bad line are not lost: they still go out in a block.
    auto flushed = emit();
    if (!result) return result;
    ROLLUP_TRY(flushed);
    if (blocks == 0 && !tool.quiet()) tool.detail("no block: no txs and no pending deposits");
    return out.finish();
  });
}
