#include "cli/run.hpp"

int main(int argc, char** argv) {
    return callscribe::cli::run(argc, argv);
}
