/* Each answer is right when its absolute or relative error is at most the
 * tolerance. The Kattis output validators' conventions:
 *   validator input answer feedback_dir [float_tolerance T] < output
 * exit 42 accepts, 43 rejects, and judgemessage.txt says why. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *message;

static void judge(int accepted, const char *format, ...) {
    if (message) {
        va_list args;
        va_start(args, format);
        vfprintf(message, format, args);
        va_end(args);
        fputc('\n', message);
        fclose(message);
    }
    exit(accepted ? 42 : 43);
}

/* Reads a number from f; 0 at the end, -1 for something else. */
static int number(FILE *f, double *value) {
    char token[64];
    if (fscanf(f, "%63s", token) != 1) return 0;
    char *end;
    errno = 0;
    *value = strtod(token, &end);
    return (*end == '\0' && errno == 0 && isfinite(*value)) ? 1 : -1;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    double tolerance = 1e-6;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "float_tolerance") == 0) tolerance = atof(argv[i + 1]);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
    message = fopen(path, "w");
    FILE *answer = fopen(argv[2], "r");
    if (!answer) return 1;
    double expected, got;
    int line = 0, read;
    while (number(answer, &expected) == 1) {
        line++;
        read = number(stdin, &got);
        if (read == 0) judge(0, "line %d: expected %.10g, the output ended", line, expected);
        if (read < 0) judge(0, "line %d: expected %.10g, found something that is not a number", line, expected);
        double error = fabs(got - expected);
        if (error > tolerance && error > tolerance * fabs(expected))
            judge(0, "line %d: expected %.10g, found %.10g", line, expected, got);
    }
    if (number(stdin, &got) != 0) judge(0, "line %d: more numbers than expected", line + 1);
    judge(1, "%d numbers within the tolerance", line);
    return 0;
}
