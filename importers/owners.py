"""Who an owners cell names, read the ways councils write it.

A cell may name people ("Jane Smith, Head of Service"; "Head of Service (Jane Smith)"; "Alice
Brown (AB)"; "Lead officer: Jane Smith"), posts ("Service Manager", "SW's"), teams, boards and
partner agencies, in lists joined by commas, "and", "&", "/", "+", "with" and line breaks. "&" with
no space round it is part of a name ("P&Q Team", "C&F"), and so is an "and" that joins the words of
one name ("Performance and Quality Team") or a post's remit ("Head of CSC & YI"; "Assistant
Director, Safeguarding and Family Support": a post, then its remit in service words). Time scales
and free text written in the cell ("Immediate effect", "Review Plan monthly", "11") name no one.

- ``read(text)``: one cell's owners (each a ``Named``: name, kind, job title, initials) and the
  fragments that name no one, with why; ``bodies=True`` reads one body a line.
- ``settle(result, known)``: every owners and body cell of a preview read as one plan's
  (``plan_owners``); ``known`` are the names of the importing council's and its partners' owners.
"""

import re
from dataclasses import dataclass, field

from actionplans.fuzzy_dates import derive_date
from actionplans.models import Owner

KIND = Owner.Kind


def _set(words):
    return frozenset(words.split())


POSTS = _set("""manager officer director head lead leader coordinator co-ordinator coord worker
    champion chair chairman chairperson member adviser advisor consultant practitioner analyst
    administrator assistant principal commissioner supervisor nurse psychologist therapist
    inspector auditor solicitor specialist clerk secretary governor headteacher teacher deputy
    mentor planner representative rep holder councillor executive""")
POST_ACRONYMS = _set("dcs dass ceo cex lado iro hos ad dd sw swm nqsw tm sm atm pa gp")
TEAMS = _set("team dept department unit service support staff office hub directorate division")
BOARDS = _set("""board panel committee forum partnership cabinet group network assembly
    alliance collaborative lscb lsab scb sab hwb hwbb csp""")
_SUB_GROUP = re.compile(r"\bsub[- ]?groups?\b|\b(working|task(?: (?:and|&) finish)?) group", re.I)
_AGENCY = re.compile(
    r"\b(police|constabulary|cps|nhs|ccgs?|pcts?|probation|crc|nps|yjb|dwp|jobcentre|ambulance"
    r"|cafcass|nspcc|hospitals?|trusts?|fire (?:and|&) rescue|youth justice board|schools"
    r"|clinical commissioning group|academ(?:y|ies)|colleges?|university|voluntary sector|cvs"
    r"|housing associations?|home office|dfe)\b",
    re.I,
)
SERVICE_WORDS = _set("""children childrens children's young people people's families family adult
    adults social care health education safeguarding youth justice inclusion offending housing
    learning skills community communities early help commissioning performance quality assurance
    finance resources corporate public strategic operations operational ops business improvement
    development protection borough wide all senior management information it hr legal training
    practice policy planning data intelligence contact first access assessment child case lean
    project programme integrated multi agency council local authority area central north south
    east west city county district national regional lbm partner's interim acting divisional""")
_REMIT = _set("and & of for support service services")  # with SERVICE_WORDS: a post's remit
STRONG_TIME = _set("""immediate immediately ongoing on-going monthly weekly daily fortnightly
    quarterly annually yearly bi-monthly termly asap tbc tba tbd n/a continuous continuously
    regularly""")  # a time scale wherever they come
TIME_WORDS = STRONG_TIME | _set("""annual now today regular routine timescale deadline week weeks
    month months year years day days session sessions effect complete completed date from by
    until till before after within end every review""")  # a time scale when they come first
MONTHS = _set("""jan january feb february mar march apr april may jun june jul july aug august sep
    sept september oct october nov november dec december""")
