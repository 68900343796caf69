"""The owners of one plan read as a whole: a plan writes one owner several ways, and a cell alone
cannot tell. ``settle(result, known)`` reads every owners cell and body cell of a preview
(``owners.read``) and makes one owner of the names that are one:

- the same words whatever the capitals, spaces round "&", a plural or an "All"/"staff" ("Ops
  manager", "Ops Managers"; "All A&A staff", "A&A Team");
- initials: a person's written in brackets elsewhere ("AB" -> "Alice Brown (AB)"), or the first
  letters of a name the plan writes ("TM" -> "Team Manager", "SW's" -> "Social Workers");
- short forms: "Info officer" -> "Information Officer", "YI manager" -> "Youth Inclusion
  Manager", "Youth Inclusion" -> "Youth Inclusion Manager";
- names run together: "Ops Service Managers" -> "Ops Managers" and "Service Managers";
  "Joyce Thacker Alan Hazell Linda Alcock" -> three people when the plan names them elsewhere.
- "ditto", "as above" or a '"' for owners: the owners of the row above (the line above, within a
  cell), with a note; never an owner named "ditto".

``known`` (the names of the importing council's and its partner agencies' owners) are kept whole
in a cell and preferred as the name of an owner the plan writes another way. What is read is put
back in the preview: each action's owners (name, kind, job title, initials) and its one accountable
body, the plan's ``owners`` and ``owner_details`` (name -> kind, job title, initials), and a
problem for each fragment of a cell that names no one (a note: nothing is lost, the cell is kept
as written) and each name longer than an owner's name can be.
"""

import re
from dataclasses import dataclass, field

from . import owners as cells
from .owners import KIND, POSTS, TEAMS

_SMALL = {"of", "and", "&", "the", "for"}
_DITTO = re.compile(r"(?i)\W*(?:ditto|(?:same )?as above|\"|“|”|〃|'')\W*")


def repeat_above(text, above):
    """``text`` (an owners cell) with each line that says "ditto" read: the line above in the
    cell, or at its top ``above`` (the row above's owners, read the same way). Also says which
    it was: "row" (one took the row above's), "cell" (the line above only), or ""."""
    lines, said = [], ""
    for line in text.split("\n"):
        if not _DITTO.fullmatch(line.strip()):
            lines.append(line)
        elif not lines:
            said = "row"
            lines.extend(above.split("\n") if above else [])
        else:
            said = said or "cell"  # the name above it in the cell, already read
    return "\n".join(lines), said


@dataclass
class _Group:
    """One owner of the plan and the ways it is written."""

    kind: str
    job_title: str = ""
    initials: str = ""
    forms: dict = field(default_factory=dict)  # as written -> times
    known: str = ""  # the existing owner's name it is
    to: list = field(default_factory=list)  # the keys of the owners it stands for, if others'

    @property
    def name(self):
        return self.known or max(self.forms, key=self.forms.get)


def key(name, person=False):
    """What two ways of writing one owner have in common."""
    text = re.sub(r"\([^()]*\)", " ", name).casefold().replace("’", "'")
    text = re.sub(r"[^\w&'\- ]", " ", re.sub(r"\s*&\s*", "&", text))
    words = text.split()
    if len(words) > 1 and words[0] == "all":
        words = words[1:]
    if words and not person:
        last = cells._singular(words[-1])
        words[-1] = "team" if last == "staff" else last
    return " ".join(words)


def _tokens(name):
    return re.sub(r"\s*&\s*", "&", re.sub(r"\([^()]*\)", " ", name)).split()


def _initials_of(name):
    return "".join(t[0] for t in _tokens(name) if t.casefold() not in _SMALL).casefold()


def _abbreviates(short, long):
    """Is ``short`` ("Info officer", "YI manager", "RJ Coord") a short form of ``long``?"""
    if not short or not long:
        return not short and not long
    word, rest = short[0], short[1:]
    mine, theirs = cells._singular(word), cells._singular(long[0])
    if (mine == theirs or (len(mine) >= 2 and theirs.startswith(mine))) and _abbreviates(
        rest, long[1:]
    ):
        return True
    letters = cells._acronym(word)
    size = len(letters)
    if 2 <= size <= len(long) and "".join(t[0] for t in long[:size]).casefold() == (
        letters.casefold()
    ):
        return _abbreviates(rest, long[size:])
    return False


