// Each line of the team's output must be the same integer as the judge's
// answer's, with any whitespace between tokens. Kattis's output validator
// conventions: validate input answer feedback_dir < team_output;
// exit 42 accepts, 43 rejects, judgemessage.txt says why.
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::ifstream answer(argv[2]);
    std::ofstream message(std::string(argv[3]) + "judgemessage.txt");
    std::string expected, got;
    int line = 0;
    while (answer >> expected) {
        line++;
        if (!(std::cin >> got)) {
            message << "line " << line << ": the output ended, expected " << expected << "\n";
            return 43;
        }
        if (got != expected) {
            message << "line " << line << ": expected " << expected << ", found " << got << "\n";
            return 43;
        }
    }
    if (std::cin >> got) {
        message << "more output than expected: " << got << "\n";
        return 43;
    }
    message << line << " lines right\n";
    return 42;
}