_LABELS = _set("lead leads owner owners responsible support supporting accountable who by officer")
_TITLES = _set("mr mrs ms miss dr cllr councillor prof sir dame")
_PARTICLES = _set("de van von der le la di da du bin al")
_NAME_TOKEN = re.compile(r"(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)*|[A-Z]\.?")
_INITIALS = re.compile(r"(?:(?:Mc|Mac|[A-Z])\.?[\s-]?){1,4}")  # AB, A.B., M W-S, CMc
_ACRONYM_PLURAL = re.compile(r"^(?P<stem>[A-Z]{2,5})(?:['’]?s)$")  # SW's, FCOs, ATM's
_OPENER = re.compile(r"\b(?:head|director|chair|lead|manager|member|champion)\s+(?:of|for)\b", re.I)
_TOP = re.compile(r"\s*(;|,|\+|(?<!\d)/|/(?!\d)|\t|(?<=\S)\s{2,}(?=\S))\s*")
_JOIN = re.compile(r"\s+(&|and|with|plus)\s+", re.I)
_LEAD_IN = re.compile(
    r"^(?:and|&|with|plus|supported by|support from|in conjunction with)\s+", re.I
)
_LABEL = re.compile(r"^(?P<label>[A-Za-z][^:()]{0,60}?)\s*:\s*(?P<rest>\S.*)$")
_TO_DO = re.compile(r"^(?P<who>.{1,60}?)\s+(?:to|will|should|must)\s+[a-z]")
_SENTENCE = re.compile(r"(?<=[a-z'’)])\.\s+(?=[A-Z])")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_HELD = "\ue000"  # a known name's place while a line is split: no separator can cut it


@dataclass
class Named:
    name: str
    kind: str = KIND.ROLE
    job_title: str = ""
    initials: str = ""


@dataclass
class Reading:
    owners: list = field(default_factory=list)  # Named, in the cell's order
    not_owners: list = field(default_factory=list)  # (fragment, why): named no one


def _words(text):
    return [w.strip(".,'’()").casefold() for w in text.split()]


def _singular(word):
    word = re.sub(r"['’]s$", "", word.casefold())
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _is_singular(text):
    return _last(text) == (_words(text) or [""])[-1]


def _last(text):
    words = _words(text)
    return _singular(words[-1]) if words else ""


def is_person(text):
    """Two to six capitalised words that are no post, team, service or time: "Jo Bloggs"."""
    tokens = text.replace(",", " ").split()
    if tokens and tokens[0].casefold().rstrip(".") in _TITLES:
        return len(tokens) >= 2 and all(_NAME_TOKEN.fullmatch(t) for t in tokens[1:])
    names = [t for t in tokens if t not in _PARTICLES]
    if not 2 <= len(tokens) <= 6 or sum(len(t.rstrip(".")) > 1 for t in names) < 2:
        return False
    vocabulary = POSTS | TEAMS | BOARDS | SERVICE_WORDS | TIME_WORDS  # "June Brown" is a person
    words = set(_words(text)) | {_singular(w) for w in _words(text)}
    return all(_NAME_TOKEN.fullmatch(t) for t in names) and not (words & vocabulary)


def is_initials(text):
    return bool(_INITIALS.fullmatch(text.strip())) and sum(c.isupper() for c in text) >= 2


def _acronym(text):
    """The letters of an acronym ("SW's" -> "SW", "FCOs" -> "FCO", "AB"), or ""."""
    text = text.strip()
    if found := _ACRONYM_PLURAL.match(text):
        return found.group("stem")
    return re.sub(r"[^A-Za-z]", "", text) if is_initials(text) else ""


def _owner_noun(text):
    """Does ``text`` name an owner by its words: a post, team, board, agency, person, initials?"""
    last = _last(text)
    return bool(
        last in POSTS | TEAMS | BOARDS
        or _OPENER.search(text)
        or _AGENCY.search(text)
        or is_person(text)
        or _acronym(text)
        or _HELD in text
    )


def _names_anyone(text):
    """Does any part of ``text``, or any word (an acronym: "SW's"), name an owner?"""
    parts = _split_outside(_JOIN, text)[0::2]
    return any(_owner_noun(p) for p in parts) or any(_acronym(t) for t in text.split())


def names_someone(paragraph):
    """Does ``paragraph`` name owners and nothing else (no time scale, no free text)?"""
    reading = read(paragraph)
    return bool(reading.owners) and not reading.not_owners


def why_not_owner(text):
    """Why ``text`` names no one ("a date", "a time scale", "free text"), or "" if it may."""
    words = _words(text)
    if not re.search(r"[A-Za-z]", text):
        return "a number" if re.search(r"\d", text) else "punctuation"
    if derive_date(text) or (set(words) & MONTHS and re.search(r"\d", text)):
        return "a date"
    if all(w in MONTHS | TIME_WORDS for w in words):
        return "a time scale"  # "December", "Weekly review"
    if set(words) & STRONG_TIME or (words[0] in TIME_WORDS and not _owner_noun(text)):
        return "a time scale"  # "Review Plan monthly", "By end of March"; not "Review Team"
    if re.search(r"\d", text) and not _owner_noun(text):
        return "a time scale"
    if len(words) > 8:
        return "free text"
    return ""


