#ifndef CGLPK_H
#define CGLPK_H

/*
 * GLPK reports misuse and internal failures by calling abort() unless an error
 * hook long-jumps out of the library. Swift cannot call setjmp, so this shim owns
 * a whole GLPK session in one C call: install hooks, build the problem, solve,
 * copy results out and free every GLPK object. No GLPK type crosses this header.
 */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A problem in compressed sparse columns; row indices are 0-based. */
typedef struct cglpk_problem {
    int num_rows;
    int num_cols;
    const int *col_starts;      /* num_cols + 1 entries */
    const int *row_indices;     /* col_starts[num_cols] entries */
    const double *values;       /* col_starts[num_cols] entries */
    const double *col_lower;    /* -HUGE_VAL when unbounded below */
    const double *col_upper;    /* +HUGE_VAL when unbounded above */
    const unsigned char *col_is_integer;
    const double *objective;
    double objective_offset;
    int maximize;
    const double *row_lower;
    const double *row_upper;
} cglpk_problem;

typedef struct cglpk_progress {
    double elapsed_seconds;
    int has_incumbent;
    double incumbent;
    int has_bound;
    double bound;
    long nodes;
    int improved; /* a new incumbent was found since the previous report */
} cglpk_progress;

/* Called from inside the branch-and-bound; returning non-zero stops the search. */
typedef int (*cglpk_progress_fn)(const cglpk_progress *progress, void *context);

typedef struct cglpk_parameters {
    int time_limit_ms;          /* handed to GLPK as is; negative values are rejected by GLPK */
    long node_limit;            /* <= 0: none; reaching it is reported as CGLPK_TIME_LIMIT */
    long iteration_limit;       /* simplex iterations over the whole solve, checked at each
                                   callback of the search; <= 0: none; reported as CGLPK_TIME_LIMIT */
    double relative_gap;        /* 0 proves optimality */
    double absolute_gap;        /* negative: none */
    int has_cutoff;
    double cutoff;              /* objective value, offset included */
    const double *mip_start;    /* num_cols values, or NULL */
    int log_level;              /* 0 silent, 1 normal, 2 verbose */
    cglpk_progress_fn progress; /* may be NULL */
    void *progress_context;
} cglpk_parameters;

typedef enum cglpk_outcome {
    CGLPK_OPTIMAL = 0,
    CGLPK_INFEASIBLE,
    CGLPK_UNBOUNDED,
    CGLPK_TIME_LIMIT,
    CGLPK_GAP_LIMIT,
    CGLPK_INTERRUPTED,
    CGLPK_SOLVER_FAILURE, /* GLPK returned a failure code; a solution may exist */
    CGLPK_ERROR           /* GLPK raised an error; nothing else is valid */
} cglpk_outcome;

enum { CGLPK_MESSAGE_CAPACITY = 4096 };

typedef struct cglpk_result {
    cglpk_outcome outcome;
    int glpk_code;         /* return code of the last glp_simplex / glp_intopt call */
    int has_solution;
    double objective;      /* offset included */
    int has_bound;
    double bound;
    long nodes;
    long iterations;       /* simplex iterations, every node's included */
    int mip_start_accepted;
    double seconds;
    char message[CGLPK_MESSAGE_CAPACITY]; /* tail of GLPK's terminal output */
} cglpk_result;

/* Solves `problem`; on a solution, writes problem->num_cols values to `values`.
   GLPK keeps its state per thread; the session ends with glp_free_env, so the calling
   thread must not hold GLPK objects of its own across this call. */
void cglpk_solve(const cglpk_problem *problem,
                 const cglpk_parameters *parameters,
                 double *values,
                 cglpk_result *result);

/* The GLPK version string, e.g. "5.0". */
const char *cglpk_version(void);

#ifdef __cplusplus
}
#endif

#endif
