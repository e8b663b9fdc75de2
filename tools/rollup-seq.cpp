// rollup-seq: orders txs into signed blocks without executing them.
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "cli/tool.hpp"
#include "codec/keyfile.hpp"
#include "seq/sequencer.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

namespace {
volatile std::sig_atomic_t g_stop = 0;
int g_devnull = -1;
// SIGTERM ends the input: stdin becomes /dev/null (dup2 is async-signal-safe), so a read that
// waits on it returns end of input and the batch in hand is cut and written before exiting 0.
void request_stop(int) {
  g_stop = 1;
  if (g_devnull >= 0) ::dup2(g_devnull, STDIN_FILENO);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool(
      "rollup-seq",
      "Batch tx lines into ordered, signed blocks (with the contract's pending deposits).\n"
      "Other lines pass through unchanged. The sequencer never executes txs.\n"
      "With --rollup FILE (once per rollup) it is a shared sequencer: one block stream for\n"
      "several rollups, each block holding every rollup's txs and deposits under its\n"
      "namespace; each rollup commits every block and executes only its namespace.",
      "rollup-tx batch --dev-accounts 100 -n 1000 | rollup-seq --key seq.key | rollup-submit\n"
      "  rollup-serve &  rollup-seq --key seq.key --mempool </dev/null | rollup-submit | "
      "rollup-exec | ...\n"
      "  cat a.txs b.txs | rollup-seq --key seq.key --db shared.db --rollup a.db --rollup b.db \\\n"
      "    | tee >(rollup-submit --db a.db | rollup-exec --db a.db) | rollup-submit --db b.db | "
      "rollup-exec --db b.db");
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
  auto* namespace_option = cli::add_unsigned(app, "--namespace", options.namespace_id,
                                             "Namespace id of the txs (default: the contract's)");
  std::vector<std::string> rollup_files;
  app.add_option(
         "--rollup", rollup_files,
         "State file of a rollup to serve, once per rollup (a shared sequencer): txs of each\n"
         "rollup's namespace, its chain id and its deposit queue come from its contract; --db\n"
         "is then the sequencer's own state file, for its log")
      ->allow_extra_args(false)
      ->type_name("FILE")
      ->excludes(namespace_option);
  app.add_option("--fee-recipient", fee_recipient, "Public key credited the fees (default: the sequencer's; a rollup of ecgfp5 accounts needs an ecgfp5 key here)");
  cli::add_unsigned(app, "--max-deposits", options.max_deposits, "Deposits per block at most")->capture_default_str();
  cli::add_unsigned(app, "--timestamp", options.fixed_timestamp, "Fixed block timestamp in ms (reproducible streams)");
  bool mempool = false, drain = false;
  std::uint64_t poll_ms = 20;
  app.add_flag(
         "--mempool", mempool,
         "Also take txs from the mempool table (rollup-serve's rollup_sendTransaction) as they\n"
         "arrive; keep running after the input ends, until SIGTERM or SIGINT")
      ->excludes("--rollup");
  app.add_flag("--drain", drain, "With --mempool: exit once the input has ended and no tx is pending")
      ->needs("--mempool");
  cli::add_unsigned(app, "--poll-ms", poll_ms, "With --mempool: look at the mempool this often", 1, 60'000)
      ->capture_default_str();
  app.add_option("--cut-on", cut_on,
                 "Cut a block when a line of this kind arrives (it then passes through), e.g. espresso.block:\n"
                 "one block per Espresso block from rollup-espresso (the other limits still apply)");

  return tool.run(argc, argv, [&]() -> Status {
    options.ordering = order == "fee" ? seq::Ordering::fee : seq::Ordering::fifo;
    if (!fee_recipient.empty()) options.fee_recipient = ROLLUP_TRY(cli::parse_public_key(fee_recipient, "--fee-recipient"));
    auto key = ROLLUP_TRY(codec::read_key_file(key_file));
    auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::create_if_missing));
    auto contract = ROLLUP_TRY(l1::open_contract(db));
    // A shared sequencer reads each rollup's contract in that rollup's state file.
    std::vector<store::Db> rollup_dbs;
    std::vector<std::unique_ptr<l1::Contract>> rollup_contracts;
    std::vector<seq::ServedRollup> served;
    rollup_dbs.reserve(rollup_files.size());
    for (const auto& file : rollup_files) {
      rollup_dbs.push_back(ROLLUP_TRY(store::Db::open(file, store::OpenMode::must_exist)));
      rollup_contracts.push_back(ROLLUP_TRY(l1::open_contract(rollup_dbs.back())));
      served.push_back(seq::ServedRollup{file, rollup_contracts.back().get(), &rollup_dbs.back()});
    }
    auto sequencer = ROLLUP_TRY(
        served.empty() ? seq::Sequencer::open(db, *contract, key, options)
                       : seq::Sequencer::open_shared(db, std::move(served), key, options));
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
      std::size_t block_txs = 0;
      for (const auto& ns : sealed->block.namespaces) block_txs += ns.txs.size();
      tool.detail(fmt::format("block {}: {} txs, {} deposits", sealed->block.height, block_txs,
                              sealed->block.deposit_count()));
      progress.update(fmt::format("{} blocks, {} txs", blocks, txs));
      return {};
    };
    // The timer: a batch is cut max_wait_ms after its first tx even when stdin goes quiet, and
    // while no tx comes at all the deposit queue is looked at as often, so that deposits make
    // their deadline on their own. With --mempool the table is looked at every poll_ms, even
    // while stdin keeps coming (a due timer fires between lines).
    auto last_pull = Clock::now();
    auto since = [](Clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
    };
    auto idle_timeout = [&]() -> int {
      std::int64_t wait = batch_started
                              ? std::max<std::int64_t>(0, static_cast<std::int64_t>(options.max_wait_ms) - since(*batch_started))
                              : std::clamp<std::int64_t>(static_cast<std::int64_t>(options.max_wait_ms), 50, INT32_MAX);
      if (mempool) wait = std::min(wait, std::max<std::int64_t>(0, static_cast<std::int64_t>(poll_ms) - since(last_pull)));
      return static_cast<int>(wait);
    };
    std::size_t last_taken = 0;
    auto pull = [&]() -> Status {
      last_pull = Clock::now();
      last_taken = 0;
      for (;;) {
        auto pulled = ROLLUP_TRY(sequencer.pull_mempool());
        txs += pulled.taken;
        last_taken += pulled.taken;
        if (pulled.taken && !batch_started) batch_started = Clock::now();
        if (!pulled.full) return {};
        ROLLUP_TRY(emit());
      }
    };
    auto on_idle = [&]() -> Status {
      if (mempool && since(last_pull) >= static_cast<std::int64_t>(poll_ms)) ROLLUP_TRY(pull());
      if (batch_started) {
        if (since(*batch_started) >= static_cast<std::int64_t>(options.max_wait_ms)) return emit();
        return {};
      }
      if (ROLLUP_TRY(sequencer.deposits_pending())) return emit();
      return {};
    };
    tool.set_idle_handler(idle_timeout, on_idle);
    if (mempool) {
      g_devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      std::signal(SIGTERM, request_stop);
      std::signal(SIGINT, request_stop);
    }

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
    // The input has ended: the mempool alone feeds the sequencer from here, until a signal (or,
    // with --drain, until nothing is pending).
    while (result && mempool && !g_stop) {
      auto stepped = pull();
      if (stepped) stepped = on_idle();
      if (!stepped) {
        result = stepped;
        break;
      }
      if (drain && last_taken == 0 && !sequencer.has_txs()) break;
      const int wait = idle_timeout();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait, static_cast<int>(poll_ms))));
    }
    // Txs accepted before a bad line are not lost: they still go out in a block.
    auto flushed = emit();
    if (!result) return result;
    ROLLUP_TRY(flushed);
    if (blocks == 0 && !tool.quiet()) tool.detail("no block: no txs and no pending deposits");
    return out.finish();
  });
}
