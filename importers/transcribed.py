"""A transcribed plan (the demo's YAML, fixtures/plans/*.yaml) read as one more kind of file.

A table file gives cells that ``parse`` turns into a ``parse.Preview``; a transcription is already
structured, so it gives the same ``Preview`` directly: sections of recommendations of actions in
the dicts ``parse`` makes, confirmed through the same ``service.confirm`` and
``plan_writer.plan_import``. What a table cannot hold and a transcription does (an
action's reference and supporting owners, measures and their readings, updates attributed to an
owner, the plan's status) rides in the same dicts under the keys ``plan_import`` documents; the
file's owners and inspections, which the plans name, come beside the previews
(see fixtures/README.md for the shape of a file).
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import yaml

from actionplans.fuzzy_dates import derive_date

from . import headers, parse
from .readers import Unreadable

LONDON = ZoneInfo("Europe/London")
_tick = itertools.count()


@dataclass
class Transcript:
    name: str
    organisation: str
    service: str
    source: str
    document: str  # what the plan was taken from, in the council's words, for history
    owners: list = field(default_factory=list)  # the file's owner specs, as written
    inspections: list = field(default_factory=list)  # the file's inspection specs, as written
    plans: list = field(default_factory=list)  # a parse.Preview for each plan

    @property
    def first_date(self):
        dates = [p.date for p in self.plans if p.date]
        return min(dates) if dates else dt.date.today()


def moment(day):
    """Midday in London on ``day``, each call a microsecond after the last: when a document's
    actions and updates were written down, in the order it gives them."""
    midday = dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
    return midday + dt.timedelta(microseconds=next(_tick) % 1_000_000)


def read_yaml(name, data):
    """The transcription in ``data`` (bytes or text); Unreadable if it is not one."""
    try:
        content = yaml.safe_load(data)
    except yaml.YAMLError as error:
        raise Unreadable(f"{name} is not a readable YAML file ({error}).") from None
    if not isinstance(content, dict) or "organisation" not in content:
        raise Unreadable(f"{name} is not a transcribed plan: it names no organisation.")
    transcript = Transcript(
        name=name,
        organisation=content["organisation"],
        service=content.get("service") or "",
        source=content.get("source") or name,
        document=content.get("document") or f"the transcribed plan {name}",
        owners=content.get("owners") or [],
        inspections=content.get("inspections") or [],
    )
    defined = {spec["name"] for spec in transcript.owners}
    for spec in transcript.owners:
        _check_names(name, defined, spec.get("members") or [])
    for spec in content.get("plans") or []:
        preview = _preview(spec)
        _check_names(name, defined, _names_in(preview))
        transcript.plans.append(preview)
    return transcript


def _check_names(name, defined, names):
    for owner in names:
        if owner not in defined:
            raise Unreadable(f"{name}: owner {owner!r} is not defined")


def _names_in(preview):
    extra = preview.extra
    names = [extra.get("sponsor"), extra.get("governance_body")]
    for rec in preview.recommendations:
        names += [rec.get("accountable_body"), *rec["leads"]]
        names += [u["author"] for u in rec["progress"]]
        for action in rec["actions"]:
            names += [action["accountable_body"]] + [u["author"] for u in action["progress"]]
            names += [o["name"] for o in action["owners"] + action["supporting"]]
    return [n for n in names if n]


def _preview(spec):
    when = spec["recorded_on"]
    result = parse.Preview(
        title=spec["title"],
        subtitle=spec.get("introduction") or "",
        date=when,
        date_text=f"{when:%-d %B %Y}",
        overall_rating=spec.get("overall_rating") or "",
    )
    for position, heading in enumerate(spec.get("column_names") or []):
        key = headers.meaning(heading)
        result.columns.append(
            {
                "heading": heading,
                "field": key,
                "recognised": bool(key),
                "position": position,
                "label": headers.LABELS.get(key, ""),
            }
        )
    result.extra = {
        # The plan's headings as it writes them, recognised or not: its default layout.
        "column_names": list(spec.get("column_names") or []),
        "directorate": spec.get("directorate") or "",
        "sponsor": spec.get("sponsor"),
        "governance_body": spec.get("governance_body"),
        "status": spec.get("status") or "",
        "submitted_on": spec.get("submitted_on"),
    }
    result.answers = list(spec.get("answers") or [])
    for s_spec in spec.get("sections") or []:
        recommendations = [_recommendation(r, when) for r in s_spec.get("recommendations") or []]
        result.sections.append(
            {"title": s_spec.get("title") or "", "recommendations": recommendations}
        )
    names = [o["name"] for a in result.actions for o in a["owners"] + a["supporting"]]
    result.owners = list(dict.fromkeys(names))
    return result


def _recommendation(spec, when):
    return {
        "reference": str(spec.get("reference") or ""),
        "text": spec["text"],
        "paragraph": str(spec.get("paragraph") or ""),
        "outcomes": spec.get("outcomes") or "",
        "benchmark": spec.get("benchmark_as_written") or "",
        "target_date": spec.get("target_as_written") or "",
        "leads": list(spec.get("leads") or []),
        "accountable_body": spec.get("accountable_body"),
        "findings": list(spec.get("findings") or []),
        "measures": [_measure(m) for m in spec.get("measures") or []],
        "progress": [_update(u) for u in spec.get("progress") or []],
        "actions": [_action(a, when) for a in spec.get("actions") or []],
        "row": 0,
    }


def _action(spec, when):
    planned = str(spec.get("planned_completion") or "")
    supporting = []
    for item in spec.get("supporting") or []:
        if isinstance(item, dict):
            supporting.append({"name": item["name"], "as_written": item.get("as_written") or ""})
        else:
            supporting.append({"name": item, "as_written": ""})
    return {
        "reference": str(spec.get("reference") or ""),
        "text": spec["text"],
        "owners_as_written": spec.get("owners_as_written") or "",
        "owners": [{"name": name, "initials": ""} for name in spec.get("owners") or []],
        "supporting": supporting,
        "accountable_body": spec.get("accountable_body"),
        "planned_completion": planned,
        "planned_date": derive_date(planned),
        "status": spec.get("status") or "",
        "rag": "",
        "performance_indicator": spec.get("performance_indicator") or "",
        "target": spec.get("target") or "",
        "also_answers": [str(ref) for ref in spec.get("also_answers") or []],
        "measures": [_measure(m) for m in spec.get("measures") or []],
        "progress": [_update(u) for u in spec.get("progress") or []],
        # Added when the document was written: its age counts towards "no recent update".
        "created_at": moment(when),
        "row": 0,
    }


def _update(spec):
    return {
        "date": spec["date"],
        "label": str(spec.get("period_label") or ""),
        "text": spec["text"],
        "author": spec.get("author"),  # an owner the document attributes it to, or nobody
        "created_at": moment(spec["date"]),
    }


def _measure(spec):
    return {
        "name": spec.get("name") or "",
        "unit": spec.get("unit"),
        "baseline_text": spec.get("baseline") or "",
        "baseline_value": spec.get("baseline_value"),
        "baseline_date": spec.get("baseline_date"),
        "baseline_source": spec.get("baseline_source") or "",
        "target_text": spec.get("target") or "",
        "target_value": spec.get("target_value"),
        "target_date_text": str(spec.get("target_date_text") or ""),
        "readings": [
            {
                "period_label": str(r.get("period_label") or ""),
                "taken_on": r.get("taken_on"),
                "value": r.get("value"),
                "numerator": r.get("numerator"),
                "denominator": r.get("denominator"),
                "note": r.get("note") or "",
            }
            for r in spec.get("readings") or []
        ],
    }
