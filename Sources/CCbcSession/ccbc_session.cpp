#include "CCbcSession.h"

#include <CbcEventHandler.hpp>
#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <ClpEventHandler.hpp>
#include <ClpSimplex.hpp>
#include <CoinError.hpp>
#include <CoinTime.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

struct Watch {
    const ccbc_parameters *parameters;
    double started;
    bool had_incumbent = false;
    double last_incumbent = 0;
    bool stop_requested = false;
    bool stop_for_iterations = false;
    long simplex_iterations = 0;   /* every iteration of every linear program of the session */
    bool hard_stop = false;        /* hard_iteration_limit reached: CBC's answer is not to be trusted */
    long fathom_nodes = 0;         /* nodes of the subtrees Clp searched whole for the top model */
};

/* CbcMain1 solves a preprocessed clone of the model; CbcModel's copy constructor
   clones the event handler, so the watch is shared through a pointer. Heuristics run small
   branch and bounds of their own (sub-models, whose parentModel() is set) with clones of it too. */
class ProgressHandler : public CbcEventHandler {
public:
    explicit ProgressHandler(Watch *watch) : watch_(watch) {}
    ProgressHandler(const ProgressHandler &other) : CbcEventHandler(other), watch_(other.watch_) {}
    ProgressHandler &operator=(const ProgressHandler &) = delete;
    CbcEventHandler *clone() const override { return new ProgressHandler(*this); }

    CbcAction event(CbcEvent which) override {
        /* The count is read here because the model that searched (a preprocessed clone) keeps
           it, and does not hand it back to the caller's model with its other counts. */
        if (which == endSearch && model_ != nullptr && model_->parentModel() == nullptr)
            watch_->fathom_nodes += model_->getExtraNodeCount();
        if (watch_->hard_stop) return stop;
        /* CBC honours a stop only at these events. The iteration limit is checked at them alone,
           so that where a deterministic solve stops does not change; a root that alone exceeds
           it runs on, up to SimplexCounter's limit. */
        bool search = which == node || which == solution || which == heuristicSolution || which == treeStatus;
        /* The root's cut rounds and heuristics report these and ignore the answer: they are
           where a request to stop is heard in the root, which may run for seconds without any
           other event (a stop heard at the root's first incumbent used to wait for 40 more cut
           rounds, 0.3 s on a 50-column program). */
        bool root = which == generatedCuts || which == afterHeuristic;
        if (!search && !root) return noAction;
        if (search) {
            long limit = watch_->parameters->iteration_limit;
            if (limit > 0 && watch_->simplex_iterations >= limit) {
                watch_->stop_for_iterations = true;
                return stop;
            }
        }
        if (!watch_->stop_requested && report()) watch_->stop_requested = true;
        if (!watch_->stop_requested) return noAction;
        endNow();
        return stop;
    }

private:
    Watch *watch_;

    /* The model being solved: the event's model or the one its sub-model serves. A sub-model's
       bound is no bound of the whole program, and its nodes and incumbents are its own. */
    CbcModel *top() const {
        CbcModel *model = model_;
        while (model->parentModel() != nullptr) model = model->parentModel();
        return model;
    }

    /* Reports progress; returns whether the caller asks the search to stop. */
    bool report() {
        const ccbc_parameters *parameters = watch_->parameters;
        if (parameters->progress == nullptr || model_ == nullptr) return false;
        const CbcModel *model = top();
        ccbc_progress progress;
        std::memset(&progress, 0, sizeof progress);
        progress.elapsed_seconds = CoinGetTimeOfDay() - watch_->started;
        progress.has_incumbent = model->bestSolution() != nullptr;
        progress.incumbent = progress.has_incumbent ? model->getObjValue() : 0.0;
        double bound = model->getBestPossibleObjValue();
        progress.has_bound = std::isfinite(bound) && std::fabs(bound) < 1e50;
        progress.bound = progress.has_bound ? bound : 0.0;
        progress.nodes = model->getNodeCount();
        progress.improved = progress.has_incumbent &&
                            (!watch_->had_incumbent || progress.incumbent != watch_->last_incumbent);
        watch_->had_incumbent = progress.has_incumbent;
        watch_->last_incumbent = progress.incumbent;
        return parameters->progress(&progress, parameters->progress_context) != 0;
    }

