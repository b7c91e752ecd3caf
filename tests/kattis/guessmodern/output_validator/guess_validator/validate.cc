// A stand-in for an interactive validator written in C++: only its presence
// matters to the importer's message.
int main() { return 42; }
