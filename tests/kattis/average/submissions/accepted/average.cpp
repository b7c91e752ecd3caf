#include <cstdio>
int main() { long long a, b; scanf("%lld %lld", &a, &b); printf("%.1f\n", (a + b) / 2.0); }
