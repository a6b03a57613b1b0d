"""A Python compiler pass's use of Cosma: plan a graph, walk the plan as a code generator emits
code, replay it, and handle a bad graph.

    PYTHONPATH=PREFIX/lib/python python3 examples/python/plan.py graphs/tiny.json 5KiB [activations|all]
"""

import json
import sys

import cosma


def emit(plan: dict, sizes: dict) -> None:
    """Prints the DMA transfers and operator launches of a plan, with scratchpad addresses."""
    where: dict = {}
    for index, step in enumerate(plan["steps"], 1):
        print("step %d: %s" % (index, step["op"]))
        for name in step.get("store", []):
            print("  dma store  %-24s scratchpad[%d] -> dram (%d bytes)" % (name, where[name], sizes[name]))
        for name in step.get("free", []):
            print("  release    %s" % name)
            del where[name]
        for placed in step.get("load", []):
            where[placed["tensor"]] = placed["offset"]
            print("  dma load   %-24s dram -> scratchpad[%d] (%d bytes)" % (placed["tensor"], placed["offset"], sizes[placed["tensor"]]))
        print("  run        %s" % step["op"])
        for placed in step["outputs"]:
            where[placed["tensor"]] = placed["offset"]
            print("  output     %-24s scratchpad[%d]" % (placed["tensor"], placed["offset"]))
    for name in plan["final"]:
        print("final: dma store %s scratchpad[%d] -> dram" % (name, where[name]))


def main() -> int:
    path, capacity = sys.argv[1], sys.argv[2]
    tensors = sys.argv[3] if len(sys.argv) > 3 else "activations"
    print("libcosma", cosma.version())
    with open(path) as f:
        graph = json.load(f)
    plan = cosma.plan(graph, capacity=capacity, tensors=tensors)
    emit(plan, {t["name"]: t["bytes"] for t in graph["tensors"]})
    summary = plan.summary
    print("method %s, status %s" % (summary["method"], summary.get("solver", {}).get("status", "-")))
    print("traffic: total %d, non-compulsory %d" % (plan["traffic"]["total"], plan["traffic"]["nonCompulsory"]))
    report = cosma.simulate(graph, plan)
    print("cosma.simulate: %s" % ("valid" if report["valid"] else report["violations"]))
    try:
        cosma.plan({"name": "broken", "tensors": [], "operators": [], "outputs": ["y"]}, capacity=capacity)
        return 1
    except cosma.InputError as error:
        print("bad graph: %s (item %s; fix: %s)" % (error.message, error.item, error.fix))
    return 0 if report["valid"] else 1


if __name__ == "__main__":
    sys.exit(main())
