// Each line of the team's output must be the same integer as the judge's
// answer's, with any whitespace between tokens. Kattis's output validator
// conventions: validate input answer feedback_dir < team_output;
// exit 42 accepts, 43 rejects, judgemessage.txt says why.
#include <cstdio>
#include <cstring>
#include <string>

static bool token(std::FILE *file, std::string &out) {
    char buffer[64];
    if (std::fscanf(file, "%63s", buffer) != 1) return false;
    out = buffer;
    return true;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::FILE *answer = std::fopen(argv[2], "r");
    std::FILE *message = std::fopen((std::string(argv[3]) + "judgemessage.txt").c_str(), "w");
    if (!answer || !message) return 1;
    std::string expected, got;
    int line = 0;
    while (token(answer, expected)) {
        line++;
        if (!token(stdin, got)) {
            std::fprintf(message, "line %d: the output ended, expected %s\n", line, expected.c_str());
            return 43;
        }
        if (got != expected) {
            std::fprintf(message, "line %d: expected %s, found %s\n", line, expected.c_str(), got.c_str());
            return 43;
        }
    }
    if (token(stdin, got)) {
        std::fprintf(message, "more output than expected: %s\n", got.c_str());
        return 43;
    }
    std::fprintf(message, "%d lines right\n", line);
    return 42;
}
