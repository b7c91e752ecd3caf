// A small reader of whitespace-separated tokens and the verdicts of
// testlib's conventions (exit 0 ok, 1 wrong answer, 2 presentation error,
// 3 the checker's own failure), written for this exercise.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

enum Verdict { OK = 0, WRONG = 1, PRESENTATION = 2, FAIL = 3 };

[[noreturn]] inline void quit(Verdict verdict, const char *format, ...) {
    static const char *names[] = {"ok", "wrong answer", "wrong output format", "FAIL"};
    std::fprintf(stderr, "%s ", names[verdict]);
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::exit(verdict);
}

// Tokens of one file; `bad` is the verdict for malformed content (the
// program's output is its author's to get right, the test's files are ours).
class Tokens {
  public:
    Tokens(const char *path, Verdict bad) : bad_(bad) {
        file_ = std::fopen(path, "r");
        if (!file_) quit(FAIL, "cannot open %s", path);
    }

    long long integer(const char *what) {
        std::string token = next(what);
        char *end = nullptr;
        long long value = std::strtoll(token.c_str(), &end, 10);
        if (token.empty() || *end != '\0') quit(bad_, "%s: expected an integer, found \"%s\"", what, token.c_str());
        return value;
    }

    bool at_end() {
        skip();
        return std::feof(file_) != 0;
    }

  private:
    void skip() {
        int c;
        while ((c = std::fgetc(file_)) != EOF && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        }
        if (c != EOF) std::ungetc(c, file_);
    }

    std::string next(const char *what) {
        skip();
        std::string token;
        int c;
        while ((c = std::fgetc(file_)) != EOF && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            token.push_back(static_cast<char>(c));
            if (token.size() > 40) quit(bad_, "%s: a token longer than 40 characters", what);
        }
        if (token.empty()) quit(bad_, "%s: the output ended too soon", what);
        return token;
    }

    std::FILE *file_;
    Verdict bad_;
};
