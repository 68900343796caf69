"""What a column heading means, in the words councils write: scored by the words it contains.

A heading is lower-cased, split into words and each word cut to a simple stem ("Responsible" ->
"respons", "Actions" -> "action"); each meaning gives weights to stems. The meaning with the highest
score wins if it reaches ``THRESHOLD``; "Who/when" and "Target/date" have meanings of their own
(two words together beat either alone), and a few phrases count more than their words ("Area for
improvement", "What needs to improve": the inspection's own words for what a recommendation is).
No exact list of headings is kept. A heading alone is half the reading: ``columns`` reads the cells
too, and settles there what a weak heading or a tie leaves open.
"""

import re

# field: (label, {stem: weight})
MEANINGS = {
    "reference": (
        "Reference",
        {"ref": 3, "reference": 3, "no": 1, "number": 1, "id": 2, "num": 1, "item": 1},
    ),
    "recommendation": (
        "Recommendation",
        {
            "recommendation": 4,
            "recommendations": 4,
            "finding": 4,
            "findings": 4,
            "issue": 3,
            "area": 1,
            "development": 2,
            "improvement": 1,
            "concern": 2,
            "weakness": 2,
            "key": 1,
            "inspection": 1,
            "improve": 1,
            "need": 1,
        },
    ),
    "outcomes": (
        "Outcomes sought",
        {
            "outcomes": 4,
            "outcome": 4,
            "impact": 3,
            "sought": 2,
            "success": 2,
            "looks": 1,
            "like": 1,
            "expected": 1,
            "desired": 1,
        },
    ),
    "action": (
        "Action",
        {
            "action": 4,
            "actions": 4,
            "task": 3,
            "tasks": 3,
            "step": 2,
            "steps": 2,
            "activity": 2,
            "activities": 2,
            "what": 2,
            "do": 1,
            "required": 1,
            "undertaken": 1,
        },
    ),
    "owners": (
        "Lead or owner",
        {
            "who": 4,
            "lead": 4,
            "owner": 4,
            "owners": 4,
            "responsible": 4,
            "responsibility": 4,
            "officer": 3,
            "person": 2,
            "manager": 1,
            "agency": 2,
            "accountable": 2,
            "by": 1,
        },
    ),
    "accountable_body": (
        "Body it reports to",
        {
            "reports": 3,
            "reporting": 3,
            "governance": 4,
            "board": 3,
            "body": 3,
            "oversight": 4,
            "scrutiny": 3,
            "accountable": 1,
            "to": 1,
            "group": 1,
        },
    ),
    "planned_completion": (
        "When (time scale)",
        {
            "when": 4,
            "date": 3,
            "dates": 3,
            "time": 3,
            "scale": 2,
            "timescale": 4,
            "timescales": 4,
            "deadline": 4,
            "due": 4,
            "completion": 2,
            "planned": 1,
            "by": 1,
            "timeframe": 4,
            "timeline": 4,
            "end": 1,
        },
    ),
    "who_when": ("Who and when", {}),
    "performance_indicator": (
        "Measure (performance indicator)",
        {
            "measure": 4,
            "measures": 4,
            "indicator": 4,
            "indicators": 4,
            "performance": 2,
            "kpi": 4,
            "pi": 3,
            "evidence": 2,
            "monitoring": 2,
            "success": 1,
        },
    ),
    "benchmark": (
        "Baseline (current benchmark)",
        {
            "baseline": 4,
            "benchmark": 4,
            "current": 2,
            "starting": 1,
            "position": 1,
        },
    ),
    "target": ("Target", {"target": 4, "targets": 4, "goal": 3, "aim": 2}),
    "target_date": ("Target and date", {}),
    "progress": (
        "Progress",
        {
            "progress": 4,
            "update": 4,
            "updates": 4,
            "comment": 3,
            "comments": 3,
            "notes": 3,
            "note": 3,
            "commentary": 3,
            "related": 1,
            "review": 2,
            "achieved": 2,
            "respond": 4,
        },
    ),
    "status": (
        "Status",
        {"status": 4, "state": 2, "rag": 3, "rating": 2, "red": 2, "amber": 2, "green": 2},
    ),
}

