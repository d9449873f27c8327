#include "stt/speech_windows.hpp"

#include <algorithm>

namespace callscribe::stt {

double SpeechWindow::to_source(double window_s) const {
    if (pieces.empty()) return window_s;
    auto after = std::upper_bound(pieces.begin(), pieces.end(), window_s,
                                  [](double t, const Piece& p) { return t < p.window_s; });
    const Piece& piece = after == pieces.begin() ? pieces.front() : *std::prev(after);
    return piece.source_s + std::clamp(window_s - piece.window_s, 0.0, piece.length_s);
}

SpeechWindowPacker::SpeechWindowPacker(SpeechWindowSettings settings, Sink sink)
    : m_settings(settings), m_sink(std::move(sink)) {}

std::size_t SpeechWindowPacker::capacity() const {
    return std::size_t(m_settings.max_s * m_settings.rate);
}

void SpeechWindowPacker::start_region(double source_s) {
    auto& samples = m_window.samples;
    const auto gap = std::size_t(m_settings.gap_s * m_settings.rate);
    if (!samples.empty()) {
        if (samples.size() + gap >= capacity()) {
            flush();
        } else {
            samples.resize(samples.size() + gap, 0.0f);
        }
    }
    m_region_start = samples.size();
    m_region_source_s = source_s;
    m_window.pieces.push_back({double(m_region_start) / m_settings.rate, source_s, 0});
    m_in_region = true;
}

void SpeechWindowPacker::add_samples(std::span<const float> samples) {
    if (!m_in_region) start_region(0);
    const double rate = m_settings.rate;
    while (!samples.empty()) {
        auto& window = m_window.samples;
        const std::size_t room = capacity() - std::min(capacity(), window.size());
        if (room == 0) {
            if (m_region_start > 0) {
                // The region began after other speech: it moves, whole, to the next window.
                std::vector<float> region(window.begin() + std::ptrdiff_t(m_region_start),
                                          window.end());
                const auto gap = std::size_t(m_settings.gap_s * m_settings.rate);
                window.resize(m_region_start > gap ? m_region_start - gap : 0);
                m_window.pieces.pop_back();
                flush();
                m_window.samples = std::move(region);
            } else {
                // One region fills the window: split it here, the rest goes on in the next.
                m_region_source_s += double(window.size()) / rate;
                flush();
            }
            m_region_start = 0;
            m_window.pieces.push_back({0, m_region_source_s, 0});
            continue;
        }
        const std::size_t n = std::min(room, samples.size());
        window.insert(window.end(), samples.begin(), samples.begin() + std::ptrdiff_t(n));
        samples = samples.subspan(n);
        m_window.pieces.back().length_s = double(window.size() - m_region_start) / rate;
    }
}

void SpeechWindowPacker::end_region() {
    m_in_region = false;
}

void SpeechWindowPacker::finish() {
    m_in_region = false;
    flush();
}

void SpeechWindowPacker::flush() {
    if (!m_window.samples.empty() && !m_error) {
        if (auto sent = m_sink(m_window); !sent) m_error = sent.error();
    }
    m_window.samples.clear();
    m_window.pieces.clear();
}

} // namespace callscribe::stt