class _Plan:
    def __init__(self, known):
        self.groups = {}
        self.known = {}
        for name in known:
            self.known.setdefault(key(name), name)
            self.known.setdefault(key(name, person=True), name)

    def key_of(self, named):
        return key(named.name, person=named.kind == KIND.PERSON)

    def add(self, named):
        k = self.key_of(named)
        group = self.groups.get(k)
        if group is None:
            group = self.groups[k] = _Group(named.kind, known=self.known.get(k, ""))
        group.forms[named.name] = group.forms.get(named.name, 0) + 1
        group.job_title = group.job_title or named.job_title
        group.initials = group.initials or named.initials
        return k

    def _target(self, name, kind=None):
        """The key of the group ``name`` (a known owner's, or one this plan writes)."""
        named = cells._named(name, **({"kind": kind} if kind else {}))
        k = self.key_of(named)
        if k not in self.groups:
            self.add(named)
        return k

    def _one(self, found):
        """The one candidate among ``found`` ((key, name) pairs), or None."""
        names = {key(name) for _, name in found}
        return next(iter(found)) if len(names) == 1 else None

    def _kind(self, k):
        return self.groups[k].kind if k in self.groups else None

    def _candidates(self, own):
        plan = [(k, g.name) for k, g in self.groups.items() if k != own and not g.to]
        named = {k for k, _ in plan}
        return plan, [(k, n) for k, n in self.known.items() if k != own and k not in named]

    def tie(self):
        for k in list(self.groups):
            group = self.groups[k]
            if group.known or group.to:
                continue
            targets = self._ties(k, group)
            if targets:
                group.to = [self._target(name, kind) for name, kind in targets]
                for target in group.to:
                    tied = self.groups[target]
                    tied.job_title = tied.job_title or group.job_title
                    if group.kind == tied.kind == KIND.PERSON:
                        tied.initials = tied.initials or group.initials

    def _ties(self, own, group):
        """(name, kind) of each owner ``group`` stands for, if it is another way of writing
        them; [] if it is an owner of its own."""
        name, plan_and_known = group.name, self._candidates(own)
        letters = cells._letters(cells._acronym(name))
        if len(letters) >= 2 and len(_tokens(name)) == 1 and not cells._AGENCY.search(name):
            plan, known = plan_and_known
            for found in (
                [
                    (k, g.name)
                    for k, g in self.groups.items()
                    if k != own and not g.to and cells._letters(g.initials) == letters
                ],
                [(k, n) for k, n in plan if len(_tokens(n)) > 1 and _initials_of(n) == letters],
                [(k, n) for k, n in known if len(_tokens(n)) > 1 and _initials_of(n) == letters],
            ):
                one = self._one(found)
                if one:
                    return [(one[1], self._kind(one[0]))]
                if found:
                    return []  # several owners have these initials: which is not for us to say
            return []
        tokens = _tokens(name)
        if group.kind == KIND.PERSON:
            return self._people(tokens, own)
        if len(tokens) < 2:
            return []
        for found in plan_and_known:
            short = [(k, n) for k, n in found if _abbreviates(tokens, _tokens(n))]
            lead = [
                (k, n)
                for k, n in found
                if cells._last(name) not in POSTS | TEAMS
                and len(_tokens(n)) == len(tokens) + 1
                and key(" ".join(_tokens(n)[:-1])) == key(name)
                and cells._last(n) in POSTS | TEAMS
            ]
            one = self._one(short) or self._one(lead)
            if one:
                return [(one[1], self._kind(one[0]))]
        if len(tokens) >= 3 and cells._last(name) in POSTS | TEAMS:
            known = {k for k, g in self.groups.items() if not g.to} | set(self.known)
            for i in range(1, len(tokens) - 1):
                left = " ".join([*tokens[:i], tokens[-1]])
                right = " ".join(tokens[i:])
                if key(left) in known and key(right) in known:
                    return [(left, None), (right, None)]
        return []

    def _people(self, tokens, own):
        """A run of names ("Joyce Thacker Alan Hazell Linda Alcock") as the people it names,
        where the plan or the council names one of them on their own."""
        if len(tokens) < 4:
            return []
        people = {
            tuple(_tokens(g.name)) for k, g in self.groups.items() if k != own and not g.to
        } | {tuple(_tokens(n)) for n in self.known.values()}
        people = {p for p in people if 2 <= len(p) < len(tokens) and cells.is_person(" ".join(p))}
        for person in sorted(people, key=len, reverse=True):
            size = len(person)
            for part, rest in ((tokens[:size], tokens[size:]), (tokens[-size:], tokens[:-size])):
                if tuple(part) == person and cells.is_person(" ".join(rest)):
                    ordered = [part, rest] if part == tokens[:size] else [rest, part]
                    return [(" ".join(p), KIND.PERSON) for p in ordered]
        return []

    def final(self, named, depth=0):
        """The groups ``named`` (as a cell read it) is: itself, or those it stands for."""
        return self._resolve(self.key_of(named), depth)

    def _resolve(self, k, depth):
        group = self.groups[k]
        if not group.to or depth > 5:
            return [group]
        return [g for target in group.to for g in self._resolve(target, depth + 1)]


