#pragma once
// The query string of GET /api/calls read into what the Store is asked: a list (newest first,
// paged by `before`) or, with `q`, a full-text search (best first, paged by `offset`).
//
//   q        words to search every transcript for (at most 200 characters of UTF-8; control
//            characters count as spaces); empty or blank: no search
//   status   a call status: waiting_for_recording, downloading, transcribing, done, gave_up
//   source   the transcript the webhook carried: offline | realtime
//   since    created at or after: an RFC 3339 date-time ("2026-03-01T09:30:00Z", any offset)
//            or a date ("2026-03-01": from the start of that day, UTC)
//   until    created before: a date-time (exclusive) or a date (up to the end of that day, UTC)
//   number   part of the call's from or to number: digits with an optional leading '+'
//   limit    1..200, default 50
//   before   (without q) a Call SID: the calls created before it (the answer's next_before)
//   offset   (with q) hits to skip: a number >= 0 (the answer's next_offset)
//
// A bad value throws ApiError 400 whose message names the parameter, in one line.
//
// Pure; thread-safe.
#include "net/server/server_types.hpp"
#include "store/store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe::api {

struct CallListQuery {
    std::optional<std::string> search{}; // the words of `q`; unset without a search
    store::CallQuery filter{};           // filters, limit (the page's size) and before
    std::size_t offset = 0;
};

CallListQuery parse_call_list_query(const net::ServerRequest& request);

// An RFC 3339 date-time ("2026-03-01T09:30:00Z", "2026-03-01t09:30:00.250+02:00"): the instant
// it names. Empty when it is not one (or names no real date).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

} // namespace callscribe::api
