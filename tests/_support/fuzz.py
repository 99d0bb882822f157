"""The harness of the fuzz suite (``tests/core/test_core_fuzz.py``).

One call of a public entry point goes through :func:`call` (or :func:`call_cli` for the
command line). It runs the call under

- a time limit (``signal.setitimer``; a call past :data:`TIME_LIMIT` seconds is a hang),
- an address-space limit (``resource.RLIMIT_AS``: the process's current size plus
  :data:`MEMORY_HEADROOM` bytes), so that work which should have been refused before it
  started ends in ``MemoryError`` (a failure) instead of exhausting the machine,
- the warning filters of the test run (``pyproject.toml`` turns a ``RuntimeWarning``
  raised in the package, e.g. numpy's overflow or complex-cast warnings, into an error),

and classifies the outcome:

``ok``
    a result (for a call on valid input, checked for NaN in its float arrays);
``named``
    an exception of the package's hierarchy (:class:`PipelineGamesError` and subclasses,
    including ``InvalidParameterError`` and ``MissingExtraError``);
``outside``
    any other exception (a raw numpy/scipy/Python error, ``MemoryError``,
    ``RecursionError``, a ``RuntimeWarning`` turned into an error by the test settings);
``hang``
    the time limit was reached;
``nan``
    a call on finite valid input returned NaN where its contract does not allow it. By
    default any NaN in any float reachable from the result fails; a caller narrows that
    only where a result documents NaN as "not defined": ``nan_allowed`` (a predicate on the
    path, e.g. a stochastic bargain's offers where no deal is reached), or ``nan_finder``
    for point-wise contracts: :func:`case_nan_paths` allows a NaN in a case output only at
    the points its adapter marks as not defined (:data:`CASE_UNDEFINED`: no price where
    ``agreement`` is False, no loan gains where ``governance_form`` is "not viable", ...),
    :func:`check_nan_paths` a claim's robustness only where no sample is defined.
    ``check_nan=True`` judges a hostile call too, when its input passed a gate meant to
    refuse invalid input (a mutated case file that loaded);
``cli``
    the command line printed a traceback, exited with a code other than 2 on a user error,
    or printed ``--json`` output that is not strict JSON.

Every call is counted in :data:`STATS` (per entry point and in total, hostile calls
separately); the fuzz module prints the totals at the end of the session and writes them
to ``fuzz-summary.json`` in pytest's temporary base folder.

A failure is raised as ``AssertionError`` unless it matches a *known issue* (a finding in
code this suite's author could not change), passed as ``known``: then it is counted as
``known`` and the call passes; the known issue has its own ``xfail`` test reproducing it.
With the environment variable ``PG_FUZZ_SURVEY=1`` no failure is raised at all (every
outcome is only counted and the distinct failures are listed in the summary): the mode for
measuring how many calls end outside the hierarchy.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import resource
import signal
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline_games.errors import PipelineGamesError

#: Seconds a single call may take.
TIME_LIMIT = float(os.environ.get("PG_FUZZ_TIME_LIMIT", "10"))
#: Bytes a call may allocate beyond the process's size when it starts.
MEMORY_HEADROOM = 3 * 2**30
SURVEY = os.environ.get("PG_FUZZ_SURVEY", "") not in ("", "0")

SRC = str(Path(__import__("pipeline_games").__file__).resolve().parent)


class Hang(BaseException):
    """Raised by the watchdog in the call that ran past the time limit."""


@dataclass(frozen=True)
class Known:
    """A known finding outside this suite's author's area: matched by the exception type's
    name and the package file (relative to ``src/pipeline_games``) where it was raised; or,
    with ``exception="cli"``, by a fragment of the command line and the problem found."""

    id: str
    exception: str
    where: str
    reason: str

    def matches(self, outcome: Outcome) -> bool:
        if self.exception == "cli":  # a command-line check: matched on argv and the problem
            return outcome.kind == "cli" and self.where in outcome.detail
        return outcome.exception in self.exception.split("|") and self.where in outcome.where


@dataclass
class Outcome:
    entry: str
    kind: str  # ok | named | outside | hang | nan | cli
    hostile: bool
    exception: str = ""
    message: str = ""
    where: str = ""
    value: Any = None
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.kind in ("outside", "hang", "nan", "cli")

    def describe(self) -> str:
        text = f"{self.entry}: {self.kind}"
        if self.exception:
            text += f" {self.exception}: {self.message[:300]}"
        if self.where:
            text += f" [at {self.where}]"
        if self.detail:
            text += f" ({self.detail[:300]})"
        return text


@dataclass
class Stats:
    calls: Counter = field(default_factory=Counter)  # kind -> count, all calls
    hostile: Counter = field(default_factory=Counter)  # kind -> count, hostile calls
    per_entry: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)  # signature -> (n, text)

    def record(self, outcome: Outcome, known: bool) -> None:
        kind = "known" if known else outcome.kind
        self.calls[kind] += 1
        if outcome.hostile:
            self.hostile[kind] += 1
        self.per_entry[outcome.entry][kind] += 1
        if outcome.failed:
            signature = f"{outcome.entry}|{outcome.kind}|{outcome.exception}|{outcome.where}"
            text = ("[known] " if known else "") + outcome.describe()
            count, text = self.failures.get(signature, (0, text))
            self.failures[signature] = (count + 1, text)

    def summary(self) -> dict[str, Any]:
        outside_kinds = ("outside", "hang", "nan", "cli", "known")
        return {
            "calls": sum(self.calls.values()),
            "hostile_calls": sum(self.hostile.values()),
            "hostile_outside_hierarchy": self.hostile["outside"] + self.hostile["known"],
            "hostile_failed": sum(self.hostile[k] for k in outside_kinds),
            "by_outcome": dict(self.calls),
            "hostile_by_outcome": dict(self.hostile),
            "entries": len(self.per_entry),
            "distinct_failures": [
                {"count": n, "failure": text}
                for n, text in sorted(self.failures.values(), key=lambda x: -x[0])
            ],
        }


STATS = Stats()


# -- running one call -----------------------------------------------------------------------
def _where(error: BaseException) -> str:
    """``file:line in function`` of the deepest frame inside the package (relative path)."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if f.filename.startswith(SRC)]
    frame = inside[-1] if inside else (frames[-1] if frames else None)
    if frame is None:
        return ""
    name = frame.filename[len(SRC) + 1 :] if frame.filename.startswith(SRC) else frame.filename
    return f"{name}:{frame.lineno} in {frame.name}"


