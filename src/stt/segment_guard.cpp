#include "stt/segment_guard.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace callscribe::stt {
namespace {

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else if (!std::ispunct(static_cast<unsigned char>(c))) {
            word += char(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

std::string normalised(std::string_view text) {
    std::string out;
    for (const auto& word : words_of(text))
        out += (out.empty() ? "" : " ") + word;
    return out;
}

} // namespace

void DroppedSegments::add(DropReason reason) {
    switch (reason) {
    case DropReason::no_speech:
        ++no_speech;
        break;
    case DropReason::compression_ratio:
        ++compression_ratio;
        break;
    case DropReason::repetition:
        ++repetition;
        break;
    case DropReason::none:
        break;
    }
}

DroppedSegments& DroppedSegments::operator+=(const DroppedSegments& other) {
    no_speech += other.no_speech;
    compression_ratio += other.compression_ratio;
    repetition += other.repetition;
    return *this;
}

double compression_ratio(std::string_view text) {
    if (text.empty()) return 1;
    uLongf size = compressBound(uLong(text.size()));
    std::vector<Bytef> out(size);
    if (compress2(out.data(), &size, reinterpret_cast<const Bytef*>(text.data()),
                  uLong(text.size()), Z_BEST_COMPRESSION) != Z_OK)
        return 1;
    return double(text.size()) / double(size);
}

bool has_repeat_loop(std::string_view text, int max_repeats) {
    const auto words = words_of(text);
    const std::size_t n = words.size();
    for (std::size_t length = 1; length <= 8; ++length) {
        for (std::size_t start = 0; start + length * std::size_t(max_repeats + 1) <= n; ++start) {
            int repeats = 1;
            for (std::size_t next = start + length; next + length <= n; next += length) {
                if (!std::equal(words.begin() + std::ptrdiff_t(start),
                                words.begin() + std::ptrdiff_t(start + length),
                                words.begin() + std::ptrdiff_t(next)))
                    break;
                if (++repeats > max_repeats) return true;
            }
        }
    }
    return false;
}

DropReason SegmentGuard::judge(std::string_view text, double no_speech_probability,
                               double mean_logprob) {
    if (!m_settings.enabled) return DropReason::none;
    if (no_speech_probability > m_settings.no_speech_threshold &&
        mean_logprob < m_settings.logprob_threshold)
        return DropReason::no_speech;
    if (compression_ratio(text) > m_settings.max_compression_ratio)
        return DropReason::compression_ratio;
    if (has_repeat_loop(text, m_settings.max_repeats)) return DropReason::repetition;
    std::string key = normalised(text);
    if (!key.empty() && key == m_previous) {
        if (++m_previous_count > m_settings.max_repeats) return DropReason::repetition;
    } else {
        m_previous = std::move(key);
        m_previous_count = 1;
    }
    return DropReason::none;
}

} // namespace callscribe::stt
