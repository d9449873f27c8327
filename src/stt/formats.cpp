#include "stt/formats.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace callscribe::stt {
namespace {

std::string render_srt(const Transcript& transcript, const SubtitleLimits& limits) {
    std::string out;
    int index = 0;
    for (const auto& cue : subtitle_cues(transcript, limits, true)) {
        std::string text; // the lines carry the speaker's label
        for (std::size_t i = 0; i < cue.lines.size(); ++i) {
            if (i > 0) text += '\n';
            text += cue.lines[i];
        }
        out += fmt::format("{}\n{} --> {}\n{}\n\n", ++index, timestamp(cue.start_s, ','),
                           timestamp(cue.end_s, ','), text);
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

std::string render_vtt(const Transcript& transcript, const SubtitleLimits& limits) {
    std::string out = "WEBVTT\n\n";
    for (const auto& cue : subtitle_cues(transcript, limits, false)) {
        std::string text = cue.speaker.empty() ? "" : "<v " + vtt_escape(cue.speaker) + ">";
        for (std::size_t i = 0; i < cue.lines.size(); ++i) {
            if (i > 0) text += '\n';
            text += vtt_escape(cue.lines[i]);
        }
        out += fmt::format("{} --> {}\n{}\n\n", timestamp(cue.start_s, '.'),
                           timestamp(cue.end_s, '.'), text);
    }
    return out;
}

// Plain text: a line per turn with speakers (Transcript::text()), else a line per segment.
std::string render_txt(const Transcript& transcript) {
    const bool speakers = std::any_of(transcript.segments.begin(), transcript.segments.end(),
                                      [](const Segment& s) { return !s.speaker.empty(); });
    if (speakers) return transcript.text() + "\n";
    std::string out;
    for (const auto& segment : transcript.segments)
        if (!segment.text.empty()) out += segment.text + "\n";
    return out.empty() ? "\n" : out;
}

// Times to the millisecond, as the subtitle formats have them: 1.93, not 1.9300000000000002.
double millis(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

std::string render_json(const Transcript& transcript) {
    auto segments = nlohmann::json::array();
    for (const auto& s : transcript.segments) {
        auto words = nlohmann::json::array();
        for (const auto& w : s.words)
            words.push_back(
                {{"start", millis(w.start_s)}, {"end", millis(w.end_s)}, {"word", w.text}});
        nlohmann::json segment = {
            {"start", millis(s.start_s)}, {"end", millis(s.end_s)}, {"text", s.text}};
        if (!s.speaker.empty()) segment["speaker"] = s.speaker;
        if (!words.empty()) segment["words"] = std::move(words);
        segments.push_back(std::move(segment));
    }
    nlohmann::json doc = {{"engine", transcript.engine},
                          {"audio_s", millis(transcript.audio_s)},
                          {"text", transcript.text()},
                          {"segments", std::move(segments)}};
    if (!transcript.language.empty()) doc["language"] = transcript.language;
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

Result<Transcript> parse_json(std::string_view text) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return fail("transcript json: not a JSON object");
    // Every lookup checks its type first: nlohmann throws on a mismatch, and a malformed row
    // must not become an exception in a request handler.
    const auto number = [](const nlohmann::json& object,
                           const char* name) -> std::optional<double> {
        auto it = object.find(name);
        if (it == object.end() || !it->is_number()) return std::nullopt;
        return it->get<double>();
    };
    const auto string = [](const nlohmann::json& object,
                           const char* name) -> std::optional<std::string> {
        auto it = object.find(name);
        if (it == object.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    Transcript transcript;
    transcript.engine = string(doc, "engine").value_or("");
    transcript.audio_s = number(doc, "audio_s").value_or(0);
    transcript.language = string(doc, "language").value_or("");
    auto segments = doc.find("segments");
    if (segments == doc.end() || !segments->is_array())
        return fail("transcript json: \"segments\" is not an array");
    for (const auto& s : *segments) {
        const std::size_t index = transcript.segments.size();
        auto start = s.is_object() ? number(s, "start") : std::nullopt;
        auto end = s.is_object() ? number(s, "end") : std::nullopt;
        auto segment_text = s.is_object() ? string(s, "text") : std::nullopt;
        if (!start || !end || !segment_text)
            return fail(
                fmt::format("transcript json: segment {} needs start, end and text", index));
        Segment segment{*start, *end, string(s, "speaker").value_or(""), *segment_text, {}};
        if (auto words = s.find("words"); words != s.end()) {
            if (!words->is_array())
                return fail(
                    fmt::format("transcript json: segment {}: \"words\" is not an array", index));
            for (const auto& w : *words) {
                auto word_start = w.is_object() ? number(w, "start") : std::nullopt;
                auto word_end = w.is_object() ? number(w, "end") : std::nullopt;
                auto word = w.is_object() ? string(w, "word") : std::nullopt;
                if (!word_start || !word_end || !word)
                    return fail(fmt::format(
                        "transcript json: segment {}: a word needs start, end and word", index));
                segment.words.push_back({*word_start, *word_end, *word});
            }
        }
        transcript.segments.push_back(std::move(segment));
    }
    return transcript;
}

std::string render(const Transcript& transcript, Format format, const SubtitleLimits& limits) {
    switch (format) {
    case Format::txt:
        return render_txt(transcript);
    case Format::json:
        return render_json(transcript);
    case Format::srt:
        return render_srt(transcript, limits);
    case Format::vtt:
        return render_vtt(transcript, limits);
    }
    return {};
}

} // namespace callscribe::stt
