#include "sandbox/transcription_callbacks.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace callscribe::sandbox {
namespace {

// The event's Timestamp: the session's events 1.5 s apart from a fixed start, as Twilio writes
// them (UTC, fractional seconds).
std::string timestamp(std::int64_t sequence) {
    const auto millis = 1500 * (sequence - 1);
    return fmt::format("2026-01-01T{:02}:{:02}:{:02}.{:03}Z", millis / 3600000 % 24,
                       millis / 60000 % 60, millis / 1000 % 60, millis % 1000);
}

} // namespace

std::vector<Callback> transcription_callbacks(const std::string& account_sid, const CallSid& call,
                                              const std::string& transcription_sid,
                                              const TranscriptionScript& script) {
    const auto event = [&](std::int64_t sequence, std::string_view kind) {
        return Callback{.kind = "transcription",
                        .call_sid = call.str(),
                        .url = script.url,
                        .params = {{"AccountSid", account_sid},
                                   {"CallSid", call.str()},
                                   {"TranscriptionSid", transcription_sid},
                                   {"Timestamp", timestamp(sequence)},
                                   {"SequenceId", std::to_string(sequence)},
                                   {"TranscriptionEvent", std::string(kind)}},
                        .delay = script.delay};
    };

    Callback started = event(1, "transcription-started");
    for (const auto& [name, value] : {std::pair{"TranscriptionEngine", std::string("google")},
                                      std::pair{"Track", std::string("both_tracks")},
                                      std::pair{"InboundTrackLabel", script.inbound_label},
                                      std::pair{"OutboundTrackLabel", script.outbound_label},
                                      std::pair{"PartialResults", std::string("false")},
                                      std::pair{"LanguageCode", std::string("en-US")}}) {
        if (!value.empty()) started.params.emplace_back(name, value);
    }

    std::vector<Callback> contents;
    for (std::size_t i = 0; i < script.lines.size(); ++i) {
        const auto sequence = static_cast<std::int64_t>(i) + 2;
        Callback content = event(sequence, "transcription-content");
        const nlohmann::json data{{"transcript", script.lines[i].text}, {"confidence", 0.92}};
        content.params.emplace_back("LanguageCode", "en-US");
        content.params.emplace_back("Track", std::string(to_string(script.lines[i].track)));
        content.params.emplace_back("TranscriptionData", data.dump());
        content.params.emplace_back("Final", "true");
        contents.push_back(std::move(content));
    }
    if (script.shuffled && contents.size() > 1) {
        std::mt19937 random(script.seed);
        const auto spoken = contents;
        // A permutation that moves at least the first line: "out of order" must be out of order.
        do {
            std::shuffle(contents.begin(), contents.end(), random);
        } while (contents.front().params == spoken.front().params);
    }
    const auto repeats = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(0, script.duplicates)), contents.size());
    for (std::size_t i = 0; i < repeats; ++i)
        contents.push_back(contents[i]);

    std::vector<Callback> out;
    out.push_back(std::move(started));
    std::ranges::move(contents, std::back_inserter(out));
    out.push_back(
        event(static_cast<std::int64_t>(script.lines.size()) + 2, "transcription-stopped"));
    return out;
}

} // namespace callscribe::sandbox
