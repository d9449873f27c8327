#include "support/ffmpeg.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace callscribe::test_support {

namespace {

std::string command_line(const std::string& arguments) {
    return "ffmpeg -nostdin -loglevel error -y " + arguments;
}

} // namespace

bool ffmpeg(const std::string& arguments) {
    const std::string command = command_line(arguments);
    if (std::system(command.c_str()) == 0) return true;
    ADD_FAILURE() << "failed: " << command;
    return false;
}

std::string ffmpeg_output(const std::string& arguments) {
    const std::string command = command_line(arguments);
    std::string out;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) {
        ADD_FAILURE() << "cannot start: " << command;
        return out;
    }
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        out.append(buffer, got);
    if (::pclose(pipe) != 0) ADD_FAILURE() << "failed: " << command;
    return out;
}

} // namespace callscribe::test_support
