#pragma once
// Speech regions of one channel packed into windows, for an engine that works on fixed windows
// (Whisper: 30 s). Silence never reaches the engine, and short turns share one window instead of
// each paying for a whole one.
//
// Feed it what the voice-activity detector says (region start, samples, end). Regions are laid
// end to end with `gap_s` of silence between them; when the next region would not fit, the
// window is handed to the sink and a new one begins. A region longer than a window (the detector
// cuts regions at its max_region_s, which should be below `max_s`) is split where it overflows.
// Memory is one window, whatever the recording's length. Not thread-safe; one per channel.
//
// Window::to_source() maps a time inside the window back to the channel's own time line: times
// that fall in a gap map to the end of the region before it, so mapped times never decrease.

#include "core/result.hpp"

#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace callscribe::stt {

struct SpeechWindowSettings {
    int rate = 16000;
    double max_s = 30;   // a window's length at most
    double gap_s = 0.25; // silence laid between two regions in a window
};

struct SpeechWindow {
    struct Piece {
        double window_s = 0; // where the region starts in the window
        double source_s = 0; // where it starts in the channel
        double length_s = 0;
    };
    std::vector<float> samples;
    std::vector<Piece> pieces;

    double to_source(double window_s) const;
};

class SpeechWindowPacker {
  public:
    // The sink transcribes one window; an error stops the packer (no further windows are sent)
    // and is kept for error().
    using Sink = std::function<Result<void>(const SpeechWindow&)>;

    SpeechWindowPacker(SpeechWindowSettings settings, Sink sink);

    void start_region(double source_s);
    void add_samples(std::span<const float> samples);
    void end_region();
    // Sends the last window, if it holds anything.
    void finish();

    const Error* error() const { return m_error ? &*m_error : nullptr; }

  private:
    void flush();
    std::size_t capacity() const;

    SpeechWindowSettings m_settings;
    Sink m_sink;
    SpeechWindow m_window;
    std::size_t m_region_start = 0; // the open region's first sample in the window
    double m_region_source_s = 0;   // where the open region's samples so far began in the channel
    bool m_in_region = false;
    std::optional<Error> m_error;
};

} // namespace callscribe::stt
