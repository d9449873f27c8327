#include "stt/formats.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace callscribe::stt {
namespace {

struct Cue {
    double start_s;
    double end_s;
    const Segment* segment;
};

// Cues in start order; each ends at least one millisecond after it starts.
std::vector<Cue> cues(const Transcript& transcript) {
    std::vector<Cue> out;
    for (const auto& s : transcript.segments) {
        if (s.text.empty()) continue;
        double start = std::max(0.0, s.start_s);
        out.push_back({start, std::max(s.end_s, start + 0.001), &s});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Cue& a, const Cue& b) { return a.start_s < b.start_s; });
    return out;
}

std::string render_srt(const Transcript& transcript) {
    std::string out;
    int index = 0;
    for (const auto& cue : cues(transcript)) {
        const Segment& s = *cue.segment;
        out += fmt::format("{}\n{} --> {}\n{}{}\n\n", ++index, timestamp(cue.start_s, ','),
                           timestamp(cue.end_s, ','), s.speaker.empty() ? "" : s.speaker + ": ",
                           s.text);
    }
    return out;
}

std::string vtt_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string render_vtt(const Transcript& transcript) {
    std::string out = "WEBVTT\n\n";
    for (const auto& cue : cues(transcript)) {
        const Segment& s = *cue.segment;
        std::string voice = s.speaker.empty() ? "" : "<v " + vtt_escape(s.speaker) + ">";
        out += fmt::format("{} --> {}\n{}{}\n\n", timestamp(cue.start_s, '.'),
                           timestamp(cue.end_s, '.'), voice, vtt_escape(s.text));
    }
    return out;
}

std::string render_json(const Transcript& transcript) {
    auto segments = nlohmann::json::array();
    for (const auto& s : transcript.segments) {
        auto words = nlohmann::json::array();
        for (const auto& w : s.words)
            words.push_back({{"start", w.start_s}, {"end", w.end_s}, {"word", w.text}});
        nlohmann::json segment = {{"start", s.start_s}, {"end", s.end_s}, {"text", s.text}};
        if (!s.speaker.empty()) segment["speaker"] = s.speaker;
        if (!words.empty()) segment["words"] = std::move(words);
        segments.push_back(std::move(segment));
    }
    nlohmann::json doc = {{"engine", transcript.engine},
                          {"audio_s", transcript.audio_s},
                          {"text", transcript.text()},
                          {"segments", std::move(segments)}};
    // Text from a service or a label from the environment may not be valid UTF-8: replace
    // such bytes rather than fail the whole transcript.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace

std::optional<Format> parse_format(std::string_view name) {
    if (name == "txt") return Format::txt;
    if (name == "json") return Format::json;
    if (name == "srt") return Format::srt;
    if (name == "vtt") return Format::vtt;
    return std::nullopt;
}

std::string_view extension(Format format) {
    switch (format) {
    case Format::txt:
        return "txt";
    case Format::json:
        return "json";
    case Format::srt:
        return "srt";
    case Format::vtt:
        return "vtt";
    }
    return "txt";
}

std::string timestamp(double seconds, char millis_separator) {
    auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000.0));
    return fmt::format("{:02}:{:02}:{:02}{}{:03}", ms / 3'600'000, ms / 60'000 % 60, ms / 1000 % 60,
                       millis_separator, ms % 1000);
}

std::string render(const Transcript& transcript, Format format) {
    switch (format) {
    case Format::txt:
        return transcript.text() + "\n";
    case Format::json:
        return render_json(transcript);
    case Format::srt:
        return render_srt(transcript);
    case Format::vtt:
        return render_vtt(transcript);
    }
    return {};
}

} // namespace callscribe::stt
