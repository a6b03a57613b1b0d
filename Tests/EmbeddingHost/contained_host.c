/*
 * A C host for the containment test of `make test-embedding` (examples/run.sh): it plans one
 * graph through libcosma with a short time limit and prints the answer. Run with
 * COSMA_TEST_SOLVER_FAULT=crash or hang, every solver child crashes or hangs; the host must
 * live on and get a valid plan (the best found so far) with a note saying what happened.
 *
 *   contained_host GRAPH.json CAPACITY SOLVER TIME_LIMIT
 */
#include <cosma.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s GRAPH.json CAPACITY SOLVER TIME_LIMIT\n", argv[0]);
        return 64;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 66;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *graph = (char *)malloc((size_t)n + 1);
    if (!graph || fread(graph, 1, (size_t)n, f) != (size_t)n) return 66;
    graph[n] = 0;
    fclose(f);
    char options[256];
    snprintf(options, sizeof options, "{\"capacity\": \"%s\", \"solver\": \"%s\", \"timeLimit\": %s}", argv[2], argv[3],
             argv[4]);
    char *result = NULL;
    int code = cosma_plan(graph, options, &result);
    printf("code %d\n%s\n", code, result ? result : "(no result)");
    cosma_free(result);
    free(graph);
    return code;
}
