#pragma once
// Voice-activity detection: finds the speech in one channel so that silence never reaches the
// speech engine (a call that is half silence costs about half the time).
//
// Streaming and bounded: feed() takes chunks of any size and calls the sink as speech regions
// open, grow and close; memory is the pre-roll buffer plus one 10 ms frame. Energy-based with an
// adaptive noise floor, which suits telephone audio (steady line noise, loud close-miked speech).
// Not thread-safe; one per channel.

#include <functional>
#include <span>
#include <vector>

namespace callscribe::audio {

struct VoiceActivitySettings {
    int rate = 16000;
    double threshold_db = 10;   // speech is this far above the noise floor...
    double min_energy_db = -50; // ...and at least this loud (dBFS)
    double onset_s = 0.03;      // this long above the threshold opens a region
    double hangover_s = 0.5;    // this long below it closes one
    double pre_roll_s = 0.25;   // audio kept before the onset (soft word starts)
    double max_region_s = 20;   // longer speech is cut into regions of at most this
};

class VoiceActivityDetector {
  public:
    struct Sink {
        // A region starts at `start_s` (seconds from the start of the channel).
        std::function<void(double start_s)> on_start;
        // Samples that belong to the open region, in order.
        std::function<void(std::span<const float>)> on_samples;
        // The open region ends at `end_s`.
        std::function<void(double end_s)> on_end;
    };

    explicit VoiceActivityDetector(VoiceActivitySettings settings, Sink sink);

    void feed(std::span<const float> samples);
    // Closes a region still open at the end of the channel.
    void finish();

  private:
    void process_frame(std::span<const float> frame);
    void open_region();
    void close_region();

    VoiceActivitySettings m_settings;
    Sink m_sink;
    std::size_t m_frame_size;
    std::vector<float> m_frame;    // partial frame between feed() calls
    std::vector<float> m_pre_roll; // recent frames, oldest first, while no region is open
    std::size_t m_pre_roll_size;
    long long m_frame_index = 0; // frames seen so far
    double m_noise_db = 0;
    int m_loud_run = 0;  // consecutive frames above the threshold
    int m_quiet_run = 0; // consecutive frames below it inside a region
    bool m_in_region = false;
    long long m_region_start_sample = 0;
    long long m_region_samples = 0;
};

} // namespace callscribe::audio
