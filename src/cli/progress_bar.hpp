#pragma once
// The progress of a batch of recordings on stderr, by seconds of audio (a long file weighs what
// it lasts, not one file among many): a bar redrawn in place on a terminal, with the time left
// and the files in flight; or one line per file done (`plain`, for logs and CI); and a summary
// line at the end. Thread-safe: workers report; the bar is redrawn at most ten times a second.

#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace callscribe::cli {

enum class ProgressStyle { none, bar, plain };

class ProgressBar {
  public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;

    // `names[i]` and `seconds[i]` (its length; 0 when unknown: it then weighs as much as the
    // mean of the known ones) for each file of the batch. With `none` every call is a no-op.
    ProgressBar(ProgressStyle style, std::vector<std::string> names, std::vector<double> seconds,
                std::FILE* out = stderr, Now now = Clock::now);
    ~ProgressBar(); // clears the bar

    void started(std::size_t file);
    // Seconds of audio of `file` transcribed so far.
    void audio(std::size_t file, double done_s);
    // `ok` false: the file failed (its error line is printed by the caller).
    void finished(std::size_t file, bool ok);
    // Not audio: left out of the batch.
    void skipped(std::size_t file);
    // Clears the bar so that a message can be printed; it comes back with the next report.
    void clear();
    // "callscribe: 12 files: 10 done, 1 failed, 1 skipped; 2:27:00 of audio in 5m12s (28×
    // real time)".
    void summary();

    static bool stderr_is_terminal();

  private:
    enum class State { waiting, running, done, failed, skipped };
    double weight(std::size_t file) const;
    double fraction() const; // with m_mutex held
    void draw(bool force);   // with m_mutex held
    void clear_line();       // with m_mutex held

    ProgressStyle m_style;
    std::FILE* m_out;
    Now m_now;
    std::vector<std::string> m_names;
    std::vector<double> m_seconds;
    std::vector<double> m_done_s;
    std::vector<State> m_state;
    std::vector<Clock::time_point> m_started;
    double m_mean_s = 0;
    Clock::time_point m_batch_start;
    bool m_batch_started = false;
    bool m_drawn = false;
    Clock::time_point m_last_draw{};
    std::mutex m_mutex;
};

// "0:05:32": hours, minutes, seconds of audio.
std::string clock_text(double seconds);
// "12.1s", "5m12s", "1h02m": a span of wall time.
std::string span_text(double seconds);

} // namespace callscribe::cli
