#pragma once
// A one-line progress bar on stderr for long or many files; silent when stderr is not a terminal.
// Thread-safe: workers report, one line is redrawn at most ten times a second.

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace callscribe::cli {

class ProgressBar {
  public:
    // `enabled` false makes every call a no-op (not a terminal, or asked to be quiet).
    ProgressBar(bool enabled, int files, std::FILE* out = stderr);
    ~ProgressBar();

    void file_done();
    // Audio seconds done in the current file(s); `total_s` 0 when unknown.
    void audio(double done_s, double total_s, const std::string& name);
    // Clears the line so that a message can be printed.
    void clear();

    static bool stderr_is_terminal();

  private:
    void draw(bool force);

    bool m_enabled;
    std::FILE* m_out;
    int m_files;
    int m_done = 0;
    double m_audio_done_s = 0, m_audio_total_s = 0;
    std::string m_name;
    std::chrono::steady_clock::time_point m_last_draw{};
    std::mutex m_mutex;
};

} // namespace callscribe::cli