    /* Ends the search the way CBC's own time limit does, the one stop that its root's cut loop
       and heuristics obey, keeping the incumbent: the event's model and every model it serves
       find their time up at their next check. */
    void endNow() {
        for (CbcModel *model = model_; model != nullptr; model = model->parentModel())
            model->setMaximumSeconds(-1.0);
    }
};

/* Counts the iterations of every linear program CBC solves (preprocessing, the root's cut rounds,
   heuristics, strong branching, nodes) and stops them all at hard_iteration_limit. CBC reports no
   event while it works on its root, so iteration_limit, checked at events, cannot stop a root:
   one root of 10,344 columns took 32,913 iterations under a limit of 150. Clp asks this handler
   after every iteration, and the clones CBC makes of the model (ClpModel's copy clones the
   handler) share the count through the watch. A linear program stopped here looks to CBC like
   one that failed, and it may prune on it; so once the limit is reached every later one is
   stopped too, and the shim reports neither CBC's bound nor its solution. */
class SimplexCounter : public ClpEventHandler {
public:
    explicit SimplexCounter(Watch *watch) : watch_(watch) {}
    SimplexCounter(const SimplexCounter &other) : ClpEventHandler(other), watch_(other.watch_) {}
    SimplexCounter &operator=(const SimplexCounter &) = delete;
    ClpEventHandler *clone() const override { return new SimplexCounter(*this); }

    int event(Event which) override {
        /* The base class answers some events with a code that is not "carry on" (`theta`),
           and Clp acts on it: answer those as it does, so that the count changes no path. */
        if (which != endOfIteration) return ClpEventHandler::event(which);
        watch_->simplex_iterations++;
        long limit = watch_->parameters->hard_iteration_limit;
        if (limit > 0 && watch_->simplex_iterations >= limit) watch_->hard_stop = true;
        return watch_->hard_stop ? 0 : -1;
    }

private:
    Watch *watch_;
};

void copy_message(ccbc_result *result, const std::string &text) {
    std::snprintf(result->message, sizeof result->message, "%s", text.c_str());
}

std::vector<double> finite(const double *values, int count) {
    std::vector<double> copy(values, values + count);
    for (double &value : copy) {
        if (value == HUGE_VAL) value = DBL_MAX;
        if (value == -HUGE_VAL) value = -DBL_MAX;
    }
    return copy;
}

/* Without integer variables CbcMain1 is not needed, and Clp's own statuses are clearer. */
void solve_linear(OsiClpSolverInterface &solver, const ccbc_parameters *parameters,
                  int num_cols, double *values, ccbc_result *result) {
    if (parameters->time_limit_seconds > 0)
        solver.getModelPtr()->setMaximumSeconds(parameters->time_limit_seconds);
    if (parameters->iteration_limit > 0)
        solver.getModelPtr()->setMaximumIterations(parameters->iteration_limit < INT_MAX ? (int)parameters->iteration_limit : INT_MAX);
    solver.initialSolve();
    result->iterations = solver.getModelPtr()->numberIterations();
    result->status = -1;
    result->secondary_status = solver.getModelPtr()->secondaryStatus();
    if (solver.isProvenOptimal()) {
        result->outcome = CCBC_OPTIMAL;
        std::memcpy(values, solver.getColSolution(), sizeof(double) * (size_t)num_cols);
        result->has_solution = 1;
        result->has_bound = 1;
        result->bound = solver.getObjValue();
    } else if (solver.isProvenPrimalInfeasible()) {
        result->outcome = CCBC_INFEASIBLE;
    } else if (solver.isProvenDualInfeasible()) {
        result->outcome = CCBC_UNBOUNDED;
    } else if (solver.getModelPtr()->hitMaximumIterations()) {
        result->outcome = CCBC_TIME_LIMIT;
    } else {
        result->outcome = CCBC_SOLVER_FAILURE;
    }
}

