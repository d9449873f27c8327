#pragma once
// SIGTERM and SIGINT as an event the long-running commands wait for: block_stop_signals() runs
// first in main's thread (so threads started later inherit the mask and no thread is killed
// half-way), wait_for_stop_signal() returns the signal that arrived.
namespace callscribe::cli {

void block_stop_signals();
int wait_for_stop_signal();

} // namespace callscribe::cli
