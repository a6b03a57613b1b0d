/*
 * A code generator's use of libcosma: plan a graph, then walk the plan as a compiler emits code,
 * replay it with cosma_simulate, and handle a bad graph.
 *
 *   cc plan.c $(pkg-config --cflags --libs cosma) -o plan
 *   ./plan graphs/tiny.json 5KiB [activations|all]
 */
#include <cosma.h>
#include <stdio.h>
#include "json_reader.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = (char *)malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) { free(text); text = NULL; }
    if (text) text[n] = 0;
    fclose(f);
    return text;
}

/* The size of a tensor, from the graph. */
static long long tensor_bytes(const json_node *graph, const char *name) {
    for (const json_node *t = json_get(graph, "tensors")->child; t; t = t->next)
        if (!strcmp(json_text(t, "name"), name)) return json_int(t, "bytes");
    return -1;
}

/* Where each resident tensor sits, as the code generator tracks it between steps. */
typedef struct { const char *name; long long offset; } residency;
static residency resident[65536];
static int resident_count;

static void place(const char *name, long long offset) {
    resident[resident_count].name = name;
    resident[resident_count++].offset = offset;
}

static long long offset_of(const char *name) {
    for (int i = resident_count - 1; i >= 0; i--)
        if (!strcmp(resident[i].name, name)) return resident[i].offset;
    return -1;
}

/* Emits one step: store, free, load, run the operator, place its outputs. */
static void emit_step(int index, const json_node *step, const json_node *graph) {
    printf("step %d: %s\n", index, json_text(step, "op"));
    const json_node *list;
    if ((list = json_get(step, "store")))
        for (const json_node *t = list->child; t; t = t->next)
            printf("  dma store  %-24s scratchpad[%lld] -> dram (%lld bytes)\n", t->text, offset_of(t->text), tensor_bytes(graph, t->text));
    if ((list = json_get(step, "free")))
        for (const json_node *t = list->child; t; t = t->next) printf("  release    %s\n", t->text);
    if ((list = json_get(step, "load")))
        for (const json_node *p = list->child; p; p = p->next) {
            const char *name = json_text(p, "tensor");
            place(name, json_int(p, "offset"));
            printf("  dma load   %-24s dram -> scratchpad[%lld] (%lld bytes)\n", name, json_int(p, "offset"), tensor_bytes(graph, name));
        }
    printf("  run        %s\n", json_text(step, "op"));
    for (const json_node *p = json_get(step, "outputs")->child; p; p = p->next) {
        place(json_text(p, "tensor"), json_int(p, "offset"));
        printf("  output     %-24s scratchpad[%lld]\n", json_text(p, "tensor"), json_int(p, "offset"));
    }
}

/* Plans, walks and replays one graph; returns 0 when the plan is valid. */
static int plan_graph(const char *graph_text, const char *options) {
    char *result = NULL;
    int code = cosma_plan(graph_text, options, &result);
    json_node *answer = json_parse(result);
    if (code != 0) {
        fprintf(stderr, "cosma_plan returned %d: %s\n", code, json_text(json_get(answer, "error"), "message"));
        json_free(answer);
        cosma_free(result);
        return 1;
    }
    json_node *graph = json_parse(graph_text);
    const json_node *plan = json_get(answer, "plan"), *summary = json_get(answer, "summary");
    int index = 1;
    for (const json_node *step = json_get(plan, "steps")->child; step; step = step->next) emit_step(index++, step, graph);
    for (const json_node *t = json_get(plan, "final")->child; t; t = t->next)
        printf("final: dma store %s scratchpad[%lld] -> dram\n", t->text, offset_of(t->text));
    const json_node *traffic = json_get(summary, "traffic");
    printf("method %s, status %s\n", json_text(summary, "method"), json_text(json_get(summary, "solver"), "status"));
    printf("traffic: total %lld, non-compulsory %lld\n", json_int(traffic, "total"), json_int(traffic, "nonCompulsory"));

    /* The plan, exactly as the library wrote it, goes back for a replay. */
    size_t n = (size_t)(plan->end - plan->start);
    char *plan_text = (char *)malloc(n + 1);
    memcpy(plan_text, plan->start, n);
    plan_text[n] = 0;
    char *replay = NULL;
    int valid = cosma_simulate(graph_text, plan_text, NULL, &replay);
    printf("cosma_simulate: %s\n", valid == 0 ? "valid" : replay);
    cosma_free(replay);
    free(plan_text);
    json_free(graph);
    json_free(answer);
    cosma_free(result);
    resident_count = 0;
    return valid;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s GRAPH.json CAPACITY [activations|all]\n", argv[0]);
        return 2;
    }
    printf("libcosma %s\n", cosma_version());
    char *graph_text = read_file(argv[1]);
    if (!graph_text) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    char options[256];
    snprintf(options, sizeof options, "{\"capacity\": \"%s\", \"tensors\": \"%s\"}", argv[2], argc > 3 ? argv[3] : "activations");
    int status = plan_graph(graph_text, options);
    free(graph_text);

    /* A bad graph: a compiler reports the library's message and goes on. */
    char *error = NULL;
    int code = cosma_plan("{\"name\": \"broken\", \"tensors\": [", options, &error);
    json_node *answer = json_parse(error);
    printf("malformed graph: code %d, %s\n", code, json_text(json_get(answer, "error"), "message"));
    json_free(answer);
    cosma_free(error);
    return status != 0 || code != 2;
}
