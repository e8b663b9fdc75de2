// rollup-espresso: the toolkit's blocks and txs to and from Espresso's availability API shapes.
#include <fmt/format.h>

#include "cli/tool.hpp"
#include "espresso/availability.hpp"
#include "espresso/shapes.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool(
      "rollup-espresso",
      "Convert between the toolkit's blocks and the JSON of Espresso's query service (availability API),\n"
      "so that a rollup takes the order of its txs from Espresso instead of from rollup-seq's input.\n"
      "from-espresso reads, for each Espresso block, the header and the rollup's namespace (from a query\n"
      "service, a directory holding its answers, or lines of {\"header\",\"proof\",\"transactions\"}), and writes\n"
      "the namespace's txs as tx lines in Espresso's order, each block closed by an espresso.block line;\n"
      "rollup-seq --cut-on espresso.block then signs one rollup block per Espresso block.\n"
      "to-espresso writes block lines in Espresso's shapes. Namespace proofs, VID commitments and\n"
      "HotShot consensus are NOT verified: the query service is trusted (man rollup-espresso).",
      "rollup-espresso from-espresso --url https://query.example/v0 --from 5000 --skip-invalid\n"
      "    | rollup-seq --key seq.key --cut-on espresso.block | rollup-submit | rollup-exec");
  tool.add_db_option();
  auto& app = tool.app();
  app.require_subcommand(1);

  std::optional<std::uint32_t> namespace_id;
  std::optional<std::uint64_t> chain_id;
  std::string url, dir, out_dir;
  std::optional<std::uint64_t> from, to;
  std::uint64_t poll_ms = 1000;
  bool skip_invalid = false;

  auto* from_cmd = app.add_subcommand(
      "from-espresso",
      "Espresso blocks to tx lines of this rollup's namespace, in Espresso's order, each block closed\n"
      "by an espresso.block line");
  cli::add_unsigned(*from_cmd, "--namespace", namespace_id, "Espresso namespace = the rollup's namespace (default: the contract's)", 0, 0xFFFFFFFFu);
  cli::add_unsigned(*from_cmd, "--chain-id", chain_id, "Chain id of the rollup's txs (default: the contract's)");
  from_cmd->add_option("--url", url, "Query service base URL, with its version prefix (e.g. https://host/v0)")
      ->envname("ROLLUP_ESPRESSO_URL");
  from_cmd->add_option("--dir", dir, "Directory holding the service's answers under its paths (as to-espresso --out-dir writes)");
  cli::add_unsigned(*from_cmd, "--from", from, "First Espresso height (with --url or --dir)");
  cli::add_unsigned(*from_cmd, "--to", to, "Last Espresso height (default: --url follows the chain; --dir ends at its last block)");
  cli::add_unsigned(*from_cmd, "--poll-ms", poll_ms, "With --url, ask again this often for a block not yet available", 1)
      ->capture_default_str();
  from_cmd->add_flag("--skip-invalid", skip_invalid,
                     "Drop payloads that are not txs of this rollup (with a notice) instead of stopping with exit 3");
  tool.add_input_option(from_cmd);

  auto* to_cmd = app.add_subcommand(
      "to-espresso",
      "Block lines to Espresso's shapes: one {\"header\",\"proof\",\"transactions\"} line per block, or files\n"
      "under the API's paths with --out-dir");
  cli::add_unsigned(*to_cmd, "--namespace", namespace_id, "The namespace whose txs the answers carry", 0, 0xFFFFFFFFu)
      ->required();
  to_cmd->add_option("--out-dir", out_dir,
                     "Write DIR/availability/header/H and DIR/availability/block/H/namespace/N instead of stdout");
  tool.add_input_option(to_cmd);

  return tool.run(argc, argv, [&]() -> Status {
    codec::LineWriter out;
    if (to_cmd->parsed()) {
      std::uint64_t blocks = 0;
      ROLLUP_TRY(tool.for_each_object([&](const codec::Line&, const codec::Json& object) -> Status {
        if (codec::kind_of(object) != "block") return {};
        auto block = ROLLUP_TRY(codec::parse_block(object));
        auto answer = espresso::from_toolkit_block(block, *namespace_id);
        ++blocks;
        if (!out_dir.empty()) return espresso::store_in_directory(out_dir, answer, *namespace_id);
        return out.write(espresso::namespace_answer_to_json(answer).dump());
      }));
      if (!out_dir.empty()) tool.detail(fmt::format("{} blocks written under {}", blocks, out_dir));
      return out.finish();
    }

    if (!url.empty() && !dir.empty()) return fail(Errc::usage, "give --url or --dir, not both");
    bool from_source = !url.empty() || !dir.empty();
    if (from_source && !from) return fail(Errc::usage, "--url and --dir need --from HEIGHT");
    if (!from_source && (from || to)) return fail(Errc::usage, "--from and --to go with --url or --dir");
    if (from && to && *to < *from) return fail(Errc::usage, "--to is below --from");
    if (from_source && !(tool.inputs().size() == 1 && tool.inputs()[0] == "-"))
      return fail(Errc::usage, "input files go without --url and --dir");
    if (!namespace_id || !chain_id) {
      auto db = ROLLUP_TRY(store::Db::open(tool.db_path(), store::OpenMode::must_exist));
      auto contract = ROLLUP_TRY(l1::open_contract(db));
      auto config = ROLLUP_TRY(contract->config());
      if (!namespace_id) namespace_id = config.namespace_id;
      if (!chain_id) chain_id = config.chain_id;
    }
    const espresso::RollupId rollup{*chain_id, *namespace_id};

    auto emit = [&](const espresso::Header& header, const espresso::NamespaceAnswer& answer) -> Status {
      auto block = ROLLUP_TRY(espresso::namespace_txs(header, answer, rollup));
      for (const auto& rejected : block.rejected) {
        std::string what = fmt::format("block {} transactions[{}]: {}", block.height, rejected.index, rejected.reason);
        if (!skip_invalid) return fail(Errc::bad_input, what + " (--skip-invalid drops such payloads)");
        tool.notice(what + ": skipped");
      }
      for (const auto& tx : block.txs) ROLLUP_TRY(out.write(codec::to_json(tx)));
      tool.detail(fmt::format("espresso block {}: {} txs, {} skipped", block.height, block.txs.size(), block.rejected.size()));
      return out.write(espresso::boundary_line(block, *namespace_id));
    };

    if (from_source) {
      auto source = ROLLUP_TRY(url.empty() ? espresso::Availability::in_directory(dir) : espresso::Availability::at_url(url));
      espresso::Range range{*from, to, !url.empty(), poll_ms};
      ROLLUP_TRY(espresso::read_range(source, *namespace_id, range, emit));
      return out.finish();
    }

    // Lines of {"header","proof","transactions"}: Espresso's shapes carry no "kind", so they are
    // read here rather than by the stream-object walk.
    std::size_t bad_lines = 0;
    for (const auto& path : tool.inputs()) {
      auto reader = ROLLUP_TRY(codec::LineReader::open(path));
      for (;;) {
        auto next = reader.next();
        if (!next && !(next.error().code == Errc::bad_input && tool.keep_going())) return std::unexpected(next.error());
        if (next && !*next) break;
        Status handled = next ? Status{} : Status(std::unexpected(next.error()));
        if (next) {
          const codec::Line& line = **next;
          handled = [&]() -> Status {
            auto json = ROLLUP_TRY(codec::parse_json(line.text));
            auto answer = ROLLUP_TRY(espresso::parse_namespace_answer(json));
            if (!answer.header) return fail(Errc::bad_input, "the answer has no \"header\" (read the service with --url or --dir)");
            return emit(*answer.header, answer);
          }();
          if (!handled) handled = fail(handled.error().code, line.where() + ": " + handled.error().message);
        }
        if (handled) continue;
        if (handled.error().code != Errc::bad_input || !tool.keep_going()) return handled;
        tool.error(handled.error().message);
        ++bad_lines;
      }
    }
    ROLLUP_TRY(out.finish());
    if (bad_lines) return fail(Errc::bad_input, fmt::format("{} bad lines skipped", bad_lines));
    return {};
  });
}
