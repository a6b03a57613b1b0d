#include "CGlpk.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Everything a session needs after a long jump lives in heap memory reached
 * through a pointer that never changes after setjmp, so nothing depends on the
 * indeterminate values of automatic variables.
 */
typedef struct session {
    jmp_buf jump;
    const cglpk_problem *problem;
    const cglpk_parameters *parameters;
    cglpk_result *result;
    double started;
    int verbose;
    char log[CGLPK_MESSAGE_CAPACITY];
    size_t log_length;
    int *indices;
    double *coefficients;
    double *start;             /* 1-based copy of the MIP start, when feasible */
    int start_offered;
    int stop_for_gap;
    int stop_requested;
    int stop_for_nodes;
    int stop_for_iterations;
    int last_had_incumbent;
    double last_incumbent;
    double best_bound;
    int has_best_bound;
    long nodes;
} session;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Keeps the tail of GLPK's output: the error text is the last thing printed. */
static int on_terminal(void *info, const char *text) {
    session *s = info;
    size_t length = strlen(text);
    size_t capacity = sizeof s->log - 1;
    if (length >= capacity) {
        text += length - capacity;
        length = capacity;
    }
    if (s->log_length + length > capacity) {
        size_t drop = s->log_length + length - capacity;
        memmove(s->log, s->log + drop, s->log_length - drop);
        s->log_length -= drop;
    }
    memcpy(s->log + s->log_length, text, length);
    s->log_length += length;
    s->log[s->log_length] = '\0';
    return s->verbose ? 0 : 1;
}

static void on_error(void *info) {
    session *s = info;
    longjmp(s->jump, 1);
}

static int column_type(double lower, double upper) {
    int has_lower = isfinite(lower), has_upper = isfinite(upper);
    if (has_lower && has_upper) return lower == upper ? GLP_FX : GLP_DB;
    if (has_lower) return GLP_LO;
    if (has_upper) return GLP_UP;
    return GLP_FR;
}

static double finite_or_zero(double value) { return isfinite(value) ? value : 0.0; }

/* GLPK trusts heuristic solutions blindly, so a start is checked here first. */
static int start_is_feasible(const cglpk_problem *p, const cglpk_parameters *parameters) {
    const double tolerance = 1e-6;
    const double *x = parameters->mip_start;
    for (int j = 0; j < p->num_cols; j++) {
        if (!isfinite(x[j])) return 0;
        if (x[j] < p->col_lower[j] - tolerance || x[j] > p->col_upper[j] + tolerance) return 0;
        if (p->col_is_integer[j] && fabs(x[j] - round(x[j])) > tolerance) return 0;
    }
    double *activity = calloc((size_t)p->num_rows + 1, sizeof(double));
    if (activity == NULL) return 0;
    double objective = p->objective_offset;
    for (int j = 0; j < p->num_cols; j++) {
        objective += p->objective[j] * x[j];
        for (int k = p->col_starts[j]; k < p->col_starts[j + 1]; k++)
            activity[p->row_indices[k]] += p->values[k] * x[j];
    }
    int feasible = 1;
    for (int i = 0; i < p->num_rows && feasible; i++) {
        double scale = 1.0 + fabs(activity[i]);
        if (activity[i] < p->row_lower[i] - tolerance * scale) feasible = 0;
        if (activity[i] > p->row_upper[i] + tolerance * scale) feasible = 0;
    }
    free(activity);
    if (feasible && parameters->has_cutoff) {
        double slack = tolerance * (1.0 + fabs(parameters->cutoff));
        if (p->maximize ? objective < parameters->cutoff - slack : objective > parameters->cutoff + slack)
            feasible = 0;
    }
    return feasible;
}

