#pragma once
// What every rollup-* executable shares: the common options (--db, --quiet, --verbose, input
// files), diagnostics as `prog: FILE:LINE: message`, the exit statuses of docs/design.md §10,
// progress on a terminal, and the walk over NDJSON input files.
#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <limits>
#include <type_traits>
#include <optional>
#include <string>
#include <vector>

#include "codec/fields.hpp"
#include "codec/ndjson.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"

namespace rollup::cli {

namespace detail {
template <class T>
T& value_of(T& v) { return v; }
template <class T>
T& value_of(std::optional<T>& v) { return *v; }
}  // namespace detail

class Tool {
 public:
  /// `example` is shown at the end of --help: a pipeline that uses the tool.
  Tool(std::string name, std::string description, std::string example);

  CLI::App& app() { return app_; }
  /// Adds --db (and ROLLUP_DB).
  void add_db_option();
  /// Adds positional FILE... (default "-" = stdin) and --keep-going, to the tool or to one of its
  /// subcommands.
  void add_input_option(CLI::App* subcommand = nullptr);
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
  bool has_db_ = false;
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

/// The largest value a numeric option takes unless it states a tighter bound: what a JSON number
/// (a double) and the state file's INTEGER hold exactly, as for amounts (core/limits.hpp).
inline constexpr std::uint64_t kMaxOptionValue = kBalanceLimit - 1;
/// Dev accounts are derived and held in memory one by one: 2^20 is far beyond any test or demo.
inline constexpr std::uint64_t kMaxDevAccounts = std::uint64_t{1} << 20;

/// The check every numeric option of every tool carries: decimal digits only, from `min` to `max`.
/// CLI11 alone reads "-1" into an unsigned option by wrapping it to 2^64-1, and takes "0x10",
/// "1e3" or "+5"; each of those is a usage error here, named with the option.
CLI::Validator unsigned_range(std::uint64_t min = 0, std::uint64_t max = kMaxOptionValue);

/// Adds an unsigned option checked by unsigned_range; `max` may not exceed what `T` holds.
template <class T>
CLI::Option* add_unsigned(CLI::App& app, const std::string& name, T& value,
                          const std::string& description, std::uint64_t min = 0,
                          std::uint64_t max = kMaxOptionValue) {
  using Number = typename std::remove_cvref_t<decltype(detail::value_of(value))>;
  static_assert(std::is_unsigned_v<Number>, "add_unsigned is for unsigned options");
  max = std::min<std::uint64_t>(max, std::numeric_limits<Number>::max());
  return app.add_option(name, value, description)->check(unsigned_range(min, max));
}

/// The same check for a number given as a positional argument read by hand: Errc::usage naming
/// `what` when it fails.
Result<std::uint64_t> parse_unsigned(const std::string& text, const std::string& what, std::uint64_t min = 0,
                                     std::uint64_t max = kMaxOptionValue);

/// Parses a 0x-prefixed 32-byte public key given on the command line (usage error otherwise).
Result<PublicKey> parse_public_key(const std::string& text, const std::string& what);

/// Number of hardware threads (at least 1).
unsigned hardware_threads();

}  // namespace rollup::cli
