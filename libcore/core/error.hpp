#pragma once
// Errors that libcore returns instead of throwing. Each Errc maps to one exit status of
// docs/design.md §10, so a tool's main turns any Error into the documented status.
#include <expected>
#include <string>
#include <utility>

namespace rollup {

enum class Errc {
  rejected = 1,   ///< a negative verdict: invalid proof, equivocation, failed check
  usage = 2,      ///< the command line is wrong
  bad_input = 3,  ///< input data breaks a format or field rule
  io = 4,         ///< state file busy, or an I/O error
  internal = 5,   ///< a bug: an invariant of the program itself does not hold
};

struct Error {
  Errc code;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

inline int exit_status(Errc code) { return static_cast<int>(code); }

/// Thrown only where a Result cannot be returned (constructors, callbacks); tools catch it.
struct Failure : std::exception {
  Error error;
  explicit Failure(Error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

}  // namespace rollup

/// Evaluates a Result-returning expression; on error returns it from the enclosing function,
/// otherwise yields the value. (A GNU statement expression: g++ and clang both have it.)
#define ROLLUP_TRY(expr)                                                        \
  ({                                                                            \
    auto&& rollup_try_result_ = (expr);                                         \
    if (!rollup_try_result_) return std::unexpected(rollup_try_result_.error()); \
    std::move(rollup_try_result_).value();                                      \
  })
