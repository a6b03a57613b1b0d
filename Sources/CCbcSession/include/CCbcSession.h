#ifndef CCBC_SESSION_H
#define CCBC_SESSION_H

/*
 * CBC's C interface cannot report progress or stop a search: its message callback
 * never sees the branch-and-bound log (the solver works on an internal copy of the
 * model), and it has no event handler. This shim drives CbcModel from C++ so that
 * an event handler can report progress and stop on request, and so that C++
 * exceptions become an error outcome instead of escaping into Swift. It is called
 * with a process-wide lock held: CBC is not thread-safe.
 */

#ifdef __cplusplus
extern "C" {
#endif

/* A problem in compressed sparse columns; row indices are 0-based; infinite
   bounds are +-HUGE_VAL. */
typedef struct ccbc_problem {
    int num_rows;
    int num_cols;
    const int *col_starts;
    const int *row_indices;
    const double *values;
    const double *col_lower;
    const double *col_upper;
    const unsigned char *col_is_integer;
    const double *objective;
    int maximize;
    const double *row_lower;
    const double *row_upper;
} ccbc_problem;

typedef struct ccbc_progress {
    double elapsed_seconds;
    int has_incumbent;
    double incumbent; /* without the model's objective offset */
    int has_bound;
    double bound;     /* without the model's objective offset */
    long nodes;
    int improved;
} ccbc_progress;

/* Returning non-zero stops the search. */
typedef int (*ccbc_progress_fn)(const ccbc_progress *progress, void *context);

typedef struct ccbc_parameters {
    double time_limit_seconds;  /* <= 0: none */
    long node_limit;            /* <= 0: none; reaching it is reported as CCBC_TIME_LIMIT */
    long iteration_limit;       /* simplex iterations over the whole solve (`iterations` below),
                                   checked at each event of the search; <= 0: none; reported as
                                   CCBC_TIME_LIMIT */
    long hard_iteration_limit;  /* simplex iterations of every linear program of a branch and
                                   bound (its root too, where CBC reports no event), checked at
                                   each iteration; reaching it ends the solve as CCBC_TIME_LIMIT
                                   with neither solution nor bound; <= 0: none */
    double relative_gap;
    double absolute_gap;        /* < 0: none */
    int has_cutoff;
    double cutoff;              /* without the model's objective offset */
    const double *mip_start;    /* num_cols values, NaN where not given; or NULL */
    int log_level;
    int threads;                /* <= 1: CBC's default */
    int skip_preprocessing;     /* nonzero: CBC's CglPreProcess is not run */
    int repeatable;             /* nonzero: the solve must not depend on what the process did
                                   before; CBC's feasibility pump is not run (ccbc_session.cpp) */
    ccbc_progress_fn progress;
    void *progress_context;
} ccbc_parameters;

typedef enum ccbc_outcome {
    CCBC_OPTIMAL = 0,
    CCBC_INFEASIBLE,
    CCBC_UNBOUNDED,
    CCBC_TIME_LIMIT,
    CCBC_GAP_LIMIT,
    CCBC_INTERRUPTED,
    CCBC_SOLVER_FAILURE,
    CCBC_ERROR
} ccbc_outcome;

enum { CCBC_MESSAGE_CAPACITY = 1024 };

typedef struct ccbc_result {
    ccbc_outcome outcome;
    int status;            /* CbcModel::status(), or -1 for a pure LP */
    int secondary_status;  /* CbcModel::secondaryStatus() */
    int has_solution;
    int has_bound;
    double bound;          /* without the model's objective offset */
    long nodes;            /* branch-and-bound nodes, without those Clp searched whole for CBC
                              (CbcModel::getExtraNodeCount, read at the search's end), whose iterations count below */
    long iterations;       /* simplex iterations of every linear program the solve made:
                              preprocessing, the root's cut rounds, heuristics, strong
                              branching and nodes (CBC's own count leaves most out) */
    char message[CCBC_MESSAGE_CAPACITY];
} ccbc_result;

void ccbc_solve(const ccbc_problem *problem,
                const ccbc_parameters *parameters,
                double *values,
                ccbc_result *result);

#ifdef __cplusplus
}
#endif

#endif
