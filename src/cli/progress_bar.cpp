#include "cli/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <unistd.h>

namespace callscribe::cli {

namespace {

constexpr int k_bar_width = 24;
constexpr std::size_t k_name_width = 32;
constexpr auto k_redraw_interval = std::chrono::milliseconds(100);

double seconds_between(ProgressBar::Clock::time_point from, ProgressBar::Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::string shortened(const std::string& name) {
    if (name.size() <= k_name_width) return name;
    return "…" + name.substr(name.size() - (k_name_width - 1));
}

} // namespace

std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

std::string span_text(double seconds) {
    seconds = std::max(0.0, seconds);
    if (seconds < 60) return fmt::format("{:.1f}s", seconds);
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

ProgressBar::ProgressBar(ProgressStyle style, std::vector<std::string> names,
                         std::vector<double> seconds, std::FILE* out, Now now)
    : m_style(style), m_out(out), m_now(std::move(now)), m_names(std::move(names)),
      m_seconds(std::move(seconds)), m_done_s(m_names.size(), 0.0),
      m_state(m_names.size(), State::waiting), m_started(m_names.size()) {
    m_seconds.resize(m_names.size(), 0.0);
    const auto known =
        std::count_if(m_seconds.begin(), m_seconds.end(), [](double s) { return s > 0; });
    const double known_s =
        std::accumulate(m_seconds.begin(), m_seconds.end(), 0.0,
                        [](double sum, double s) { return sum + std::max(0.0, s); });
    m_mean_s = known > 0 ? known_s / static_cast<double>(known) : 1.0;
}

ProgressBar::~ProgressBar() {
    std::lock_guard lock(m_mutex);
    clear_line();
}

bool ProgressBar::stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

double ProgressBar::weight(std::size_t file) const {
    return m_seconds[file] > 0 ? m_seconds[file] : m_mean_s;
}

double ProgressBar::fraction() const {
    double total = 0, done = 0;
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        if (m_state[i] == State::skipped) continue;
        total += weight(i);
        if (m_state[i] == State::done || m_state[i] == State::failed) {
            done += weight(i);
        } else if (m_state[i] == State::running && m_seconds[i] > 0) {
            done += std::min(m_done_s[i], m_seconds[i]);
        }
    }
    return total > 0 ? std::clamp(done / total, 0.0, 1.0) : 1.0;
}

void ProgressBar::started(std::size_t file) {
    if (m_style == ProgressStyle::none) return;
    std::lock_guard lock(m_mutex);
    const auto now = m_now();
    if (!m_batch_started) {
        m_batch_started = true;
        m_batch_start = now;
    }
    m_state[file] = State::running;
    m_started[file] = now;
    draw(true);
}

void ProgressBar::audio(std::size_t file, double done_s) {
    if (m_style == ProgressStyle::none) return;
    std::lock_guard lock(m_mutex);
    m_done_s[file] = done_s;
    draw(false);
}

void ProgressBar::finished(std::size_t file, bool ok) {
    if (m_style == ProgressStyle::none) return;
    std::lock_guard lock(m_mutex);
    m_state[file] = ok ? State::done : State::failed;
    // What was transcribed: the file's length as its header said, else as far as it got.
    if (ok && m_seconds[file] > 0) m_done_s[file] = m_seconds[file];
    if (ok && m_style == ProgressStyle::plain) {
        const std::size_t finished_count =
            static_cast<std::size_t>(std::count_if(m_state.begin(), m_state.end(), [](State s) {
                return s == State::done || s == State::failed;
            }));
        const double wall = seconds_between(m_started[file], m_now());
        const double audio = m_done_s[file];
        fmt::print(m_out, "callscribe: [{}/{}] {}: {} of audio in {}{}\n", finished_count,
                   m_names.size(), m_names[file], clock_text(audio), span_text(wall),
                   wall > 0 ? fmt::format(" ({:.0f}× real time)", audio / wall) : "");
        std::fflush(m_out);
    }
    draw(true);
}

void ProgressBar::skipped(std::size_t file) {
    if (m_style == ProgressStyle::none) return;
    std::lock_guard lock(m_mutex);
    m_state[file] = State::skipped;
    draw(true);
}

void ProgressBar::clear() {
    std::lock_guard lock(m_mutex);
    clear_line();
}

void ProgressBar::clear_line() {
    if (m_style != ProgressStyle::bar || !m_drawn) return;
    std::fputs("\r\033[K", m_out);
    std::fflush(m_out);
    m_drawn = false;
}

void ProgressBar::draw(bool force) {
    if (m_style != ProgressStyle::bar) return;
    const auto now = m_now();
    if (!force && m_drawn && now - m_last_draw < k_redraw_interval) return;
    m_last_draw = now;
    const double f = fraction();
    double total_s = 0, done_s = 0;
    std::vector<std::string> running;
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        if (m_state[i] == State::skipped) continue;
        total_s += m_seconds[i];
        if (m_state[i] != State::waiting) done_s += m_done_s[i];
        if (m_state[i] == State::running) running.push_back(m_names[i]);
    }
    // The time left, once there is enough behind to say: the pace so far.
    std::string left = "--";
    const double elapsed = m_batch_started ? seconds_between(m_batch_start, now) : 0;
    if (f >= 0.01 && elapsed >= 1.0) left = span_text(elapsed * (1 - f) / f);
    const int filled = static_cast<int>(f * k_bar_width);
    const std::string bar =
        std::string(static_cast<std::size_t>(filled), '=') + (filled < k_bar_width ? ">" : "") +
        std::string(static_cast<std::size_t>(std::max(0, k_bar_width - filled - 1)), ' ');
    std::string flight;
    if (!running.empty()) {
        flight = "  " + shortened(std::filesystem::path(running.front()).filename().string());
        if (running.size() > 1) flight += fmt::format(" +{}", running.size() - 1);
    }
    fmt::print(m_out, "\r\033[K[{}] {:3.0f}%  {} / {} of audio  {} left{}", bar, f * 100,
               clock_text(done_s), clock_text(total_s), left, flight);
    std::fflush(m_out);
    m_drawn = true;
}

void ProgressBar::summary() {
    if (m_style == ProgressStyle::none) return;
    std::lock_guard lock(m_mutex);
    clear_line();
    int done = 0, failed = 0, skipped = 0;
    double audio = 0;
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        done += m_state[i] == State::done;
        failed += m_state[i] == State::failed;
        skipped += m_state[i] == State::skipped;
        if (m_state[i] == State::done) audio += m_done_s[i];
    }
    const double wall = m_batch_started ? seconds_between(m_batch_start, m_now()) : 0;
    std::string counts = fmt::format("{} done", done);
    if (failed > 0) counts += fmt::format(", {} failed", failed);
    if (skipped > 0) counts += fmt::format(", {} skipped", skipped);
    fmt::print(m_out, "callscribe: {} file{}: {}; {} of audio in {}{}\n", m_names.size(),
               m_names.size() == 1 ? "" : "s", counts, clock_text(audio), span_text(wall),
               wall > 0 && audio > 0 ? fmt::format(" ({:.1f}× real time)", audio / wall) : "");
    std::fflush(m_out);
}

} // namespace callscribe::cli
