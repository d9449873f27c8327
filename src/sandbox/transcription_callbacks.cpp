#include "sandbox/transcription_callbacks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
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

// A partial result: the first half of the line's words, as a recognizer has them mid-sentence.
std::string first_half(const std::string& text) {
    std::vector<std::string_view> words;
    for (std::size_t at = 0; at < text.size();) {
        const auto start = text.find_first_not_of(' ', at);
        if (start == std::string::npos) break;
        const auto end = std::min(text.find(' ', start), text.size());
        words.push_back(std::string_view(text).substr(start, end - start));
        at = end;
    }
    return fmt::format("{}", fmt::join(words.begin(), words.begin() + (words.size() + 1) / 2, " "));
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
    for (const auto& [name, value] :
         {std::pair{"TranscriptionEngine", std::string("google")},
          std::pair{"Track", std::string("both_tracks")},
          std::pair{"InboundTrackLabel", script.inbound_label},
          std::pair{"OutboundTrackLabel", script.outbound_label},
          std::pair{"PartialResults", std::string(script.partials ? "true" : "false")},
          std::pair{"LanguageCode", std::string("en-US")}}) {
        if (!value.empty()) started.params.emplace_back(name, value);
    }

    // Per spoken line its callbacks (a partial, then the final), numbered in the order spoken.
    std::vector<std::vector<Callback>> lines;
    std::int64_t sequence = 1;
    const auto content = [&](const SpokenLine& line, std::string_view text, bool final) {
        Callback callback = event(++sequence, "transcription-content");
        nlohmann::json data{{"transcript", text}};
        if (final) data["confidence"] = 0.92; // Twilio sends it with final results only
        callback.params.emplace_back("LanguageCode", "en-US");
        callback.params.emplace_back("Track", std::string(to_string(line.track)));
        callback.params.emplace_back("TranscriptionData", data.dump());
        callback.params.emplace_back("Final", final ? "true" : "false");
        return callback;
    };
    for (const auto& line : script.lines) {
        std::vector<Callback> said;
        if (script.partials) said.push_back(content(line, first_half(line.text), false));
        said.push_back(content(line, line.text, true));
        lines.push_back(std::move(said));
    }
    if (script.shuffled && lines.size() > 1) {
        std::mt19937 random(script.seed);
        const auto spoken = lines;
        // A permutation that moves at least the first line: "out of order" must be out of order.
        do {
            std::shuffle(lines.begin(), lines.end(), random);
        } while (lines.front().front().params == spoken.front().front().params);
    }
    const auto repeats = std::min<std::size_t>(
        static_cast<std::size_t>(std::max(0, script.duplicates)), lines.size());
    for (std::size_t i = 0; i < repeats; ++i)
        lines.push_back({lines[i].back()}); // a retried callback: the final result again

    std::vector<Callback> out;
    out.push_back(std::move(started));
    for (auto& said : lines)
        std::ranges::move(said, std::back_inserter(out));
    out.push_back(event(++sequence, "transcription-stopped"));
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i].delay = script.delay + script.spacing * static_cast<double>(i);
    return out;
}

} // namespace callscribe::sandbox