static void on_tree(glp_tree *tree, void *info) {
    session *s = info;
    glp_prob *lp = glp_ios_get_prob(tree);
    int reason = glp_ios_reason(tree);

    if (reason == GLP_IHEUR && s->start != NULL && !s->start_offered) {
        s->start_offered = 1;
        if (glp_ios_heur_sol(tree, s->start) == 0) s->result->mip_start_accepted = 1;
        return;
    }
    /* Checked at every callback, not only between nodes: cut rounds and heuristics spend
       iterations too. The count is the problem's, over the relaxation and the whole search. */
    if (s->parameters->iteration_limit > 0 && glp_get_it_cnt(lp) >= s->parameters->iteration_limit) {
        s->stop_for_iterations = 1;
        glp_ios_terminate(tree);
        return;
    }
    if (reason != GLP_ISELECT && reason != GLP_IBINGO) return;

    int active = 0, current = 0, total = 0;
    glp_ios_tree_size(tree, &active, &current, &total);
    s->nodes = total;
    int best = glp_ios_best_node(tree);
    if (best != 0) {
        s->best_bound = glp_ios_node_bound(tree, best);
        s->has_best_bound = 1;
    }

    cglpk_progress progress;
    memset(&progress, 0, sizeof progress);
    progress.elapsed_seconds = now_seconds() - s->started;
    progress.has_incumbent = glp_mip_status(lp) == GLP_FEAS || glp_mip_status(lp) == GLP_OPT;
    progress.incumbent = progress.has_incumbent ? glp_mip_obj_val(lp) : 0.0;
    progress.has_bound = s->has_best_bound;
    progress.bound = s->best_bound;
    progress.nodes = total;
    progress.improved = progress.has_incumbent &&
                        (!s->last_had_incumbent || progress.incumbent != s->last_incumbent);
    s->last_had_incumbent = progress.has_incumbent;
    s->last_incumbent = progress.incumbent;

    const cglpk_parameters *parameters = s->parameters;
    /* glp_iocp has no node limit; counting the tree's nodes here stops at the same node on any
       machine, where tm_lim would not. */
    if (parameters->node_limit > 0 && reason == GLP_ISELECT && total >= parameters->node_limit) {
        s->stop_for_nodes = 1;
        glp_ios_terminate(tree);
        return;
    }
    if (parameters->absolute_gap >= 0 && progress.has_incumbent && progress.has_bound &&
        fabs(progress.incumbent - progress.bound) <= parameters->absolute_gap) {
        s->stop_for_gap = 1;
        glp_ios_terminate(tree);
        return;
    }
    if (parameters->progress != NULL &&
        parameters->progress(&progress, parameters->progress_context) != 0) {
        s->stop_requested = 1;
        glp_ios_terminate(tree);
    }
}

static glp_prob *build(session *s) {
    const cglpk_problem *p = s->problem;
    const cglpk_parameters *parameters = s->parameters;
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, p->maximize ? GLP_MAX : GLP_MIN);
    glp_set_obj_coef(lp, 0, p->objective_offset);

    /* glp_simplex refuses a problem without rows, so an empty free row stands in. */
    int cutoff_row = parameters->has_cutoff ? p->num_rows + 1 : 0;
    int rows = p->num_rows + (parameters->has_cutoff ? 1 : 0);
    int placeholder_row = rows == 0;
    glp_add_rows(lp, rows + placeholder_row);
    for (int i = 0; i < p->num_rows; i++) {
        double lower = p->row_lower[i], upper = p->row_upper[i];
        glp_set_row_bnds(lp, i + 1, column_type(lower, upper), finite_or_zero(lower),
                         finite_or_zero(upper));
    }
    if (cutoff_row) {
        /* The objective row keeps every solution at least as good as the cutoff. */
        double bound = parameters->cutoff - p->objective_offset;
        if (p->maximize) glp_set_row_bnds(lp, cutoff_row, GLP_LO, bound, 0.0);
        else glp_set_row_bnds(lp, cutoff_row, GLP_UP, 0.0, bound);
    }
    if (placeholder_row) glp_set_row_bnds(lp, 1, GLP_FR, 0.0, 0.0);

    if (p->num_cols > 0) glp_add_cols(lp, p->num_cols);
    int longest = 0;
    for (int j = 0; j < p->num_cols; j++) {
        int length = p->col_starts[j + 1] - p->col_starts[j];
        if (length > longest) longest = length;
    }
    s->indices = malloc(sizeof(int) * (size_t)(longest + 2));
    s->coefficients = malloc(sizeof(double) * (size_t)(longest + 2));
    if (s->indices == NULL || s->coefficients == NULL) {
        glp_error("cglpk: out of memory\n");
    }
    for (int j = 0; j < p->num_cols; j++) {
        int column = j + 1;
        double lower = p->col_lower[j], upper = p->col_upper[j];
        glp_set_col_bnds(lp, column, column_type(lower, upper), finite_or_zero(lower),
                         finite_or_zero(upper));
        glp_set_obj_coef(lp, column, p->objective[j]);
        if (p->col_is_integer[j]) glp_set_col_kind(lp, column, GLP_IV);
        int length = 0;
        for (int k = p->col_starts[j]; k < p->col_starts[j + 1]; k++) {
            length++;
            s->indices[length] = p->row_indices[k] + 1;
            s->coefficients[length] = p->values[k];
        }
        if (cutoff_row && p->objective[j] != 0.0) {
            length++;
            s->indices[length] = cutoff_row;
            s->coefficients[length] = p->objective[j];
        }
        if (length > 0) glp_set_mat_col(lp, column, length, s->indices, s->coefficients);
    }
    return lp;
}