def _control(error: BaseException) -> bool:
    """Exceptions of the test machinery itself (hypothesis, pytest, Ctrl-C): never judged."""
    module = type(error).__module__
    return isinstance(error, KeyboardInterrupt) or module.startswith(("hypothesis", "_pytest"))


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang("call ran past its time limit")


@contextlib.contextmanager
def guarded(time_limit: float | None = None) -> Iterable[None]:
    """Time limit + address-space limit + warnings off, for the duration of one call."""
    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as handle:
            size = int(handle.read().split()[0]) * resource.getpagesize()
        limit = size + MEMORY_HEADROOM
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    signal.setitimer(signal.ITIMER_REAL, time_limit or TIME_LIMIT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def float_arrays(value: Any, path: str = "", depth: int = 0) -> Iterable[tuple[str, np.ndarray]]:
    """Every float array (or float) reachable from a result, with a path for messages."""
    if depth > 6:
        return
    if isinstance(value, float | np.floating):
        yield path, np.asarray(value)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            yield path, value
        elif value.dtype == object and value.size <= 10_000:
            for index, item in enumerate(value.flat):
                yield from float_arrays(item, f"{path}[{index}]", depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            if f.name.startswith("_") or f.name in ("case", "game", "space"):
                continue
            yield from float_arrays(getattr(value, f.name, None), f"{path}.{f.name}", depth + 1)
    elif isinstance(value, Mapping):
        for key, item in list(value.items())[:10_000]:
            yield from float_arrays(item, f"{path}[{key!r}]", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value[:10_000]):
            yield from float_arrays(item, f"{path}[{index}]", depth + 1)


def nan_paths(value: Any, allowed: Callable[[str], bool] = lambda path: False) -> list[str]:
    found = []
    for path, array in float_arrays(value):
        if allowed(path):
            continue
        if np.isnan(array).any():
            found.append(path)
    return found


# -- what a case may leave undefined ------------------------------------------------------------
# A case's outputs use NaN for "not defined" (claims then say "not defined"): no price without a
# deal, no loan gains where the loan is not viable, and so on. Each such output is listed here
# with the points where it may be NaN: a predicate on the other outputs of the same epoch (the
# adapter's own marker of the state, e.g. ``agreement`` or ``governance_form``). Any other NaN
# in a case's outputs, for finite valid input, is a failure.
def _flag(outputs: Mapping[str, Any], name: str, test: Callable[[Any], Any]) -> Any:
    if name not in outputs:
        return False
    array = np.asarray(outputs[name])
    if array.dtype.kind in "fc":
        return test(array) | np.isnan(array)  # the marker itself not defined
    return test(array)


def _no_deal(o: Mapping[str, Any]) -> Any:
    return _flag(o, "agreement", lambda a: ~a.astype(bool))


def _not_viable(o: Mapping[str, Any]) -> Any:
    return _flag(o, "governance_form", lambda a: a == "not viable")


def _not_converged(o: Mapping[str, Any]) -> Any:
    return _flag(o, "timing_converged", lambda a: ~a.astype(bool))


def _role_unused(role: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda o: _flag(o, f"net_{role}_volume", lambda a: ~(a > 0))


def _absent(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """A role the case does not have: the whole output is NaN."""
    return lambda o: bool(np.isnan(np.asarray(o[name], dtype=np.float64)).all())


CASE_UNDEFINED: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    # no deal: no price, no shares (oil_trade, bargaining, the linked network)
    **dict.fromkeys(
        ["price", "buyer_share", "seller_share", "net_price", "net_buyer_share"], _no_deal
    ),
    "net_seller_share": _no_deal,
    # oil_trade: no alternating-offers deal (no deal, or a price set by an index, which
    # reports no binding option) and no alternative outlet (then no outside option)
    "bargained_price": lambda o: _no_deal(o) | _flag(o, "binding", lambda a: a == 0),
    "seller_alt_margin": lambda o: _flag(o, "seller_outside_option", lambda a: a == 0),
    # loan_for_oil: the technology cannot be calibrated where the loan is not viable
    **dict.fromkeys(
        ["loan_gain_buyer", "loan_gain_seller", "loan_gain_min", "loan_surplus_gain"],
        _not_viable,
    ),
    # loan_for_oil: no margin (then also not viable)
    "loan_specificity": _not_viable,
    "loan_debt_service": _not_viable,
    "loan_debt_share": _not_viable,
    # timing: the Markov chain's iteration did not converge; no agreement ever
    **dict.fromkeys(
        ["agrees_at_once", "agreement_by_year", "agreement_probability"], _not_converged
    ),
    "expected_agreement_year": lambda o: (
        _not_converged(o) | _flag(o, "agreement_probability", lambda a: ~(a > 0))
    ),
    # the linked network: a rival's or side deal's price and share where it carries no flow;
    # the roles the case does not have
    **{
        f"net_{role}_{what}": _role_unused(role)
        for role in ("rival", "side")
        for what in ("price", "seller_share")
    },
    **{
        name: _absent(name)
        for name in (
            "net_rival_volume",
            "net_side_volume",
            "net_rival_payoff",
            "net_rival_shapley_share",
            "net_transit_payoff",
            "net_transit_shapley_share",
        )
    },
}


def case_outputs(result: Any) -> dict[Any, dict[str, Any]] | None:
    """A case result's outputs by epoch: ``CaseSolution.outputs``, or the ``quantity@year``
    columns of ``Case.evaluate`` (``None`` for anything else)."""
    outputs = getattr(result, "outputs", None)
    if isinstance(outputs, Mapping):
        return {year: dict(values) for year, values in outputs.items()}
    if isinstance(result, Mapping) and result and all("@" in str(k) for k in result):
        by_year: dict[Any, dict[str, Any]] = defaultdict(dict)
        for key, value in result.items():
            quantity, _, year = str(key).rpartition("@")
            by_year[year][quantity] = value
        return dict(by_year)
    return None


def case_nan_paths(result: Any) -> list[str]:
    """NaN in a case's outputs that no entry of :data:`CASE_UNDEFINED` explains."""
    by_year = case_outputs(result)
    if by_year is None:
        return nan_paths(result)
    found = []
    for year, outputs in by_year.items():
        for name, value in outputs.items():
            array = np.asarray(value)
            if array.dtype.kind not in "fc":
                continue
            nan = np.isnan(array)
            if not nan.any():
                continue
            rule = CASE_UNDEFINED.get(name)
            allowed = np.broadcast_to(rule(outputs), nan.shape) if rule else False
            if (nan & ~allowed).any():
                found.append(f"[{year}][{name!r}]")
    return found


def check_nan_paths(result: Any) -> list[str]:
    """NaN in a ``CheckResult`` that its contract does not explain: a claim's robustness (and
    its error) is NaN only where no sample is defined, the numbers behind the verdict only
    where the verdict is "not defined", the shares only without samples."""
    results = getattr(result, "results", None)
    if results is None:
        return nan_paths(result)
    found = []
    for index, item in enumerate(results):
        no_samples = not item.samples
        allowed = {
            "robustness": no_samples or not item.defined > 0,
            "robustness_error": no_samples or not item.defined > 0,
            "defined": no_samples,
            "no_deal": no_samples,
            "details": item.verdict == "not defined",
        }
        for name, ok in allowed.items():
            if not ok and nan_paths(getattr(item, name)):
                found.append(f".results[{index}].{name}")
    return found


def _exercise(result: Any) -> None:
    """Representations every result supports (part of the call: they may fail too)."""
    from pipeline_games._results import Result

    if isinstance(result, Result):
        repr(result)
        result.to_dict()


def call(
    entry: str,
    function: Callable[..., Any],
    *args: Any,
    hostile: bool,
    known: Iterable[Known] = (),
    nan_allowed: Callable[[str], bool] = lambda path: False,
    check_nan: bool | None = None,
    nan_finder: Callable[[Any], list[str]] | None = None,
    **kwargs: Any,
) -> Outcome:
    """Run ``function(*args, **kwargs)`` under the guards; record and judge the outcome."""
    try:
        with guarded():
            result = function(*args, **kwargs)
            _exercise(result)
    except Hang as error:
        outcome = Outcome(entry, "hang", hostile, "Hang", str(error), _where(error))
    except PipelineGamesError as error:
        outcome = Outcome(entry, "named", hostile, type(error).__name__, str(error))
    except BaseException as error:
        if _control(error):
            raise
        outcome = Outcome(
            entry, "outside", hostile, type(error).__name__, str(error), _where(error)
        )
    else:
        outcome = Outcome(entry, "ok", hostile, value=result)
        # NaN is judged for valid input; ``check_nan=True`` judges a hostile call too (its
        # input passed a gate that refuses what is invalid, e.g. a case file that loaded)
        if check_nan or (check_nan is None and not hostile):
            paths = nan_finder(result) if nan_finder else nan_paths(result, nan_allowed)
            if paths:
                outcome.kind = "nan"
                outcome.detail = "NaN in " + ", ".join(paths[:5])
    judge(outcome, known)
    return outcome


def judge(outcome: Outcome, known: Iterable[Known] = ()) -> None:
    is_known = outcome.failed and any(k.matches(outcome) for k in known)
    STATS.record(outcome, is_known)
    if outcome.failed and not is_known and not SURVEY:
        raise AssertionError(outcome.describe())


# -- the command line -------------------------------------------------------------------------
def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def call_cli(
    argv: list[str],
    *,
    hostile: bool,
    known: Iterable[Known] = (),
    entry: str = "cli.main",
    time_limit: float | None = None,
) -> Outcome:
    """Run ``pipeline_games.cli.main(argv)``; judge exit code, traceback and JSON."""
    from pipeline_games.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    code: Any = None
    try:
        with (
            guarded(time_limit),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse: usage errors exit 2, --help exits 0
                code = exit_.code
    except Hang as error:
        outcome = Outcome(
            entry, "hang", hostile, "Hang", str(error), _where(error), detail=" ".join(argv)
        )
        judge(outcome, known)
        return outcome
    except BaseException as error:
        if _control(error):
            raise
        kind = "named" if isinstance(error, PipelineGamesError) else "outside"
        # main() must catch the package's errors itself: an escaped one is a traceback
        outcome = Outcome(
            entry,
            "cli" if kind == "named" else "outside",
            hostile,
            type(error).__name__,
            str(error),
            _where(error),
            detail=" ".join(argv),
        )
        judge(outcome, known)
        return outcome
    out, err = stdout.getvalue(), stderr.getvalue()
    problems = []
    if "Traceback (most recent call last)" in out + err:
        problems.append("printed a traceback")
    if code not in (0, 1, 2):
        problems.append(f"exit code {code!r}")
    if hostile and code != 2:
        problems.append(f"user error exited {code!r}, not 2")
    if code == 0 and "--json" in argv:
        try:
            _strict_json(out)
        except ValueError as error:
            problems.append(f"--json output is not strict JSON: {error}")
    outcome = Outcome(
        entry,
        "cli" if problems else ("ok" if code in (0, 1) else "named"),
        hostile,
        message=err.strip()[-300:],
        detail=" ".join(argv) + ("; " + "; ".join(problems) if problems else ""),
        value=(code, out, err),
    )
    judge(outcome, known)
    return outcome


def finite(value: Any) -> bool:
    """Whether every number in ``value`` is finite (so NaN in the result is a failure)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return True
    return bool(np.isfinite(array).all())


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
