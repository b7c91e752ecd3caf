#include <cstdio>
int main() {
    long long n;
    std::scanf("%lld", &n);
    for (long long d = 2; d * d <= n; d++)
        if (n % d == 0) { std::printf("%lld\n", d); return 0; }
    std::printf("-1\n");
}