LABELS = {key: label for key, (label, _) in MEANINGS.items()}
THRESHOLD = 3
_SUFFIXES = (
    "ibilities",
    "ibility",
    "ations",
    "ation",
    "ings",
    "ing",
    "ibles",
    "ible",
    "ables",
    "able",
    "ies",
    "es",
    "ed",
    "s",
    "y",
    "e",
)
_PERIOD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\bq[1-4]\b|\bquarter\b", re.I
)


# Words whose stem would meet another's: "Response" is a reply (progress), not "Responsible".
_OWN_STEMS = {"response": "respond", "responses": "respond"}


def stem(word):
    if word in _OWN_STEMS:
        return _OWN_STEMS[word]
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_PAIRS = {(stem("who"), stem("when")): "who_when", (stem("target"), stem("date")): "target_date"}
# Phrases worth more than their words: (stems that must all be there, meaning, bonus).
_PHRASES = [
    ({stem("area"), stem("improvement")}, "recommendation", 4),
    ({stem("area"), stem("improve")}, "recommendation", 4),
    ({stem("needs"), stem("improve")}, "recommendation", 4),
    ({stem("needs"), stem("improvement")}, "recommendation", 4),
]


def words(heading):
    return [stem(w) for w in re.findall(r"[a-z]+", heading.lower())]


# The meanings' words stemmed as headings are, so "Responsibilities" meets "responsible".
_STEMMED = {
    key: {stem(word): weight for word, weight in weights.items()}
    for key, (_, weights) in MEANINGS.items()
}


def weights(key):
    """The stems that speak for ``key`` and their weights."""
    return _STEMMED.get(key, {})


def _matches(stems, key):
    return sum(weight for s, weight in _STEMMED[key].items() if s in stems)


def scores(heading):
    """Each meaning's score for ``heading``, best first."""
    stems = set(words(heading))
    for (a, b), key in _PAIRS.items():  # "Who/when": two meanings written together
        if a in stems and b in stems:
            return [(key, 10)]
    ranked = {key: _matches(stems, key) for key in MEANINGS}
    for phrase, key, bonus in _PHRASES:
        if phrase <= stems:
            ranked[key] += bonus
    return sorted((r for r in ranked.items() if r[1] > 0), key=lambda r: -r[1])


def words_for(heading, key):
    """The words of ``heading`` that speak for ``key``, strongest first ("Lead officer" ->
    ["lead", "officer"]): what the preview quotes as its reason."""
    if key in ("who_when", "target_date"):
        return [w for w in re.findall(r"[a-z]+", heading.lower()) if stem(w) in _PAIR_STEMS[key]]
    weights = _STEMMED.get(key, {})
    found = {
        w: weights[stem(w)] for w in re.findall(r"[a-z]+", heading.lower()) if stem(w) in weights
    }
    for phrase, meant, _ in _PHRASES:
        if meant == key and phrase <= set(words(heading)):
            found = {w: 9 for w in re.findall(r"[a-z]+", heading.lower()) if stem(w) in phrase}
    return sorted(found, key=lambda w: -found[w])


_PAIR_STEMS = {key: set(pair) for pair, key in _PAIRS.items()}


def meaning(heading):
    """The field a heading means, or None if no meaning scores enough (the user maps it)."""
    ranked = scores(heading)
    if ranked and ranked[0][1] >= THRESHOLD:
        # A tie between two meanings is not recognition: the user says which.
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return ranked[0][0]
    return None


def leaning(heading):
    """The field ``heading`` names most, however weakly ("What?" -> action), or None."""
    ranked = scores(heading) if heading else []
    return ranked[0][0] if ranked else None


def period_label(heading):
    """ "November update" -> "November update": a progress heading naming its period."""
    return heading.strip() if _PERIOD.search(heading) else ""
