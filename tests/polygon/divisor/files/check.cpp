#include "testlib.h"

// Any proper divisor is right; -1 only when the author's answer is -1 too.
int main(int argc, char *argv[]) {
    registerTestlibCmd(argc, argv);
    long long n = inf.readLong();
    long long expected = ans.readLong();
    long long got = ouf.readLong();
    if (!ouf.seekEof()) quitf(_pe, "more than one number");
    if (expected == -1 || got == -1) {
        if (expected != got) quitf(_wa, "expected %lld, found %lld", expected, got);
        quitf(_ok, "%lld is prime", n);
    }
    if (got <= 1 || got >= n || n % got != 0) quitf(_wa, "%lld is not a proper divisor of %lld", got, n);
    quitf(_ok, "%lld divides %lld", got, n);
}