static int remaining_ms(const session *s) {
    int limit = s->parameters->time_limit_ms;
    if (limit < 0 || limit == INT_MAX) return limit;
    double used = (now_seconds() - s->started) * 1000.0;
    double left = (double)limit - used;
    return left < 1.0 ? 1 : (int)left;
}

static int message_level(const session *s) {
    switch (s->parameters->log_level) {
    case 0: return GLP_MSG_OFF;
    case 1: return GLP_MSG_ON;
    default: return GLP_MSG_ALL;
    }
}

static void copy_lp_solution(glp_prob *lp, const cglpk_problem *p, double *values, cglpk_result *r) {
    for (int j = 0; j < p->num_cols; j++) values[j] = glp_get_col_prim(lp, j + 1);
    r->has_solution = 1;
    r->objective = glp_get_obj_val(lp);
}

static void run(session *s, glp_prob *lp, double *values) {
    const cglpk_problem *p = s->problem;
    const cglpk_parameters *parameters = s->parameters;
    cglpk_result *r = s->result;

    /* The relaxation runs first without presolve so that glp_intopt can start from
       its optimal basis and its callback sees the original columns (needed for the MIP
       start and the progress numbers). */
    glp_smcp simplex;
    glp_init_smcp(&simplex);
    simplex.msg_lev = message_level(s);
    simplex.presolve = GLP_OFF;
    simplex.tm_lim = remaining_ms(s);
    if (parameters->iteration_limit > 0)
        simplex.it_lim = parameters->iteration_limit < INT_MAX ? (int)parameters->iteration_limit : INT_MAX;
    /* Rows mix 0/1 coefficients with sizes in capacity units; unscaled, the primal simplex
       has stopped on internal assertions (teta_lim >= 0) and returned no basis. glpsol scales
       by default too. */
    glp_scale_prob(lp, GLP_SF_AUTO);
    glp_adv_basis(lp, 0);
    int code = glp_simplex(lp, &simplex);
    r->glpk_code = code;
    if (code == GLP_ETMLIM || code == GLP_EITLIM) {
        r->outcome = CGLPK_TIME_LIMIT;
        return;
    }
    if (code != 0) {
        r->outcome = CGLPK_SOLVER_FAILURE;
        return;
    }
    switch (glp_get_status(lp)) {
    case GLP_OPT: break;
    case GLP_NOFEAS: r->outcome = CGLPK_INFEASIBLE; return;
    case GLP_UNBND: r->outcome = CGLPK_UNBOUNDED; return;
    default: r->outcome = CGLPK_SOLVER_FAILURE; return;
    }

    int integers = 0;
    for (int j = 0; j < p->num_cols; j++) integers += p->col_is_integer[j] ? 1 : 0;
    if (integers == 0) {
        r->outcome = CGLPK_OPTIMAL;
        copy_lp_solution(lp, p, values, r);
        r->has_bound = 1;
        r->bound = r->objective;
        return;
    }

    s->best_bound = glp_get_obj_val(lp);
    s->has_best_bound = 1;
    if (parameters->mip_start != NULL && start_is_feasible(p, parameters)) {
        s->start = malloc(sizeof(double) * ((size_t)p->num_cols + 1));
        if (s->start != NULL) {
            s->start[0] = 0.0;
            for (int j = 0; j < p->num_cols; j++)
                s->start[j + 1] = p->col_is_integer[j] ? round(parameters->mip_start[j])
                                                       : parameters->mip_start[j];
        }
    }

    glp_iocp search;
    glp_init_iocp(&search);
    search.msg_lev = message_level(s);
    search.presolve = GLP_OFF;
    search.tm_lim = remaining_ms(s);
    search.mip_gap = parameters->relative_gap;
    search.br_tech = GLP_BR_DTH;
    search.bt_tech = GLP_BT_BLB;
    search.fp_heur = GLP_ON;
    search.mir_cuts = GLP_ON;
    search.cov_cuts = GLP_ON;
    search.clq_cuts = GLP_ON;
    search.cb_func = on_tree;
    search.cb_info = s;
    code = glp_intopt(lp, &search);
    r->glpk_code = code;
    r->nodes = s->nodes;

    int status = glp_mip_status(lp);
    if (status == GLP_OPT || status == GLP_FEAS) {
        for (int j = 0; j < p->num_cols; j++) values[j] = glp_mip_col_val(lp, j + 1);
        r->has_solution = 1;
        r->objective = glp_mip_obj_val(lp);
    }
    r->has_bound = s->has_best_bound;
    r->bound = s->best_bound;

    switch (code) {
    case 0:
        if (status == GLP_OPT) {
            r->outcome = CGLPK_OPTIMAL;
            r->has_bound = 1;
            r->bound = r->objective;
        } else if (status == GLP_NOFEAS) {
            r->outcome = CGLPK_INFEASIBLE;
        } else {
            r->outcome = CGLPK_SOLVER_FAILURE;
        }
        break;
    case GLP_EMIPGAP: r->outcome = CGLPK_GAP_LIMIT; break;
    case GLP_ETMLIM: r->outcome = CGLPK_TIME_LIMIT; break;
    case GLP_ESTOP:
        if (s->stop_for_nodes || s->stop_for_iterations)
            r->outcome = CGLPK_TIME_LIMIT;
        else
            r->outcome = s->stop_for_gap && !s->stop_requested ? CGLPK_GAP_LIMIT : CGLPK_INTERRUPTED;
        break;
    default: r->outcome = CGLPK_SOLVER_FAILURE; break;
    }
}

