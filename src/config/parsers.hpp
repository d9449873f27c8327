#pragma once
// Internal to src/config: parsers for single configuration values. Each returns the parsed
// value or an Error whose message is the value's problem alone (e.g. "\"x\" is not a number of
// seconds"); the caller prefixes the variable name. Messages quote only the offending piece of
// the value, so callers must not pass secrets.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace callscribe::config {

// The longest delay any backoff list or wait may hold.
inline constexpr double k_max_delay_seconds = 7 * 24 * 3600.0;

// A non-negative decimal number of seconds, at most k_max_delay_seconds.
Result<Seconds> parse_seconds(std::string_view text);

// One or more parse_seconds items.
Result<std::vector<Seconds>> parse_delays(const std::vector<std::string>& items);

// A whole decimal number in [min, max].
Result<int> parse_int(std::string_view text, int min, int max);

// http(s)://host[:port][/path][?query], without credentials or fragment. Returns it unchanged.
Result<std::string> parse_http_url(std::string_view text);

// host:port with port 0..65535 (0: pick a free port); an IPv6 host goes in brackets ("[::1]:8080").
Result<std::string> parse_listen(std::string_view text);

// CALLSCRIBE_VOICE_CONTINUE: a phone number in E.164 ("+" and 8 to 15 digits), a "sip:" address,
// or the http(s) URL of TwiML to redirect to.
Result<VoiceContinue> parse_voice_continue(std::string_view text);

// "AC" + 32 hex digits and the like.
bool is_sid(std::string_view text, std::string_view prefix);

// Splits "a, b ,c" at commas and trims each item (an empty text gives one empty item).
std::vector<std::string> split_list(std::string_view text);

// `text` with control characters written as \xNN, so that it stays on one line.
std::string escaped(std::string_view text);

// `text` in double quotes, with quotes and backslashes escaped and control characters as \xNN.
std::string in_quotes(std::string_view text);

} // namespace callscribe::config
