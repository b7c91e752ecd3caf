#include <cstdio>
#include <cstdlib>
int main(int argc, char *argv[]) { std::printf("%s\n", argv[1]); }