def kind_of(name, default=None):
    """The kind of owner ``name`` reads as; ``default`` for a name with nothing to tell."""
    last = _last(name)
    acronym = _acronym(name).casefold()
    if re.fullmatch(r"(?i)youth justice board|yjb|health|nhs.*", name.strip()):
        return KIND.PARTNER_AGENCY
    if _SUB_GROUP.search(name):
        return KIND.SUB_GROUP
    if last in BOARDS or acronym in BOARDS or (last == "executive" and "chief" not in _words(name)):
        return KIND.BOARD
    if is_person(name):
        return KIND.PERSON
    if last in POSTS or _OPENER.search(name) or acronym in POST_ACRONYMS:
        return KIND.ROLE
    if last in TEAMS or acronym in {"yot", "yos", "mash"}:
        return KIND.TEAM
    if _AGENCY.search(name):
        return KIND.PARTNER_AGENCY
    if _ACRONYM_PLURAL.match(name.strip()):
        return KIND.ROLE  # "ATM's": posts written short
    if is_initials(name):
        return KIND.PERSON
    return default or (KIND.TEAM if name[:1].isupper() else KIND.ROLE)


def _named(name, **given):
    """``name`` as an owner, its kind, job title (a post's) and initials (a person's) read."""
    name = " ".join(name.split()).strip(" .-–:;")
    kind = given.pop("kind", None) or kind_of(name)
    named = Named(name, kind, **given)
    if kind == KIND.PERSON and not named.initials and is_initials(name):
        named.initials = name
    if kind == KIND.ROLE and not named.job_title and (_last(name) in POSTS or _OPENER.search(name)):
        named.job_title = "" if _words(name)[0] == "all" else name
    return named


def _post_title(text):
    """A job title written after a name: a post, not itself a person, team, board or agency."""
    text = text.strip()
    return bool(
        text
        and not is_person(text)
        and not _AGENCY.search(text)
        and (_last(text) in POSTS or _OPENER.search(text))
        and _last(text) not in BOARDS
    )


def _split_outside(pattern, text):
    """``text`` split at ``pattern``'s matches that are not inside brackets, with each match's
    first group (if any) between the parts."""
    parts, start, depth, level = [], 0, [], 0
    for char in text:
        level += (char == "(") - (char == ")")
        depth.append(level > 0)
    for found in pattern.finditer(text):
        if depth[found.start()]:
            continue
        parts.append(text[start : found.start()])
        if pattern.groups:
            parts.append(found.group(1))
        start = found.end()
    parts.append(text[start:])
    return parts


