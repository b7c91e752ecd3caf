// A stand-in for testlib.h, written for gavel's tests: the few names the
// package's checker uses, with testlib's exit codes and messages on stderr.
// (Real packages ship Mike Mirzayanov's testlib.h; gavel compiles it as is.)
#pragma once
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3 };

[[noreturn]] inline void quitf(TResult result, const char *format, ...) {
    static const char *names[] = {"ok", "wrong answer", "wrong output format", "FAIL"};
    std::fprintf(stderr, "%s ", names[result]);
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::exit(result);
}

struct InStream {
    std::FILE *file = nullptr;
    TResult bad = _fail;
    long long readLong() {
        long long value;
        if (!file || std::fscanf(file, "%lld", &value) != 1) quitf(bad, "expected an integer");
        return value;
    }
    bool seekEof() {
        int c;
        while ((c = std::fgetc(file)) == ' ' || c == '\n' || c == '\r' || c == '\t') {
        }
        if (c == EOF) return true;
        std::ungetc(c, file);
        return false;
    }
};

inline InStream inf, ouf, ans;

inline void registerTestlibCmd(int argc, char *argv[]) {
    if (argc < 4) quitf(_fail, "usage: checker input output answer");
    inf.file = std::fopen(argv[1], "r");
    ouf.file = std::fopen(argv[2], "r");
    ouf.bad = _pe;
    ans.file = std::fopen(argv[3], "r");
}
