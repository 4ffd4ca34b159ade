"""Allocating a plan's cases to its review group's managers, by the framework's rules.

The rules (each can be switched off, and :class:`Rules` is kept with the plan):

* **balanced** — no manager has more than ``ceil(cases / managers)`` cases;
* **outside own line** — each manager has at least one case from a team other than their own
  (seed 000 §3.2-3.3: evaluations inside and outside their own line);
* **not their own supervisee** — no manager is allocated a case whose allocated worker they
  supervise directly.

The allocation is a bipartite assignment with capacities (augmenting paths, Kuhn's method):
first one case outside their own line for each manager, then every other case, each to the
least-loaded manager who may take it, moving earlier choices along an augmenting path when
that is the only way. When the rules cannot all hold, :class:`AllocationError` names the rule
that fails and the nearest rule set that works. Pure: no database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from qa_tui.errors import ValidationError


@dataclass(frozen=True)
class Rules:
    """Which of the allocation rules apply; ``extra`` loosens the balance bound."""

    balanced: bool = True
    outside_line: bool = True
    not_supervisee: bool = True
    extra: int = 0

    def describe(self) -> str:
        parts = []
        if self.balanced:
            parts.append("balanced" + (f" (+{self.extra})" if self.extra else ""))
        if self.outside_line:
            parts.append("each manager one case outside their own line")
        if self.not_supervisee:
            parts.append("no manager allocated a case they supervise")
        return "; ".join(parts) or "no rules"


@dataclass(frozen=True)
class CaseToAllocate:
    reference: str
    team: str = ""
    worker: str = ""


@dataclass(frozen=True)
class Manager:
    name: str
    team: str = ""
    supervises: frozenset[str] = frozenset()  # workers' names, folded with key()


class AllocationError(ValidationError):
    """The rules cannot all hold: ``rule`` says which; ``nearest`` is rules that work."""

    def __init__(self, message: str, rule: str, nearest: Rules | None) -> None:
        super().__init__(message, field="allocation")
        self.rule = rule
        self.nearest = nearest


def key(name: str) -> str:
    """A person's name compared loosely (case and spacing)."""
    return " ".join(name.split()).casefold()


def capacity(cases: int, managers: int, rules: Rules) -> int:
    """The most cases one manager may have under ``rules``."""
    if not rules.balanced or managers == 0:
        return cases
    return math.ceil(cases / managers) + rules.extra


class _Matcher:
    """Capacitated bipartite matching of cases to managers by augmenting paths."""

    def __init__(self, eligible: list[list[int]], cap: int, managers: int) -> None:
        self.eligible = eligible
        self.cap = cap
        self.held: list[list[int]] = [[] for _ in range(managers)]
        self.owner: dict[int, int] = {}
        self.pinned: set[int] = set()

    def place(self, case: int, among: list[int] | None = None) -> bool:
        return self._augment(case, set(), among)

    def _augment(self, case: int, seen: set[int], among: list[int] | None) -> bool:
        options = among if among is not None else self.eligible[case]
        ordered = sorted(options, key=lambda m: (len(self.held[m]), m))
        for m in ordered:
            if m not in seen and len(self.held[m]) < self.cap:
                self._give(case, m)
                return True
        for m in ordered:
            if m in seen:
                continue
            seen.add(m)
            for other in list(self.held[m]):
                if other in self.pinned:
                    continue
                self.held[m].remove(other)
                del self.owner[other]
                if self._augment(other, seen, None):
                    self._give(case, m)
                    return True
                self._give(other, m)
        return False

    def _give(self, case: int, m: int) -> None:
        self.held[m].append(case)
        self.owner[case] = m


def _eligible(
    cases: Sequence[CaseToAllocate], managers: Sequence[Manager], rules: Rules
) -> list[list[int]]:
    out = []
    for case in cases:
        worker = key(case.worker)
        out.append(
            [
                i
                for i, m in enumerate(managers)
                if not (rules.not_supervisee and worker and worker in m.supervises)
            ]
        )
    return out


