#!/usr/bin/env python3
"""Summarise journals of `cosma bench divide-and-conquer` side by side (offline; standard library).

Each argument is LABEL=FOLDER, a journal folder (its journal*.jsonl files). For every journal the
script prints one Markdown row: instances run, mean and largest gap to the bound over all of them
and over those where a heuristic or the plan spills, instances above 25%, plans worse than the
best heuristic, and the slowest and median wall time. With --instances it also prints, for the
instances where any journal's plan spills, each journal's traffic and bound side by side.

Used for results/divide-and-conquer-ablation.md, whose journals came from different commits (the
ideas cannot be switched off one by one in one binary).
"""
import json
import statistics
import sys
from pathlib import Path


def rows(folder):
    result = {}
    for path in sorted(Path(folder).glob("journal*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                result[entry["instance"]] = entry["row"]
    return result


def gap(row):
    return 0.0 if row["traffic"] == 0 else (row["traffic"] - row["bound"]) / row["traffic"]


def summary(label, journal, common):
    runs = [journal[k] for k in common]
    spilling = [r for r in runs if r["traffic"] > 0 or (r.get("bestHeuristic") or 0) > 0]
    gaps = [gap(r) for r in runs]
    spill_gaps = [gap(r) for r in spilling]
    worse = sum(1 for r in runs if r.get("bestHeuristic") is not None and r["traffic"] > r["bestHeuristic"])
    walls = [r["wall"] for r in runs]
    pct = lambda x: f"{100 * x:.1f}%"
    return (f"| {label} | {len(runs)} | {pct(statistics.mean(gaps))} | {pct(statistics.mean(spill_gaps)) if spill_gaps else '-'} "
            f"| {pct(max(gaps))} | {sum(1 for g in gaps if g > 0.25)} | {worse} | {statistics.median(walls):.1f} | {max(walls):.1f} |")


def main(argv):
    detail = "--instances" in argv
    pairs = [a.split("=", 1) for a in argv if a != "--instances"]
    journals = [(label, rows(folder)) for label, folder in pairs]
    common = sorted(set.intersection(*(set(j) for _, j in journals)))
    print(f"Over the {len(common)} instances every journal ran.\n")
    print("| journal | instances | mean gap | mean gap where something spills | largest gap | above 25% | worse than the best heuristic | median wall s | slowest wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, journal in journals:
        print(summary(label, journal, common))
    if detail:
        print("\n| instance | " + " | ".join(f"{label}: traffic / bound" for label, _ in journals) + " |")
        print("|---|" + "---:|" * len(journals))
        for key in common:
            if all(j[key]["traffic"] == 0 for _, j in journals):
                continue
            cells = [f"{j[key]['traffic']:,} / {j[key]['bound']:,}" for _, j in journals]
            print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
