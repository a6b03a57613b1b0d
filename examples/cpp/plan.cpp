// A C++ code generator's use of libcosma: RAII over the library's strings, exceptions for its
// errors, two graphs planned on two threads at once, each plan walked and replayed.
//
//   c++ -std=c++17 plan.cpp $(pkg-config --cflags --libs cosma) -pthread -o plan
//   ./plan graphs/tiny.json 5KiB graphs/resnet50.json M_R all
#include <cosma.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "../c/json_reader.h"

namespace {

// A string owned by libcosma, freed with cosma_free.
using CosmaString = std::unique_ptr<char, decltype(&cosma_free)>;

// A parsed document, freed with json_free.
using Json = std::unique_ptr<json_node, decltype(&json_free)>;

struct CosmaError : std::runtime_error {
    int code;
    CosmaError(int code, const std::string &message) : std::runtime_error(message), code(code) {}
};

// Calls a libcosma function and returns its answer; codes other than 0 throw with the message.
template <typename Call>
std::string call(Call &&function) {
    char *raw = nullptr;
    int code = function(&raw);
    CosmaString answer(raw, cosma_free);
    if (code != 0) {
        Json error(json_parse(answer.get()), json_free);
        throw CosmaError(code, json_text(json_get(error.get(), "error"), "message"));
    }
    return answer.get();
}

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Job {
    std::string graph_path, capacity, tensors;
    std::string listing;  // what the code generator emitted
    long long traffic = -1;
    std::string failure;

    Job(std::string graph, std::string capacity, std::string tensors)
        : graph_path(std::move(graph)), capacity(std::move(capacity)), tensors(std::move(tensors)) {}
};

// Plans one graph, emits its steps and replays the plan; records the outcome in the job.
void run(Job &job) {
    try {
        std::string graph = read_file(job.graph_path);
        std::string options = "{\"capacity\": \"" + job.capacity + "\", \"tensors\": \"" + job.tensors + "\"}";
        std::string result = call([&](char **out) { return cosma_plan(graph.c_str(), options.c_str(), out); });
        Json answer(json_parse(result.c_str()), json_free);
        const json_node *plan = json_get(answer.get(), "plan");
        std::ostringstream out;
        for (const json_node *step = json_get(plan, "steps")->child; step; step = step->next) {
            out << json_text(step, "op") << ":";
            if (const json_node *store = json_get(step, "store"))
                for (const json_node *t = store->child; t; t = t->next) out << " store " << t->text;
            if (const json_node *freed = json_get(step, "free"))
                for (const json_node *t = freed->child; t; t = t->next) out << " free " << t->text;
            if (const json_node *load = json_get(step, "load"))
                for (const json_node *p = load->child; p; p = p->next)
                    out << " load " << json_text(p, "tensor") << "@" << json_int(p, "offset");
            for (const json_node *p = json_get(step, "outputs")->child; p; p = p->next)
                out << " out " << json_text(p, "tensor") << "@" << json_int(p, "offset");
            out << "\n";
        }
        job.listing = out.str();
        job.traffic = json_int(json_get(json_get(answer.get(), "summary"), "traffic"), "total");
        std::string plan_text(plan->start, plan->end);
        call([&](char **out) { return cosma_simulate(graph.c_str(), plan_text.c_str(), nullptr, out); });
    } catch (const std::exception &error) {
        job.failure = error.what();
    }
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 7) {
        std::cerr << "usage: " << argv[0] << " GRAPH1 CAPACITY1 TENSORS1 GRAPH2 CAPACITY2 TENSORS2\n";
        return 2;
    }
    std::cout << "libcosma " << cosma_version() << "\n";
    Job jobs[2] = {{argv[1], argv[2], argv[3]}, {argv[4], argv[5], argv[6]}};
    // Two graphs planned at once, from two threads of one process.
    std::thread first(run, std::ref(jobs[0])), second(run, std::ref(jobs[1]));
    first.join();
    second.join();
    int status = 0;
    for (const Job &job : jobs) {
        if (!job.failure.empty()) {
            std::cout << job.graph_path << ": " << job.failure << "\n";
            status = 1;
            continue;
        }
        std::cout << job.graph_path << " (" << job.tensors << " at " << job.capacity << ")\n" << job.listing;
        std::cout << "traffic: total " << job.traffic << ", valid in cosma_simulate\n";
    }
    try {
        call([](char **out) { return cosma_plan("{\"name\": 3}", "{\"capacity\": 4096}", out); });
        status = 1;
    } catch (const CosmaError &error) {
        std::cout << "malformed graph: code " << error.code << ", " << error.what() << "\n";
        if (error.code != 2) status = 1;
    }
    return status;
}
