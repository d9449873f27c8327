#include "audio/voice_activity.hpp"

#include <algorithm>
#include <cmath>

namespace callscribe::audio {
namespace {

constexpr double k_frame_s = 0.01;
constexpr double k_floor_db = -90;        // digital silence
constexpr double k_noise_rise_db = 0.005; // per frame (0.5 dB/s): speech barely lifts the floor

double energy_db(std::span<const float> frame) {
    double sum = 0;
    for (float s : frame)
        sum += double(s) * s;
    double mean = sum / std::max<std::size_t>(frame.size(), 1);
    return std::max(k_floor_db, 10 * std::log10(mean + 1e-12));
}

} // namespace

VoiceActivityDetector::VoiceActivityDetector(VoiceActivitySettings settings, Sink sink)
    : m_settings(settings), m_sink(std::move(sink)),
      m_frame_size(std::max<std::size_t>(1, std::lround(settings.rate * k_frame_s))),
      m_pre_roll_size(std::lround(settings.rate * settings.pre_roll_s)) {
    m_frame.reserve(m_frame_size);
    m_pre_roll.reserve(m_pre_roll_size + m_frame_size);
}

void VoiceActivityDetector::feed(std::span<const float> samples) {
    while (!samples.empty()) {
        std::size_t take = std::min(samples.size(), m_frame_size - m_frame.size());
        m_frame.insert(m_frame.end(), samples.begin(), samples.begin() + take);
        samples = samples.subspan(take);
        if (m_frame.size() == m_frame_size) {
            process_frame(m_frame);
            m_frame.clear();
        }
    }
}

void VoiceActivityDetector::finish() {
    if (!m_frame.empty()) {
        process_frame(m_frame);
        m_frame.clear();
    }
    if (m_in_region) close_region();
}

void VoiceActivityDetector::process_frame(std::span<const float> frame) {
    double db = energy_db(frame);
    // The floor follows quiet frames at once and rises slowly, so it tracks line noise but
    // not speech.
    // The first frame seeds it: a call that opens with speech loses at most the pre-roll while
    // the floor falls into the first pause between syllables.
    if (m_frame_index == 0) m_noise_db = db;
    m_noise_db = db < m_noise_db ? db : m_noise_db + k_noise_rise_db;
    bool loud = db > std::max(m_noise_db + m_settings.threshold_db, m_settings.min_energy_db);
    m_loud_run = loud ? m_loud_run + 1 : 0;
    ++m_frame_index;

    int onset_frames = std::max(1, int(std::lround(m_settings.onset_s / k_frame_s)));
    int hangover_frames = std::max(1, int(std::lround(m_settings.hangover_s / k_frame_s)));

    if (!m_in_region) {
        m_pre_roll.insert(m_pre_roll.end(), frame.begin(), frame.end());
        if (m_pre_roll.size() > m_pre_roll_size + frame.size())
            m_pre_roll.erase(m_pre_roll.begin(),
                             m_pre_roll.end() - long(m_pre_roll_size + frame.size()));
        if (m_loud_run >= onset_frames) open_region();
        return;
    }

    m_sink.on_samples(frame);
    m_region_samples += long(frame.size());
    m_quiet_run = loud ? 0 : m_quiet_run + 1;
    bool too_long = m_region_samples >= m_settings.max_region_s * m_settings.rate;
    if (m_quiet_run >= hangover_frames || too_long) close_region();
}

void VoiceActivityDetector::open_region() {
    long long end_sample = m_frame_index * long(m_frame_size);
    m_region_start_sample = end_sample - long(m_pre_roll.size());
    m_in_region = true;
    m_quiet_run = 0;
    m_region_samples = long(m_pre_roll.size());
    m_sink.on_start(m_region_start_sample / double(m_settings.rate));
    m_sink.on_samples(m_pre_roll);
    m_pre_roll.clear();
}

void VoiceActivityDetector::close_region() {
    m_in_region = false;
    m_sink.on_end((m_region_start_sample + m_region_samples) / double(m_settings.rate));
    m_loud_run = 0;
    m_region_samples = 0;
}

} // namespace callscribe::audio