def settle(result, known=()):
    from .rows import NAME_LIMIT, Problem, too_long

    for problem in getattr(result, "owner_problems", []):
        if problem in result.problems:
            result.problems.remove(problem)
    before = len(result.problems)
    reader = cells._Reader(cells._known_pattern(known))
    heading = _heading(result, "owners", "who_when")
    body_heading = _heading(result, "accountable_body")
    read, above = [], ("", 0)
    for action in result.actions:
        text, dittoed = repeat_above(action.get("owners_as_written") or "", above[0])
        if dittoed:
            row_above = above[1] if dittoed == "row" else 0
            result.problems.append(_ditto_note(action, heading, text, row_above))
        above = (text, action.get("row", 0))
        owners = reader.read(text)
        body = action.setdefault("accountable_body_as_written", action.get("accountable_body"))
        bodies = reader.read(body or "", bodies=True)
        for reading, column in ((owners, heading), (bodies, body_heading)):
            for text, why in reading.not_owners:
                result.problems.append(
                    Problem(
                        action.get("row", 0),
                        column,
                        (
                            f"“{text[:60]}” is {why}, not an owner: no owner is made of it "
                            f"(the cell is "
                            "kept as written)."
                        ),
                        blocking=False,
                    )
                )
        read.append((action, owners.owners, bodies.owners))
    plan = _Plan(known)
    for _, owners, bodies in read:
        for named in owners + bodies:
            plan.add(named)
    plan.tie()
    result.owners, result.owner_details = [], {}
    for action, owners, bodies in read:
        row = action.get("row", 0)
        groups = list({id(g): g for n in owners for g in plan.final(n)}.values())
        action["owners"] = [_entry(g) for g in groups]
        body_groups = list({id(g): g for n in bodies for g in plan.final(n)}.values())
        kept = body_groups[0] if body_groups else None
        action["accountable_body"] = kept.name if kept else ""
        if len(body_groups) > 1:
            others = ", ".join(f"“{g.name}”" for g in body_groups[1:])
            result.problems.append(
                Problem(
                    row,
                    body_heading,
                    (
                        f"An action reports to one body: “{body_groups[0].name}” is "
                        f"recorded, {others} "
                        "not (the file keeps them)."
                    ),
                    blocking=False,
                )
            )
        named = [(g, heading) for g in groups] + [(g, body_heading) for g in body_groups]
        for group, column in named:
            if group.name not in result.owner_details and (column == heading or group is kept):
                result.owners.append(group.name)
                result.owner_details[group.name] = _entry(group)
            too_long(
                result, row, column, group.name, NAME_LIMIT, (f"The owner “{group.name[:40]}…”")
            )
    result.owner_problems = result.problems[before:]
    return result


def _ditto_note(action, heading, text, row_above):
    from .rows import Problem

    said = ", ".join(filter(None, (line.strip() for line in text.split("\n")))) or "no one"
    where = f"the owners above it (row {row_above})" if row_above else "the name above it"
    return Problem(
        action.get("row", 0),
        heading,
        f"“Ditto” (or “as above”) is read as {where}: {said}. The cell is kept as written.",
        blocking=False,
    )


def _heading(result, *fields):
    return next((c["heading"] for c in result.columns if c["field"] in fields), "")


def _entry(group):
    """An owner as the preview and ``plan_import`` take it; a post's title as its name is."""
    title = group.job_title
    if title and key(title) == key(group.name):
        title = group.name
    return {
        "name": group.name,
        "initials": group.initials,
        "kind": str(group.kind),
        "job_title": title,
    }
