// Guess the number: the secret (1..1000) is in the test's input; the
// program guesses, and hears "lower", "higher" or "correct"; ten guesses at
// most. Kattis's interactive validator conventions:
//   validate input answer feedback_dir  (the program's output on stdin)
// exit 42 accepts, 43 rejects; judgemessage.txt says why.
#include <cstdio>
#include <iostream>
#include <string>

static int judge(const std::string &feedback_dir, bool accepted, const std::string &why) {
    if (std::FILE *message = std::fopen((feedback_dir + "judgemessage.txt").c_str(), "w")) {
        std::fprintf(message, "%s\n", why.c_str());
        std::fclose(message);
    }
    return accepted ? 42 : 43;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    std::FILE *input = std::fopen(argv[1], "r");
    int secret = 0;
    if (!input || std::fscanf(input, "%d", &secret) != 1) return 1;
    std::string feedback = argv[3];
    for (int guesses = 1; guesses <= 10; guesses++) {
        long long guess;
        if (!(std::cin >> guess)) return judge(feedback, false, "the program stopped guessing");
        if (guess == secret) {
            std::cout << "correct" << std::endl;
            return judge(feedback, true, "found in " + std::to_string(guesses) + " guesses");
        }
        std::cout << (guess > secret ? "lower" : "higher") << std::endl;
    }
    return judge(feedback, false, "not found in 10 guesses");
}
