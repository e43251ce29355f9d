"""Request/response plumbing shared by the peer runners.

A runner reads one JSON object ``{"cases": [...]}`` on standard input and writes
``{"results": [...]}`` on standard output, one result per case in the same order. A case
that fails gives ``{"id": ..., "error": "<one line>"}`` instead of stopping the others, so
the benchmark can say which comparison was skipped and why.
"""

import json
import sys
import traceback


def serve(run_case) -> None:
    """Apply ``run_case(case) -> dict`` to every case read from stdin; print the results."""
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            out = run_case(case)
        except Exception as exc:  # a peer crash becomes a reported skip, not a lost batch
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
            out = {"error": f"{type(exc).__name__}: {exc} ({where})"}
        out["id"] = case["id"]
        results.append(out)
    json.dump({"results": results}, sys.stdout)