class _Reader:
    def __init__(self, known_pattern=None):
        self.known = known_pattern

    def read(self, text, bodies=False):
        reading = Reading()
        for line in text.split("\n"):
            line = line.strip()
            line = line[:-1].strip() if re.search(r"[a-z]{2}\.$", line) else line
            if not line:
                continue
            if bodies:
                why = why_not_owner(line)
                if why:
                    reading.not_owners.append((line, why))
                else:
                    reading.owners.append(_named(line, kind=kind_of(line, KIND.BOARD)))
                continue
            self._line(line, reading)
        return reading

    def _line(self, line, reading):
        held = []
        if re.match(r"\([^()]{1,8}\)\s", line):  # "(M.S) CYC (K.McN) CCG": whose after each
            line = re.sub(r"\s+(?=\([^()]{1,8}\)\s)", "; ", line)
        if self.known:
            line = self.known.sub(
                lambda m: f"{_HELD}{held.append(m.group(0)) or len(held) - 1}{_HELD}", line
            )
        label = _LABEL.match(line)
        if label and not re.search(r"\d", label["label"]) and len(_words(label["label"])) <= 6:
            owners = self._chunks(label["rest"], reading, held)
            title = label["label"].strip()
            people = [o for o in owners if o.kind == KIND.PERSON and not o.job_title]
            if _words(title)[-1] not in _LABELS and _post_title(title):
                for person in people:
                    person.job_title = title if len(people) == 1 else _title_one(title)
            reading.owners += owners
            return
        sentences = _SENTENCE.split(line)
        if len(sentences) > 1 or _wordy(line):
            for sentence in sentences:
                todo = _TO_DO.match(sentence)
                if todo and _owner_noun(todo["who"]):
                    reading.owners += self._chunks(todo["who"], reading, held)
                elif _wordy(sentence):
                    reading.not_owners.append((_restore(sentence, held), "free text"))
                else:
                    reading.owners += self._chunks(sentence, reading, held)
            return
        reading.owners += self._chunks(line, reading, held)

    def _chunks(self, text, reading, held):
        """Owners of a list split at commas, semicolons, "/", "+" and wide gaps; a job title
        after a person's name is theirs, and words after a post that name no one continue it."""
        owners, holder = [], None
        pieces = _split_outside(_TOP, text)
        for sep, chunk in zip(["", *pieces[1::2]], pieces[0::2], strict=True):
            chunk = _LEAD_IN.sub("", chunk.strip()).strip(" .-–:")
            if not chunk:
                continue
            plain = _restore(chunk, held)
            last = owners[-1] if owners and sep == "," else None
            if last and last.kind == KIND.PERSON and not last.job_title and _post_title(plain):
                last.job_title, holder = plain, last
                continue
            holder = holder if sep == "," else None
            remit = not _names_anyone(chunk) or set(_words(plain)) <= SERVICE_WORDS | _REMIT
            if holder and remit and not why_not_owner(plain):
                if holder.kind == KIND.PERSON:
                    holder.job_title += ", " + plain
                else:
                    holder.job_title = holder.name = f"{holder.name}, {plain}"
                continue
            found = self._parts(chunk, reading, held)
            owners += found
            # One post written singular ("Head of Service") may go on after a comma.
            one_post = len(found) == 1 and found[0].kind == KIND.ROLE
            post = one_post and len(found[0].name.split()) > 1 and _is_singular(found[0].name)
            holder = found[0] if post else None
        return owners

    def _parts(self, chunk, reading, held):
        """A chunk split at "and", "&", "with" where they join owners, not the words of one."""
        pieces = _split_outside(_JOIN, chunk)
        names, current = [], pieces[0]
        for sep, right in zip(pieces[1::2], pieces[2::2], strict=True):
            if sep.casefold() != "with" and _joins(current, right):
                current = f"{current} {sep} {right}"
            else:
                names.append(current)
                current = right
        names.append(current)
        owners = []
        for name in names:
            owners += self._one(name, reading, held)
        return owners

    def _one(self, text, reading, held):
        text = text.strip(" .-–:;")
        if not text:
            return []
        if re.fullmatch(rf"{_HELD}\d+{_HELD}", text):
            return [_named(_restore(text, held))]
        text = _restore(text, held)
        groups = _BRACKETS.findall(text)
        outer = " ".join(_BRACKETS.sub(" ", text).split()).strip(" .-–:;")
        if groups:
            return self._bracketed(outer, groups, reading)
        why = why_not_owner(text)
        if why:
            reading.not_owners.append((text, why))
            return []
        return _run_together(text)

    def _bracketed(self, outer, groups, reading):
        """ "Name (initials)", "Job title (Name)", "Name (Job title)", "Team Leads (AB, CD)"."""
        found, notes = [], []
        for group in groups:
            items = [i.strip() for i in re.split(r",|/|;|&|\band\b", group) if i.strip()]
            if items and all(is_initials(i) for i in items):
                own = len(items) == 1 and (
                    not outer
                    or not _post_title(outer)
                    or _letters(items[0]) == _letters("".join(w[0] for w in outer.split()))
                )
                if own:  # "Alice Brown (AB)", "Service Manager (SM)": the outer's own initials
                    kind = kind_of(outer) if outer else KIND.PERSON
                    if kind in (KIND.ROLE, KIND.TEAM) and not _post_title(outer):
                        kind = KIND.PERSON if _last(outer) not in TEAMS else kind
                    return [_named(outer or items[0], kind=kind, initials=items[0])]
                title = _title_one(outer) if _post_title(outer) else ""
                found += [_named(i, kind=KIND.PERSON, initials=i, job_title=title) for i in items]
            elif items and all(is_person(i) for i in items) and not is_person(outer):
                title = ""
                if _post_title(outer):
                    title = outer if len(items) == 1 else _title_one(outer)
                found += [_named(i, kind=KIND.PERSON, job_title=title) for i in items]
            elif is_person(outer) and _post_title(group):
                return [_named(outer, kind=KIND.PERSON, job_title=group.strip())]
            elif why_not_owner(group) in ("a date", "a time scale", "a number"):
                reading.not_owners.append((group, why_not_owner(group)))
            elif group[:1].isupper() and not _owner_noun(group):
                notes.append(group)  # "(Children & Families)": part of the post's name
            # else "(Project Lead)", "(interim)": said of the owner, left out
        if found:
            return found
        if notes and outer and not is_person(outer):
            outer += "".join(f" ({note})" for note in notes)
        why = why_not_owner(outer) if outer else "punctuation"
        if why:
            reading.not_owners.append((outer, why))
            return []
        return _run_together(outer)