def _try(
    cases: Sequence[CaseToAllocate], managers: Sequence[Manager], rules: Rules
) -> tuple[dict[str, str] | None, str, str]:
    """The allocation, or None with the failing rule and why."""
    eligible = _eligible(cases, managers, rules)
    for case, options in zip(cases, eligible, strict=True):
        if not options:
            return (
                None,
                "not_supervisee",
                f"every manager supervises the worker of {case.reference}",
            )
    if rules.outside_line and len(cases) < len(managers):
        why = f"{len(managers)} managers but only {len(cases)} cases"
        return None, "outside_line", why
    matcher = _Matcher(eligible, capacity(len(cases), len(managers), rules), len(managers))
    # Each manager needs one case from another team (a matching of managers to distinct
    # cases), found by augmenting from the manager's side.
    if rules.outside_line and not _outside_matching(cases, managers, eligible, matcher):
        return None, "outside_line", "not enough cases outside some managers' own lines"
    for index in range(len(cases)):
        if index not in matcher.owner and not matcher.place(index):
            return None, "balanced", f"{cases[index].reference} fits no manager within the bound"
    return {cases[c].reference: managers[m].name for c, m in matcher.owner.items()}, "", ""


def _outside_matching(
    cases: Sequence[CaseToAllocate],
    managers: Sequence[Manager],
    eligible: list[list[int]],
    matcher: _Matcher,
) -> bool:
    outside: list[list[int]] = [
        [c for c in range(len(cases)) if m in eligible[c] and key(cases[c].team) != key(man.team)]
        for m, man in enumerate(managers)
    ]
    match: dict[int, int] = {}  # case -> manager

    def augment(m: int, seen: set[int]) -> bool:
        for c in outside[m]:
            if c in seen:
                continue
            seen.add(c)
            if c not in match or augment(match[c], seen):
                match[c] = m
                return True
        return False

    order = sorted(range(len(managers)), key=lambda m: (len(outside[m]), m))
    if not all(augment(m, set()) for m in order):
        return False
    for c, m in match.items():
        matcher._give(c, m)
        matcher.pinned.add(c)
    return True


RULE_WORDS = {
    "balanced": "the balance bound",
    "outside_line": "each manager one case outside their own line",
    "not_supervisee": "no manager allocated a case they supervise",
}


def allocate(
    cases: Sequence[CaseToAllocate], managers: Sequence[Manager], rules: Rules | None = None
) -> dict[str, str]:
    """Each case's reference -> the manager it is allocated to, under ``rules``.

    Raises :class:`AllocationError` naming the rule that cannot hold and the nearest rules
    that work (a looser balance bound first, then without that rule).
    """
    rules = rules or Rules()
    if not managers:
        raise AllocationError("Allocation: name at least one manager", "managers", None)
    if len({c.reference for c in cases}) != len(cases):
        raise AllocationError("Allocation: a case is listed twice", "cases", None)
    found, rule, why = _try(cases, managers, rules)
    if found is not None:
        return found
    nearest = _nearest(cases, managers, rules, rule)
    hint = f"; nearest that works: {nearest.describe()}" if nearest else ""
    raise AllocationError(
        f"Allocation: {RULE_WORDS[rule]} cannot hold ({why}){hint}", rule, nearest
    )


def _nearest(
    cases: Sequence[CaseToAllocate], managers: Sequence[Manager], rules: Rules, rule: str
) -> Rules | None:
    candidates: list[Rules] = []
    if rules.balanced:
        candidates += [replace(rules, extra=rules.extra + n) for n in (1, 2, 3)]
    candidates.append(replace(rules, **{rule: False}))
    for other in ("outside_line", "balanced", "not_supervisee"):
        if other != rule and getattr(rules, other):
            candidates.append(replace(rules, **{rule: False, other: False}))
    for candidate in candidates:
        if _try(cases, managers, candidate)[0] is not None:
            return candidate
    return None
