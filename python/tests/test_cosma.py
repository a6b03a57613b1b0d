"""Tests of the cosma module over libcosma (run from the repository root with the installed module
on PYTHONPATH, as `make test` does: python3 -m unittest discover -s python/tests)."""

import copy
import json
import threading
import unittest
from pathlib import Path

import cosma

ROOT = Path(__file__).resolve().parents[2]
TINY = str(ROOT / "graphs" / "tiny.json")
RESNET = str(ROOT / "graphs" / "resnet50.json")


def load(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


class PlanTests(unittest.TestCase):
    def test_version_names_the_formats(self):
        self.assertIn("cosma-plan/1", cosma.version())

    def test_tiny_from_a_path(self):
        plan = cosma.plan(TINY, capacity="5KiB")
        self.assertEqual(plan["format"], "cosma-plan/1")
        self.assertEqual(plan["traffic"], {"total": 3072, "compulsory": 3072, "nonCompulsory": 0})
        self.assertEqual(plan.summary["solver"]["status"], "optimal")
        self.assertEqual([s["op"] for s in plan["steps"]], ["conv1", "relu1"])
        self.assertFalse(plan.cancelled)

    def test_resnet50_with_weights_at_m_r_is_proven_optimal_and_replays(self):
        # No time limit: the proof, not the machine's speed, decides when the solver stops.
        plan = cosma.plan(RESNET, capacity="M_R", tensors="all", time_limit=None)
        self.assertEqual(plan.summary["solver"]["status"], "optimal")
        self.assertEqual(plan["traffic"]["nonCompulsory"], plan.summary["solver"]["bound"])
        report = cosma.simulate(RESNET, plan)
        self.assertTrue(report["valid"])
        self.assertEqual(report["traffic"], plan["traffic"])

    def test_a_graph_as_a_dictionary_without_format(self):
        graph = load(TINY)
        del graph["format"]
        plan = cosma.plan(graph, capacity=4096, method="heuristic")
        self.assertEqual(plan["graph"], "tiny")
        self.assertTrue(plan["method"].startswith("heuristic:"))

    def test_in_place_on_writes_over_a_dying_input(self):
        # tiny: relu1 may write y over a1, so 3072 bytes (x beside a1) suffice instead of 4096.
        plan = cosma.plan(TINY, capacity=3072, method="heuristic", in_place="on")
        self.assertEqual(plan["inPlace"], "on")
        self.assertEqual(plan["steps"][1]["outputs"][0]["inPlaceOf"], "a1")
        self.assertTrue(cosma.simulate(TINY, plan)["valid"])
        self.assertFalse(cosma.simulate(TINY, plan, in_place="off")["valid"])

    def test_exact_method_plans_in_place(self):
        # The joint program chooses the same write and proves the plan optimal.
        plan = cosma.plan(TINY, capacity=3072, method="exact", in_place="on", time_limit=None)
        self.assertEqual(plan["solver"]["status"], "optimal")
        self.assertEqual(plan["steps"][1]["outputs"][0]["inPlaceOf"], "a1")
        self.assertTrue(cosma.simulate(TINY, plan)["valid"])

    def test_two_threads_plan_different_graphs_at_once(self):
        plans = {}

        def run(path, capacity, tensors):
            plans[path] = cosma.plan(path, capacity=capacity, tensors=tensors)

        threads = [threading.Thread(target=run, args=(TINY, "5KiB", "activations")),
                   threading.Thread(target=run, args=(RESNET, "M_R", "all"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for path, plan in plans.items():
            self.assertTrue(cosma.simulate(path, plan)["valid"], path)
        self.assertEqual(len(plans), 2)

    def test_a_cancelled_plan_is_the_best_found_and_valid(self):
        # Cancelled before it starts, so the outcome does not depend on the machine's speed: the
        # solver stops at its first check and the best plan so far comes back, simulated.
        cancellation = cosma.Cancellation()
        cancellation.cancel()
        reports = []
        plan = cosma.plan(RESNET, capacity="M_R", tensors="all", progress=reports.append, cancellation=cancellation)
        self.assertTrue(plan.cancelled)
        self.assertTrue(cosma.simulate(RESNET, plan)["valid"])
        for report in reports:
            self.assertEqual(report["format"], "cosma-progress/1")


class SimulateTests(unittest.TestCase):
    def test_a_broken_plan_is_a_report_not_an_exception(self):
        plan = copy.deepcopy(cosma.plan(TINY, capacity="5KiB"))
        plan["steps"][0]["outputs"][0]["offset"] = 5000
        report = cosma.simulate(TINY, plan)
        self.assertFalse(report["valid"])
        self.assertTrue(report["violations"])
        self.assertEqual(report["format"], "cosma-simulation/1")

    def test_replay_at_another_capacity(self):
        plan = cosma.plan(TINY, capacity="5KiB")
        self.assertEqual(cosma.simulate(TINY, plan, capacity=8192)["capacity"], 8192)


class ErrorTests(unittest.TestCase):
    def assertInputError(self, call, item, words):
        with self.assertRaises(cosma.InputError) as caught:
            call()
        self.assertEqual(caught.exception.code, 2)
        self.assertEqual(caught.exception.item, item)
        self.assertIn(words, caught.exception.message)
        self.assertTrue(caught.exception.fix)

    def test_malformed_graph(self):
        self.assertInputError(lambda: cosma.plan('{"name": "x", "tensors": [', capacity=4096), "graph", "malformed JSON at line 1")

    def test_invalid_graph_from_a_file_names_the_file(self):
        self.assertInputError(lambda: cosma.plan(str(ROOT / "Tests" / "Fixtures" / "onnx" / "broken_not_onnx.json"), capacity=4096),
                              str(ROOT / "Tests" / "Fixtures" / "onnx" / "broken_not_onnx.json"), "broken_not_onnx.json")

    def test_missing_file(self):
        self.assertInputError(lambda: cosma.plan("no/such/graph.json", capacity=4096), "no/such/graph.json", "cannot be read")

    def test_capacity_below_m_r(self):
        self.assertInputError(lambda: cosma.plan(TINY, capacity=100), "tiny", "capacity 100 bytes is below M_R")

    def test_capacity_that_is_not_a_size(self):
        self.assertInputError(lambda: cosma.plan(TINY, capacity="5 parsecs"), "options.capacity", "5 parsecs")

    def test_unknown_method(self):
        self.assertInputError(lambda: cosma.plan(TINY, capacity=4096, method="magic"), "options", "method")

    def test_unknown_format_version(self):
        graph = load(TINY)
        graph["format"] = "cosma-graph/9"
        self.assertInputError(lambda: cosma.plan(graph, capacity=4096), "graph", "cosma-graph/9")

    def test_a_graph_passed_as_a_plan(self):
        self.assertInputError(lambda: cosma.simulate(TINY, TINY), TINY, "this is a graph")


class ImportTests(unittest.TestCase):
    def test_resnet50_imports_to_the_committed_graph(self):
        graph = cosma.import_onnx(ROOT / "models" / "onnx" / "resnet50.onnx", element_bytes=1)
        self.assertEqual(graph, load(RESNET))

    def test_a_file_that_is_not_onnx(self):
        with self.assertRaises(cosma.InputError) as caught:
            cosma.import_onnx(ROOT / "Tests" / "Fixtures" / "onnx" / "broken_random_bytes.onnx")
        self.assertIn("broken_random_bytes.onnx", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
