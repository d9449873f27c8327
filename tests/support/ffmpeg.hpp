#pragma once
// The ffmpeg program, for tests that need recordings in formats callscribe does not write
// (FLAC, Opus, AAC, a video) and for reading its subtitles back. Quiet, never asks questions,
// overwrites its output.

#include <string>

namespace callscribe::test_support {

// Runs `ffmpeg ARGUMENTS` (paths quoted by the caller); false, with a test failure naming the
// command, when it fails.
bool ffmpeg(const std::string& arguments);

// What `ffmpeg ARGUMENTS` writes to its standard output ("-" as its output), e.g. a file read
// and written back in another format.
std::string ffmpeg_output(const std::string& arguments);

} // namespace callscribe::test_support
