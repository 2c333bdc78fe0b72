"""Runs one module of CPython's regression test suite with unittest and reports the outcome as JSON.

The same file runs on plain CPython (``python3.11 run_module.py test_json result.json``) and inside
a PyHosting runtime (executed, then ``run_test_module('test_json')`` evaluated), so both sides
count in exactly the same way.
"""

import io
import json
import sys
import time
import traceback
import unittest


def _first_line(text):
    """The most telling line of a formatted exception: its last non-empty line (``Type: message``)."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    line = lines[-1].strip() if lines else ""
    return line[:300]


class _CountingResult(unittest.TestResult):
    """Keeps one outcome per test id (the worst of its subtests) and every fixture error."""

    _rank = {"passed": 0, "skipped": 1, "failed": 2, "errored": 3}

    def __init__(self, progress=None):
        super().__init__()
        self.progress = progress
        self.outcomes = {}
        self.details = {}
        self.fixture_errors = []

    def _set(self, test, outcome, detail=None):
        test_id = test.id()
        current = self.outcomes.get(test_id)
        if current is None or self._rank[outcome] > self._rank[current]:
            self.outcomes[test_id] = outcome
            if detail is not None:
                self.details[test_id] = detail

    def _log(self, *fields):
        if self.progress is not None:
            self.progress.write("\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
            self.progress.flush()

    def startTest(self, test):
        super().startTest(test)
        self.outcomes.setdefault(test.id(), "passed")
        self._log("start", test.id())

    def stopTest(self, test):
        super().stopTest(test)
        test_id = test.id()
        outcome = self.outcomes.get(test_id, "passed")
        self._log("done", test_id, outcome, self.details.get(test_id, "") if outcome != "passed" else "")

    def addError(self, test, err):
        super().addError(test, err)
        detail = _first_line(self.errors[-1][1])
        if isinstance(test, unittest.TestCase):
            self._set(test, "errored", detail)
        else:
            # setUpModule/setUpClass/tearDown*: a fixture, not a test (unittest's _ErrorHolder).
            self.fixture_errors.append({"id": str(test), "detail": detail})
            self._log("fixture", str(test), "fixture", detail)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "failed", _first_line(self.failures[-1][1]))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skipped", str(reason)[:300])

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            text = "".join(traceback.format_exception(*err))
            self._set(test, "failed" if failed else "errored", _first_line(text))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, "failed", "unexpected success")


def _guard(test, result):
    """Makes an exception that escapes a test's run (e.g. from IsolatedAsyncioTestCase's loop teardown, which
    unittest does not catch) an error of that test, so that the module's other tests still run."""
    run = test.run

    def guarded_run(result=None):
        try:
            return run(result)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: B902
            result.addError(test, sys.exc_info())
            result.escaped += 1
            result._log("done", test.id(), "errored", result.details.get(test.id(), ""))
            return None

    test.run = guarded_run


def _flatten(tests):
    for test in tests:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


def run_test_module(name, progress_path=None):
    """Imports ``test.<name>``, runs its tests, and returns the counts as a JSON string.

    A module with a ``test_main`` function (the legacy protocol, e.g. test_xml_etree) is run through it, as
    regrtest does, with the suites it hands to ``support.run_unittest`` run into the same result; any other
    module is loaded with unittest's loader (``load_tests`` included). With ``progress_path``, every test start
    and outcome is appended to that file as it happens, so that a run killed at its time limit still tells
    what ran and which test was running."""
    started = time.monotonic()
    report = {"module": name, "status": "ok", "run": 0, "passed": 0, "failed": 0, "errored": 0,
              "skipped": 0, "fixtureErrors": 0, "problems": [], "skips": {}, "skippedIds": []}
    try:
        import importlib
        from test import support
        support.verbose = 0
        # As `python -m test` without -u: tests that need a resource (network, cpu, largefile, ...) are skipped.
        support.use_resources = []
        module = importlib.import_module("test." + name)
    except BaseException as e:  # noqa: B902 - an import that fails is the module's result
        report["status"] = "import error"
        report["problems"].append({"id": "test." + name, "outcome": "import",
                                   "detail": _first_line("".join(traceback.format_exception(e)))})
        report["seconds"] = round(time.monotonic() - started, 2)
        return json.dumps(report)

    progress = open(progress_path, "w", encoding="utf-8") if progress_path else None
    result = _CountingResult(progress)
    result.escaped = 0

    def run_suite(suite):
        for test in _flatten(suite):
            if isinstance(test, unittest.TestCase):
                _guard(test, result)
        suite.run(result)

    try:
        if callable(getattr(module, "test_main", None)):
            support._run_suite = run_suite
            module.test_main()
        else:
            run_suite(unittest.defaultTestLoader.loadTestsFromModule(module))
    except BaseException as e:  # noqa: B902 - a run that stops half-way still reports what ran
        report["status"] = "aborted"
        report["problems"].append({"id": "test." + name, "outcome": "aborted",
                                   "detail": _first_line("".join(traceback.format_exception(e)))})

    for test_id, outcome in result.outcomes.items():
        report["run"] += 1
        report[outcome] += 1
        if outcome in ("failed", "errored"):
            report["problems"].append({"id": test_id, "outcome": outcome, "detail": result.details.get(test_id, "")})
        elif outcome == "skipped":
            reason = result.details.get(test_id, "")
            report["skips"][reason] = report["skips"].get(reason, 0) + 1
            report["skippedIds"].append(test_id)
    for error in result.fixture_errors:
        report["fixtureErrors"] += 1
        report["problems"].append({"id": error["id"], "outcome": "fixture", "detail": error["detail"]})
    report["seconds"] = round(time.monotonic() - started, 2)
    return json.dumps(report)


# Inside a PyHosting runtime the host executes this file and calls run_test_module itself.
if __name__ == "__main__" and not globals().get("EMBEDDED_IN_PYHOSTING"):
    output = run_test_module(sys.argv[1], sys.argv[3] if len(sys.argv) > 3 else None)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(output)
    # Threads or children a test left behind must not hold the process (and the runner) up.
    sys.stdout.flush()
    sys.stderr.flush()
    import os
    os._exit(0)