def _wordy(text):
    """Is ``text`` prose: a part between commas or slashes of more than eight words, unless it
    is owners joined by "and" ("East London NHS Foundation Trust and Head of Forensics")?"""
    long = [p for p in _split_outside(_TOP, text)[0::2] if len(p.split()) > 8]
    return any(not all(map(_owner_noun, _split_outside(_JOIN, p)[0::2])) for p in long)


def _letters(text):
    return re.sub(r"[^a-z]", "", text.casefold())


def _restore(text, held):
    return re.sub(rf"{_HELD}(\d+){_HELD}", lambda m: held[int(m.group(1))], text)


def _title_one(title):
    """A post's title as one person holds it: "Team Leads" -> "Team Lead"."""
    words = title.split()
    if words and _singular(words[-1]) in POSTS and words[-1].casefold() != words[-1][:-1]:
        words[-1] = re.sub(r"['’]?s$", "", words[-1])
    return " ".join(words)


def _joins(left, right):
    """Are ``left`` "and" ``right`` the words of one owner? "Performance and Quality Team",
    "Head of CSC & YI", "Children and Families"; not "TM and SM", "Head of Care and Service
    Manager"."""
    left_noun, right_noun = _owner_noun(left), _owner_noun(right)
    if not left_noun and _AGENCY.search(right) and not _LEAD_IN.match(right):
        return left[:1].isupper() and len(left.split()) <= 2  # "Norfolk and Suffolk NHS Trust"
    if not left_noun and not right_noun:
        return left[:1].isupper() and right[:1].isupper()  # "Children and Families"
    if not left_noun and not _acronym(left) and _last(right) in TEAMS | BOARDS | POSTS:
        return not (_OPENER.search(right) or is_person(right) or _AGENCY.search(right))
    if _OPENER.search(left) and _HELD not in right:
        alone = (
            is_person(right)
            or _last(right) in POSTS | BOARDS
            or _OPENER.search(right)
            or _AGENCY.search(right)
            or _acronym(right).casefold() in POST_ACRONYMS
        )
        return not alone
    return False


def _run_together(text):
    """Owners written one after another with nothing between: "Ops managers Service Manager",
    "Youth Inclusion Head of CSC&YI", "Jason Harwin Borough wide Service Manager" (a name then
    its post)."""
    tokens = text.split()
    for size in (2, 3):
        head, rest = " ".join(tokens[:size]), " ".join(tokens[size:])
        if len(tokens) > size and is_person(head) and rest[:1].isupper() and _post_title(rest):
            return [_named(head, kind=KIND.PERSON, job_title=rest)]
    for i in range(1, len(tokens)):
        left, rest = " ".join(tokens[:i]), " ".join(tokens[i:])
        after_post = i >= 2 and _singular(tokens[i - 1]) in POSTS and len(tokens) - i >= 2
        opener = (
            _OPENER.match(rest)
            and tokens[i - 1].casefold() not in {"assistant", "deputy", "acting", "interim"}
            and not _OPENER.search(left)
        )
        if (after_post or opener) and tokens[i][:1].isupper() and _owner_noun(rest):
            if after_post and is_person(rest):
                return [_named(rest, kind=KIND.PERSON, job_title=left)]
            return [_named(left), *_run_together(rest)]
    return [_named(text)]


def _known_pattern(known):
    """One pattern finding any of ``known``'s names that a split could cut (several words, or
    "&", "and", "/"), longest first, whatever the capitals and the spaces round "&"."""
    names = sorted({n for n in known if n and re.search(r"\s|&|/|,", n)}, key=len, reverse=True)
    if not names:
        return None
    alternatives = [
        r"\s*&\s*".join(r"\s+".join(map(re.escape, part.split())) for part in name.split("&"))
        for name in names
    ]
    return re.compile(r"(?<![\w&])(?:" + "|".join(alternatives) + r")(?![\w&])", re.I)


def read(text, *, bodies=False, known=()):
    """The owners ``text`` (a cell) names; ``bodies``: one a line, each whole."""
    return _Reader(_known_pattern(known)).read(text or "", bodies=bodies)


def settle(result, known=()):
    """Every owners and body cell of the preview ``result`` read, as one plan: see
    ``plan_owners`` (its own module, as it reads the plan as a whole)."""
    from .plan_owners import settle as settle_plan

    return settle_plan(result, list(known))