void solve_integer(OsiClpSolverInterface &solver, const ccbc_problem *problem,
                   const ccbc_parameters *parameters, Watch &watch, double *values,
                   ccbc_result *result) {
    SimplexCounter counter(&watch);
    solver.getModelPtr()->passInEventHandler(&counter);
    CbcModel model(solver);
    CbcSolverUsefulData data;
    data.noPrinting_ = parameters->log_level == 0;
    CbcMain0(model, data);
    model.setLogLevel(parameters->log_level);
    ProgressHandler handler(&watch);
    model.passInEventHandler(&handler);
    if (parameters->has_cutoff) model.setCutoff(parameters->cutoff);

    std::vector<std::string> names;
    std::vector<const char *> start_names;
    std::vector<double> start_values;
    if (parameters->mip_start != nullptr) {
        for (int j = 0; j < problem->num_cols; j++) {
            double value = parameters->mip_start[j];
            if (std::isnan(value)) continue;
            names.push_back(model.solver()->getColName(j));
            start_values.push_back(problem->col_is_integer[j] ? std::round(value) : value);
        }
        for (const std::string &name : names) start_names.push_back(name.c_str());
        model.setMIPStart((int)start_values.size(), start_names.data(), start_values.data());
    }

    std::vector<std::string> arguments = {"ccbc", "-log", std::to_string(parameters->log_level)};
    char number[64];
    if (parameters->time_limit_seconds > 0) {
        std::snprintf(number, sizeof number, "%.17g", parameters->time_limit_seconds);
        // CBC counts CPU seconds unless told otherwise; the limit we promise is wall-clock time,
        // which is what a user waits on a loaded machine.
        arguments.insert(arguments.end(), {"-timeMode", "elapsed", "-sec", number});
    }
    if (parameters->node_limit > 0) {
        std::snprintf(number, sizeof number, "%ld", parameters->node_limit);
        arguments.insert(arguments.end(), {"-maxNodes", number});
    }
    if (parameters->relative_gap > 0) {
        std::snprintf(number, sizeof number, "%.17g", parameters->relative_gap);
        arguments.insert(arguments.end(), {"-ratioGap", number});
    }
    if (parameters->absolute_gap >= 0) {
        std::snprintf(number, sizeof number, "%.17g", parameters->absolute_gap);
        arguments.insert(arguments.end(), {"-allowableGap", number});
    }
    if (parameters->threads > 1)
        arguments.insert(arguments.end(), {"-threads", std::to_string(parameters->threads)});
    if (parameters->skip_preprocessing) arguments.insert(arguments.end(), {"-preprocess", "off"});
    /* CBC 2.10.8's feasibility pump reads heap memory it never wrote: valgrind reports a
       conditional jump on an uninitialised value in CbcHeuristicFPump::solutionInternal, on an
       array that function allocates with new[]. So the pump's path, and the solve's iterations,
       depend on what earlier allocations of the process left in that memory. One segment program
       of #18's benchmark took 3,692 iterations in a fresh process, and 3,690 or 3,699 after one
       other solve in the same process (docs/planner.md, "Deterministic mode"). A repeatable solve
       goes without the pump. */
    if (parameters->repeatable) arguments.insert(arguments.end(), {"-feasibilityPump", "off"});
    arguments.insert(arguments.end(), {"-solve", "-quit"});
    std::vector<const char *> argv;
    for (const std::string &argument : arguments) argv.push_back(argument.c_str());

    CbcMain1((int)argv.size(), argv.data(), model, nullptr, data);

    result->status = model.status();
    result->secondary_status = model.secondaryStatus();
    /* The branch-and-bound nodes, which -maxNodes bounds. On a program of fewer than 500 rows
       and columns CBC hands subtrees below depth 10 to Clp, which searches them whole
       ("fathom took 296 nodes, 395 iterations"), and at the end adds those nodes to the count
       that getNodeCount reports, beyond -maxNodes: one covering program of 22 columns given 657
       nodes reported 17,361 in 0.46 s, and a work budget priced at a node each charged them 96
       units of the 100 they had. Their simplex iterations are counted below like any others. */
    result->nodes = std::max(0L, (long)model.getNodeCount() - watch.fathom_nodes);
    /* Not CBC's own count, which leaves out most of what the session solved: on seven
       instances of #18's benchmark it counted from 1/200 to 1/5 of the iterations, and none at
       all when the search ended in its root, where a solve spends most of its time. */
    result->iterations = watch.simplex_iterations;
    if (watch.hard_stop) {
        result->outcome = CCBC_TIME_LIMIT;
        return;
    }
    const double *best = model.bestSolution();
    if (best != nullptr) {
        std::memcpy(values, best, sizeof(double) * (size_t)problem->num_cols);
        result->has_solution = 1;
    }
    double bound = model.getBestPossibleObjValue();
    if (std::isfinite(bound) && std::fabs(bound) < 1e50) {
        result->has_bound = 1;
        result->bound = bound;
    }

    int status = result->status, secondary = result->secondary_status;
    if (watch.stop_for_iterations && status != 0) {
        result->outcome = CCBC_TIME_LIMIT;
    } else if (watch.stop_requested && status != 0) {
        result->outcome = CCBC_INTERRUPTED;
    } else if (secondary == 7 || model.isContinuousUnbounded()) {
        result->outcome = CCBC_UNBOUNDED;
    } else if (secondary == 2) {
        result->outcome = best != nullptr ? CCBC_GAP_LIMIT : CCBC_INFEASIBLE;
    } else if (status == 0) {
        result->outcome = best != nullptr ? CCBC_OPTIMAL : CCBC_INFEASIBLE;
    } else if (status == 1 && (secondary == 4 || secondary == 3)) {
        /* 4: the time limit, 3: the node limit */
        result->outcome = CCBC_TIME_LIMIT;
    } else if (status == 5 || (status == 1 && secondary == 5)) {
        result->outcome = CCBC_INTERRUPTED;
    } else if (model.isProvenInfeasible() || model.isInitialSolveProvenPrimalInfeasible()) {
        result->outcome = CCBC_INFEASIBLE;
    } else {
        result->outcome = CCBC_SOLVER_FAILURE;
    }
}

} // namespace

