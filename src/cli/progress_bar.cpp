#include "cli/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace callscribe::cli {

ProgressBar::ProgressBar(bool enabled, int files, std::FILE* out)
    : m_enabled(enabled), m_out(out), m_files(files) {}

ProgressBar::~ProgressBar() {
    clear();
}

bool ProgressBar::stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

void ProgressBar::file_done() {
    std::lock_guard lock(m_mutex);
    ++m_done;
    m_audio_done_s = m_audio_total_s = 0;
    draw(true);
}

void ProgressBar::audio(double done_s, double total_s, const std::string& name) {
    std::lock_guard lock(m_mutex);
    m_audio_done_s = done_s;
    m_audio_total_s = total_s;
    m_name = name;
    draw(false);
}

void ProgressBar::clear() {
    if (!m_enabled) return;
    std::fputs("\r\033[K", m_out);
    std::fflush(m_out);
}

void ProgressBar::draw(bool force) {
    if (!m_enabled) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - m_last_draw < std::chrono::milliseconds(100)) return;
    m_last_draw = now;
    double within = m_audio_total_s > 0 ? std::min(1.0, m_audio_done_s / m_audio_total_s) : 0;
    double fraction = std::min(1.0, (m_done + within) / std::max(1, m_files));
    constexpr int k_width = 30;
    int filled = int(fraction * k_width);
    std::string bar = std::string(filled, '=') + (filled < k_width ? ">" : "") +
                      std::string(std::max(0, k_width - filled - 1), ' ');
    std::string name = m_name.size() > 40 ? "..." + m_name.substr(m_name.size() - 37) : m_name;
    fmt::print(m_out, "\r\033[K[{}] {:3.0f}%  {}/{} files  {}", bar, fraction * 100, m_done,
               m_files, name);
    std::fflush(m_out);
}

} // namespace callscribe::cli
