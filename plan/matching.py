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
    3. then a fairly similar task under another number: uncertain.

    Pairs are scored only where they can matter: identical contents meet through a hash
    map, and the fuzzy search (rapidfuzz, with its cut-off) runs only over what is still
    unmatched — a re-import of 10,000 tasks no longer scores 100 million pairs in memory."""
    from rapidfuzz import fuzz, process

    result = Matches()
    keys = {task.id: _key(task.content) for task in stored}
    draft_keys = [_key(content) for _, content in drafts]
    scored: dict[tuple[int, int], int] = {}

    def score(i: int, tid: int) -> int:
        found = scored.get((i, tid))
        if found is None:
            found = scored[(i, tid)] = round(fuzz.ratio(draft_keys[i], keys[tid]))
        return found

    by_ref = {task.ref: task for task in stored}
    by_id = {task.id: task for task in stored}
    matched: dict[int, int] = {}  # draft index → stored id
    taken: set[int] = set()

    def take(i: int, task: Stored, sure: bool) -> None:
        pair = Pair(task.ref, drafts[i][0], task.content, drafts[i][1], score(i, task.id))
        if not sure:
            result.uncertain.append(pair)
            if not accept_uncertain:
                return
        matched[i] = task.id
        taken.add(task.id)
        if task.ref != drafts[i][0]:
            result.renumbered.append(pair)

    # 1. identical contents first (score 100), then near-identical, best first globally
    same_text: dict[str, list[int]] = {}
    for task in stored:
        same_text.setdefault(keys[task.id], []).append(task.id)
    candidates = []
    for i, key in enumerate(draft_keys):
        for tid in same_text.get(key, ()):
            scored[(i, tid)] = 100
            candidates.append((100, by_ref.get(drafts[i][0]) is by_id[tid], i, tid))
    exact = {i for _, _, i, _ in candidates}
    wanted = set(draft_keys)
    rest = [task.id for task in stored if keys[task.id] not in wanted]
    choices = [keys[tid] for tid in rest]
    for i, key in enumerate(draft_keys):
        if i in exact or not choices:
            continue
        for _, value, at in process.extract(key, choices, scorer=fuzz.ratio,
                                            score_cutoff=MOVED - 0.5, limit=None):
            tid = rest[at]
            scored[(i, tid)] = round(value)
            if round(value) >= MOVED:
                candidates.append((round(value), by_ref.get(drafts[i][0]) is by_id[tid], i,
                                   tid))
    for _, _, i, tid in sorted(candidates, reverse=True):
        if i not in matched and tid not in taken:
            take(i, by_id[tid], sure=True)
    # 2. the same number
    for i, (ref, _) in enumerate(drafts):
        old = by_ref.get(ref)
        if i in matched or old is None or old.id in taken:
            continue
        if score(i, old.id) >= SAME:
            take(i, old, sure=True)
        elif score(i, old.id) >= DIFFERENT:
            take(i, old, sure=False)
    # 3. a fairly similar task elsewhere, among what is still free
    free = [task.id for task in stored if task.id not in taken]
    free_keys = [keys[tid] for tid in free]
    for i in range(len(drafts)):
        if i in matched or not free:
            continue
        best = process.extractOne(draft_keys[i], free_keys, scorer=fuzz.ratio,
                                  score_cutoff=MAYBE_MOVED - 0.5)
        if best is not None and round(best[1]) >= MAYBE_MOVED:
            tid = free[best[2]]
            scored[(i, tid)] = round(best[1])
            take(i, by_id[tid], sure=False)
            if tid in taken:
                del free[best[2]], free_keys[best[2]]
    result.by_ref = {drafts[i][0]: tid for i, tid in sorted(matched.items())}
    order = {d[0]: n for n, d in enumerate(drafts)}
    result.renumbered.sort(key=lambda p: order[p.new_ref])
    for i, (ref, content) in enumerate(drafts):
        old = by_ref.get(ref)
        if old is not None and i not in matched:  # a new task under a number in use
            result.replaced.append(Pair(old.ref, ref, old.content, content, score(i, old.id)))
    return result