void cglpk_solve(const cglpk_problem *problem, const cglpk_parameters *parameters,
                 double *values, cglpk_result *result) {
    memset(result, 0, sizeof *result);
    session *const s = calloc(1, sizeof(session));
    if (s == NULL) {
        result->outcome = CGLPK_ERROR;
        strcpy(result->message, "cglpk: out of memory");
        return;
    }
    s->problem = problem;
    s->parameters = parameters;
    s->result = result;
    s->verbose = parameters->log_level > 0;
    s->started = now_seconds();

    if (setjmp(s->jump) == 0) {
        glp_term_hook(on_terminal, s);
        glp_error_hook(on_error, s);
        glp_prob *lp = build(s);
        run(s, lp, values);
        result->iterations = glp_get_it_cnt(lp);
        glp_delete_prob(lp);
    } else {
        result->outcome = CGLPK_ERROR;
        result->has_solution = 0;
    }
    /* Frees whatever an error left behind and this thread's GLPK state, hooks included,
       so pooled threads neither leak nor keep a hook pointing at a dead session. */
    glp_free_env();

    result->seconds = now_seconds() - s->started;
    memcpy(result->message, s->log, s->log_length + 1);
    free(s->indices);
    free(s->coefficients);
    free(s->start);
    free(s);
}

const char *cglpk_version(void) { return glp_version(); }
