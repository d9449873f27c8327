#pragma once
// Guards against the known failures of Whisper-like models: text invented over silence or noise,
// and decoding loops ("thank you. thank you. thank you. ..."). Each segment an engine produces
// is judged before it is kept; a dropped segment is counted by reason (for /metrics), never
// silently lost from the count.
//
// The rules are OpenAI Whisper's own, as its transcribe() applies them, plus a loop check:
// - no speech: the model's no-speech probability is above `no_speech_threshold` and the
//   segment's mean token log-probability is below `logprob_threshold` (both, as Whisper does:
//   a confident text over a doubtful no-speech score is kept);
// - compression ratio: the text compresses (zlib) by more than `max_compression_ratio`, which
//   repetitive text does and speech does not;
// - repetition: a run of 1 to 8 words repeated more than `max_repeats` times in a row inside
//   the segment, or the same text as the previous `max_repeats` segments.
// Pure logic; one guard per channel (it remembers the previous segments), not thread-safe.

#include <string>
#include <string_view>

namespace callscribe::stt {

struct SegmentGuardSettings {
    bool enabled = true;
    double no_speech_threshold = 0.6;
    double logprob_threshold = -1.0;
    double max_compression_ratio = 2.4;
    int max_repeats = 3;
};

enum class DropReason { none, no_speech, compression_ratio, repetition };

// Counts of dropped segments, by reason.
struct DroppedSegments {
    int no_speech = 0;
    int compression_ratio = 0;
    int repetition = 0;

    int total() const { return no_speech + compression_ratio + repetition; }
    void add(DropReason reason);
    DroppedSegments& operator+=(const DroppedSegments& other);
};

// The text's length over its zlib-compressed length (1 for empty text).
double compression_ratio(std::string_view text);

// Whether some run of 1 to 8 words repeats more than `max_repeats` times back to back.
bool has_repeat_loop(std::string_view text, int max_repeats);

class SegmentGuard {
  public:
    explicit SegmentGuard(SegmentGuardSettings settings) : m_settings(settings) {}

    // Judges one segment; `text` as the engine wrote it.
    DropReason judge(std::string_view text, double no_speech_probability, double mean_logprob);

  private:
    SegmentGuardSettings m_settings;
    std::string m_previous;
    int m_previous_count = 0;
};

} // namespace callscribe::stt
