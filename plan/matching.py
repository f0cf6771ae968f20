"""Which stored task a re-imported task is: by its number **and** its content.

A plan re-issued with a task inserted renumbers everything after it; matching by number
alone would hand the old I.1's answers to the new I.1. Here a task keeps its history only
when its content says it is the same task: same number and similar content, or a different
number and near-identical content (renumbered). A new task at an old number starts fresh.
Anything in between is uncertain and left to the operator. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plan.text import fold

SAME = 80  # same number, content at least this similar: the same task (maybe edited)
DIFFERENT = 50  # same number, content below this: a different task
MOVED = 90  # another number, content at least this similar: the same task, renumbered
MAYBE_MOVED = 70  # another number, between this and MOVED: uncertain


@dataclass(frozen=True)
class Stored:
    id: int
    ref: str
    content: str


@dataclass(frozen=True)
class Pair:
    old_ref: str
    new_ref: str
    old_content: str
    new_content: str
    score: int


@dataclass
class Matches:
    by_ref: dict[str, int] = field(default_factory=dict)  # new ref → stored task id
    renumbered: list[Pair] = field(default_factory=list)
    replaced: list[Pair] = field(default_factory=list)  # a new task at a stored number
    uncertain: list[Pair] = field(default_factory=list)


def _key(text: str) -> str:
    """Folded words in sorted order: similarity is then one ratio (token sort)."""
    return " ".join(sorted(fold(text).split()))


def similarity(a: str, b: str) -> int:
    """0–100, robust to case, diacritics, spacing and word order."""
    from rapidfuzz import fuzz

    return round(fuzz.ratio(_key(a), _key(b)))


def match_tasks(stored: list[Stored], drafts: list[tuple[str, str]],
                accept_uncertain: bool = False) -> Matches:
    """`drafts`: (ref, content) in document order. Uncertain pairs are matched only when
    `accept_uncertain`; they are listed either way.

    1. near-identical content anywhere (a renumbered task, or the same one) — best first,
       the task's own number winning ties;
    2. then the same number: similar content is the same task, edited; half-similar is
       uncertain; dissimilar is a different task;
    3. then a fairly similar task under another number: uncertain."""
    from rapidfuzz import fuzz

    result = Matches()
    keys = {task.id: _key(task.content) for task in stored}
    draft_keys = [_key(content) for _, content in drafts]
    score = {(i, task.id): round(fuzz.ratio(draft_keys[i], keys[task.id]))
             for i in range(len(drafts)) for task in stored}
    by_ref = {task.ref: task for task in stored}
    by_id = {task.id: task for task in stored}
    matched: dict[int, int] = {}  # draft index → stored id
    taken: set[int] = set()

    def take(i: int, task: Stored, sure: bool) -> None:
        pair = Pair(task.ref, drafts[i][0], task.content, drafts[i][1], score[(i, task.id)])
        if not sure:
            result.uncertain.append(pair)
            if not accept_uncertain:
                return
        matched[i] = task.id
        taken.add(task.id)
        if task.ref != drafts[i][0]:
            result.renumbered.append(pair)

    ranked = sorted(((value, by_ref.get(drafts[i][0]) is by_id[tid], i, tid)
                     for (i, tid), value in score.items() if value >= MOVED), reverse=True)
    for _, _, i, tid in ranked:
        if i not in matched and tid not in taken:
            take(i, by_id[tid], sure=True)
    for i, (ref, _) in enumerate(drafts):
        old = by_ref.get(ref)
        if i in matched or old is None or old.id in taken:
            continue
        if score[(i, old.id)] >= SAME:
            take(i, old, sure=True)
        elif score[(i, old.id)] >= DIFFERENT:
            take(i, old, sure=False)
    for i in range(len(drafts)):
        if i in matched:
            continue
        free = [(score[(i, task.id)], task) for task in stored if task.id not in taken]
        best = max(free, key=lambda c: c[0], default=None)
        if best is not None and best[0] >= MAYBE_MOVED:
            take(i, best[1], sure=False)
    result.by_ref = {drafts[i][0]: tid for i, tid in sorted(matched.items())}
    result.renumbered.sort(key=lambda p: [d[0] for d in drafts].index(p.new_ref))
    for i, (ref, content) in enumerate(drafts):
        old = by_ref.get(ref)
        if old is not None and i not in matched:  # a new task under a number in use
            result.replaced.append(Pair(old.ref, ref, old.content, content,
                                        score[(i, old.id)]))
    return result
