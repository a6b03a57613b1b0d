/*
 * cosma.h: the C interface of libcosma.
 *
 * Cosma plans how a DNN runs out of an accelerator's scratchpad: the operator schedule, every
 * tensor's address, and which tensors to spill to DRAM and reload, with minimum off-chip traffic.
 *
 * Everything crosses this boundary as JSON text (UTF-8, NUL-terminated), in the versioned formats
 * of the schemas/ folder: graphs ("cosma-graph/1"), plans ("cosma-plan/1"), options
 * ("cosma-options/1") and results ("cosma-result/1"). No call keeps a pointer it was given.
 *
 * Return codes: 0 success; 1 no valid plan (or, from cosma_simulate, a plan that breaks a rule);
 * 2 unusable input. Every call that takes `char **result` sets *result (unless result itself is
 * NULL, which returns 2) to a string the caller owns and frees with cosma_free. On codes 1 and 2
 * it holds {"format": "cosma-result/1", "error": {"message": ..., "item": ..., "fix": ...}}.
 *
 * Calls are safe from several threads at once; solver calls are serialised inside the library
 * where the solver needs it (CBC runs one program per process at a time).
 */
#ifndef COSMA_H
#define COSMA_H

#ifdef __cplusplus
extern "C" {
#endif

/* The library version, then the formats it writes: "0.1.0 (cosma-graph/1 cosma-plan/1 ...)".
   Static storage: do not free. */
const char *cosma_version(void);

/* Plans a graph. options_json (NULL for defaults) holds what `cosma solve` takes:
     "capacity": bytes (4096), a size ("512KiB") or a budget ("M_R", "M_H", "M_P"); required
     "tensors": "activations" (default) or "all"
     "alignment": bytes (1)
     "method": "exact" (default), "divide-and-conquer", "auto" or "heuristic"
     "solver": "cbc" (default) or "glpk"
     "timeLimit": seconds (60), or null: the exact method runs every stage to completion
     "gap": relative gap (0);  "segmentOps": operators per segment (12)
   On 0, *result is {"format": "cosma-result/1", "plan": {...}, "summary": {...}}; the plan has
   passed the simulator. */
int cosma_plan(const char *graph_json, const char *options_json, char **result);

/* Receives progress reports while the solver runs, as JSON:
   {"format": "cosma-progress/1", "elapsedSeconds": 1.5, "incumbent": 602112, "bound": 0, "nodes": 12}
   (incumbent and bound may be null). It is called from a thread of the library's, not the
   caller's; the string lives only during the call. */
typedef void (*cosma_progress_fn)(const char *progress_json, void *user_data);

/* cosma_plan with progress reports (progress may be NULL) and a cancellation flag (may be NULL):
   when *cancel becomes non-zero, the solver stops as at a time limit and the call returns the
   best simulated plan found so far, with "cancelled": true in *result. */
int cosma_plan_with_progress(const char *graph_json, const char *options_json,
                             cosma_progress_fn progress, void *user_data,
                             const volatile int *cancel, char **result);

/* Replays any plan on a graph and checks every rule. options_json may override "capacity",
   "tensors" and "alignment" (the plan's own by default). On 0 (valid) and 1 (breaks a rule),
   *result is {"format": "cosma-result/1", "simulation": {"valid": ..., "traffic": ...,
   "violations": [...], ...}}. */
int cosma_simulate(const char *graph_json, const char *plan_json, const char *options_json, char **result);

/* Imports an ONNX model into a graph. options_json (NULL for defaults) holds what `cosma import`
   takes: "elementBytes", "fuseActivations", "dimensions" ({"batch": 1}), "name".
   On 0, *graph_json is the graph in canonical JSON; on 2 it is an error result. */
int cosma_import_onnx(const char *onnx_path, const char *options_json, char **graph_json);

/* Frees a string returned by this library. NULL is allowed. */
void cosma_free(char *p);

#ifdef __cplusplus
}
#endif

#endif /* COSMA_H */
