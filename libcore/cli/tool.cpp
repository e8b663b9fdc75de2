#include "cli/tool.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "core/diagnostics.hpp"
#include "store/db.hpp"

namespace rollup::cli {

Tool::Tool(std::string name, std::string description, std::string example)
    : name_(std::move(name)), app_(std::move(description), name_) {
  app_.fallthrough();  // common options may follow a subcommand: rollup-l1 init ... --db f
  app_.set_version_flag("--version", std::string(name_) + " (rollup-tools) " + ROLLUP_VERSION);
  app_.add_flag("-q,--quiet", quiet_, "Print no notices, only errors");
  app_.add_flag("-v,--verbose", verbose_, "Print details of what is done");
  app_.footer("Example:\n  " + example +
              "\n\nExit status: 0 ok, 1 rejected, 2 usage, 3 bad input, 4 state file busy or I/O, "
              "5 internal error.\nSee man " + name_ + " and man 5 rollup-formats.");
}

void Tool::add_db_option() {
  has_db_ = true;
  app_.add_option("--db", db_, "State file (default ./rollup.db)")->envname("ROLLUP_DB");
}

void Tool::add_input_option(CLI::App* subcommand) {
  CLI::App& app = subcommand ? *subcommand : app_;
  app.add_option("FILE", inputs_, "NDJSON input files; - is stdin (the default)");
  app.add_flag("--keep-going", keep_going_,
                "Report a bad line and go on with the next (the exit status is still 3)");
}

std::string Tool::db_path() const { return store::resolve_db_path(db_); }

void Tool::error(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\n", name_.c_str(), message.c_str());
}

void Tool::notice(const std::string& message) const {
  if (!quiet_) error(message);
}

void Tool::detail(const std::string& message) const {
  if (verbose_ && !quiet_) error(message);
}

int Tool::run(int argc, char** argv, const std::function<Status()>& body) {
  // A closed pipe downstream ends the tool quietly (docs/design.md §10), whatever the parent set.
  std::signal(SIGPIPE, SIG_DFL);
  try {
    app_.parse(argc, argv);
    if (has_db_) {
      if (auto checked = store::check_db_path(db_path()); !checked) {
        error(checked.error().message);
        return exit_status(Errc::usage);
      }
    }
  } catch (const CLI::Success& e) {
    return app_.exit(e);  // --help, --version: stdout, status 0
  } catch (const CLI::ParseError& e) {
    app_.exit(e);
    return exit_status(Errc::usage);
  }
  set_warnings_enabled(!quiet_);
  try {
    auto result = body();
    if (!result) {
      error(result.error().message);
      return exit_status(result.error().code);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      error("write error on standard output");
      return exit_status(Errc::io);
    }
    return skipped_lines_ ? exit_status(Errc::bad_input) : 0;
  } catch (const Failure& f) {
    error(f.error.message);
    return exit_status(f.error.code);
  } catch (const std::bad_alloc&) {
    error("out of memory");
    return exit_status(Errc::io);
  } catch (const std::exception& e) {
    error(std::string("internal error: ") + e.what());
    return exit_status(Errc::internal);
  }
}

Status Tool::for_each_object(
    const std::function<Status(const codec::Line&, const codec::Json&)>& on_object,
    const std::function<std::optional<Status>(const codec::Line&)>& fast) {
  for (const auto& path : inputs_) {
    auto reader = codec::LineReader::open(path);
    if (!reader) return std::unexpected(reader.error());
    for (;;) {
      // A timer that is due fires even while input keeps coming; one that is not yet due fires
      // only if the input stays quiet until then.
      for (int timeout = on_idle_ ? idle_timeout_() : -1; timeout >= 0; timeout = idle_timeout_()) {
        if (timeout > 0 && reader->wait_readable(timeout)) break;
        ROLLUP_TRY(on_idle_());
        if (timeout == 0) break;
      }
      auto next = reader->next();
      if (!next) {
        if (next.error().code == Errc::bad_input && keep_going_) {
          error(next.error().message);  // an over-long line: the reader goes on after it
          skipped_lines_ = true;
          continue;
        }
        return std::unexpected(next.error());
      }
      if (!*next) break;
      const codec::Line& line = **next;
      Status handled;
      std::optional<Status> fast_result;
      if (fast) fast_result = fast(line);
      if (fast_result) {
        handled = std::move(*fast_result);
      } else if (auto object = codec::parse_stream_object(line.text); !object) {
        handled = std::unexpected(object.error());
      } else {
        handled = on_object(line, *object);
      }
      if (!handled) {
        Error e = handled.error();
        e.message = line.where() + ": " + e.message;
        if (e.code == Errc::bad_input && keep_going_) {
          error(e.message);
          skipped_lines_ = true;
          continue;
        }
        return std::unexpected(e);
      }
    }
  }
  return {};
}

Progress::Progress(std::string name) : name_(std::move(name)), enabled_(isatty(STDERR_FILENO)) {}

Progress::~Progress() {
  if (shown_) std::fputc('\n', stderr);
}

void Progress::update(const std::string& text) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stderr, "\r%s: %s\033[K", name_.c_str(), text.c_str());
  std::fflush(stderr);
}

Result<PublicKey> parse_public_key(const std::string& text, const std::string& what) {
  auto key = key_from_hex(text);
  if (!key) return fail(Errc::usage, what + ": " + key.error().message);
  return *key;
}

namespace {
/// What is wrong with `text` as an unsigned decimal from `min` to `max`; empty when nothing is.
std::string unsigned_problem(const std::string& text, std::uint64_t min, std::uint64_t max) {
  // Digits only: no sign, no base prefix, no exponent, so the text means what it says.
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return "must be an unsigned decimal integer, got '" + text + "'";
  const std::string bound = std::to_string(max);
  std::string_view digits = std::string_view(text).substr(std::min(text.find_first_not_of('0'), text.size() - 1));
  // Compared as digit strings: a value beyond 2^64 must not wrap before the bound check.
  if (digits.size() > bound.size() || (digits.size() == bound.size() && digits > bound))
    return "must be at most " + bound + ", got " + text;
  if (std::stoull(std::string(digits)) < min) return "must be at least " + std::to_string(min) + ", got " + text;
  return {};
}
}  // namespace

CLI::Validator unsigned_range(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator([min, max](std::string& text) { return unsigned_problem(text, min, max); }, "UINT");
}

Result<std::uint64_t> parse_unsigned(const std::string& text, const std::string& what, std::uint64_t min,
                                     std::uint64_t max) {
  if (auto problem = unsigned_problem(text, min, max); !problem.empty()) return fail(Errc::usage, what + ": " + problem);
  return std::stoull(text);
}

unsigned hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace rollup::cli
