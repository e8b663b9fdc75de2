#pragma once
// What every rollup-* executable shares: the common options (--db, --quiet, --verbose, input
// files), diagnostics as `prog: FILE:LINE: message`, the exit statuses of docs/design.md §10,
// progress on a terminal, and the walk over NDJSON input files.
#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codec/fields.hpp"
#include "codec/ndjson.hpp"
#include "core/error.hpp"

namespace rollup::cli {

class Tool {
 public:
  /// `example` is shown at the end of --help: a pipeline that uses the tool.
  Tool(std::string name, std::string description, std::string example);

  CLI::App& app() { return app_; }
  /// Adds --db (and ROLLUP_DB).
  void add_db_option();
  /// Adds positional FILE... (default "-" = stdin) and --keep-going.
  void add_input_option();
  /// Parses argv, then runs `body`; returns the process's exit status. Errors map to exit
  /// statuses; exceptions never escape.
  int run(int argc, char** argv, const std::function<Status()>& body);

  /// The state file's path: --db, else $ROLLUP_DB, else ./rollup.db.
  std::string db_path() const;
  const std::vector<std::string>& inputs() const { return inputs_; }
  bool keep_going() const { return keep_going_; }
  bool quiet() const { return quiet_; }
  bool verbose() const { return verbose_; }

  /// `prog: message` on stderr.
  void error(const std::string& message) const;
  /// A notice for the user (suppressed by --quiet).
  void notice(const std::string& message) const;
  /// Detail shown with --verbose.
  void detail(const std::string& message) const;

  /// Calls `on_object` for every line of every input file, parsed into a stream object. A line
  /// that is not a valid stream object, or whose handler fails with bad input, is reported as
  /// `prog: FILE:LINE: message`; with --keep-going the walk continues and the run ends with
  /// exit status 3, otherwise it stops there. Other errors stop the walk at once.
  /// `fast`, when given, sees each raw line first and may handle it without the JSON parse
  /// (returning its status) or decline (nullopt).
  Status for_each_object(
      const std::function<Status(const codec::Line&, const codec::Json&)>& on_object,
      const std::function<std::optional<Status>(const codec::Line&)>& fast = nullptr);
  /// Called between lines when no input arrived for `interval`, e.g. to cut a block on a timer;
  /// `timeout_ms` returns how long the tool is willing to wait (negative: forever).
  void set_idle_handler(std::function<int()> timeout_ms, std::function<Status()> on_idle) {
    idle_timeout_ = std::move(timeout_ms);
    on_idle_ = std::move(on_idle);
  }

 private:
  std::string name_;
  CLI::App app_;
  std::optional<std::string> db_;
  std::vector<std::string> inputs_{"-"};
  bool keep_going_ = false;
  bool quiet_ = false;
  bool verbose_ = false;
  bool skipped_lines_ = false;
  std::function<int()> idle_timeout_;
  std::function<Status()> on_idle_;
};

/// Rate-limited progress on stderr, only when stderr is a terminal (never on stdout).
class Progress {
 public:
  explicit Progress(std::string name);
  ~Progress();
  void update(const std::string& text);

 private:
  std::string name_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

/// Parses a 0x-prefixed 32-byte public key given on the command line (usage error otherwise).
Result<PublicKey> parse_public_key(const std::string& text, const std::string& what);

/// Number of hardware threads (at least 1).
unsigned hardware_threads();

}  // namespace rollup::cli