extern "C" void ccbc_solve(const ccbc_problem *problem, const ccbc_parameters *parameters,
                           double *values, ccbc_result *result) {
    std::memset(result, 0, sizeof *result);
    Watch watch{parameters, CoinGetTimeOfDay()};
    try {
        OsiClpSolverInterface solver;
        std::vector<double> col_lower = finite(problem->col_lower, problem->num_cols);
        std::vector<double> col_upper = finite(problem->col_upper, problem->num_cols);
        std::vector<double> row_lower = finite(problem->row_lower, problem->num_rows);
        std::vector<double> row_upper = finite(problem->row_upper, problem->num_rows);
        solver.loadProblem(problem->num_cols, problem->num_rows, problem->col_starts,
                           problem->row_indices, problem->values, col_lower.data(),
                           col_upper.data(), problem->objective, row_lower.data(),
                           row_upper.data());
        solver.setObjSense(problem->maximize ? -1.0 : 1.0);
        solver.messageHandler()->setLogLevel(parameters->log_level);
        solver.getModelPtr()->messageHandler()->setLogLevel(parameters->log_level);
        int integers = 0;
        for (int j = 0; j < problem->num_cols; j++) {
            if (problem->col_is_integer[j]) {
                solver.setInteger(j);
                integers++;
            }
        }
        if (integers == 0) {
            solve_linear(solver, parameters, problem->num_cols, values, result);
        } else {
            solve_integer(solver, problem, parameters, watch, values, result);
        }
    } catch (const CoinError &error) {
        result->outcome = CCBC_ERROR;
        result->has_solution = 0;
        copy_message(result, error.className() + "::" + error.methodName() + ": " + error.message());
    } catch (const std::exception &error) {
        result->outcome = CCBC_ERROR;
        result->has_solution = 0;
        copy_message(result, error.what());
    } catch (...) {
        result->outcome = CCBC_ERROR;
        result->has_solution = 0;
        copy_message(result, "unknown C++ exception");
    }
}
