#pragma once
// Expected failures of the outside world are values, not exceptions.
//
// `Result<T>` holds either a value or an `Error`. An `Error` says what went wrong in one line
// that names the thing (a file, a URL, a variable) and whether trying again may help.
// Broken invariants are not errors: they abort (see CALLSCRIBE_ASSERT).

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace callscribe {

struct Error {
    std::string message;
    bool retryable = false;
    // A retryable failure whose other side said when to try again (Retry-After), capped.
    std::optional<std::chrono::duration<double>> retry_after{};
};

// Thrown only by `Result::value()` on an error: code that checks first never sees it.
class ErrorException : public std::runtime_error {
  public:
    explicit ErrorException(const Error& e) : std::runtime_error(e.message) {}
};

[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw ErrorException(e);
}

template <class T = void> using Result = boost::system::result<T, Error>;

inline Error fail(std::string message) {
    return Error{std::move(message), false};
}
inline Error fail_retryable(std::string message) {
    return Error{std::move(message), true};
}

} // namespace callscribe

#define CALLSCRIBE_ASSERT(cond)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);      \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)
