"""The manager's changes to the owners an import will create or match, made on its preview before
anything is saved (issue 26): merge one owner into another (every cell that named the first names
the second), rename one, change its kind, match it to an existing owner of the importing council
or its partner agencies (``plan_writer.matchable_owners``, never another council's), or undo a
match (a new owner).

The changes are kept with the upload (``PendingImport.document["owner_edits"]``), keyed by the
owner's name as the importer read it (``plan_owners.settle``), and put on every preview of it
(``apply``), so that its confirmation writes the owners as changed. ``version`` says what the
preview's owners stood on: a change posted from a page shown before another change (a double
post, a second tab, a new column meaning) is refused instead of undoing it."""

import hashlib
import json

from actionplans.models import Owner
from core.errors import Refused

from . import plan_writer

KEY = "owner_edits"
NEW, EXISTING, SAME = "new", "existing", "same"


def stored(document):
    """The changes kept with an upload's read document (none for one that holds none)."""
    edits = (document or {}).get(KEY) if isinstance(document, dict) else None
    if not isinstance(edits, dict):
        return {}
    return {k: v for k, v in edits.items() if isinstance(k, str) and isinstance(v, dict)}


def version(mapping, edits, originals):
    """What the owners of a preview stand on: the columns' meanings, the changes made and the
    owners read, as a short fingerprint a form carries."""
    text = json.dumps([mapping or {}, edits or {}, list(originals)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _columns(result):
    def heading(*fields):
        return next((c["heading"] for c in result.columns if c["field"] in fields), "")

    return heading("owners", "who_when"), heading("accountable_body")


def _resolve(name, edits, originals):
    """The owner ``name`` ends as, following merges (a loop, which ``change`` never makes, stops
    where it would repeat)."""
    seen = {name}
    while True:
        into = (edits.get(name) or {}).get("into")
        if into not in originals or into in seen:
            return name
        seen.add(into)
        name = into


def _chosen(edits, organisation):
    """The existing owners the changes match, read in one query, within the council's boundary."""
    ids = [e["match"] for e in edits.values() if isinstance((e or {}).get("match"), int)]
    if not ids or not organisation:
        return {}
    return {o.pk: o for o in plan_writer.matchable_owners(organisation).filter(pk__in=ids)}


def _entry(original, details, edit, chosen):
    """The owner ``original`` as the changes make it: what ``plan_import`` takes."""
    match = chosen.get(edit.get("match"))
    if match is not None:
        return {
            "name": match.name,
            "initials": match.initials,
            "kind": match.kind,
            "job_title": match.job_title,
            "owner_id": match.pk,
        }
    entry = dict(details.get(original) or {"name": original, "kind": Owner.Kind.PERSON})
    entry.pop("owner_id", None)
    name = edit.get("name")
    entry["name"] = (
        (name if isinstance(name, str) and name else "") or entry.get("name") or original
    )
    if edit.get("kind") in Owner.Kind.values:
        entry["kind"] = edit["kind"]
    if edit.get("new"):
        entry["create"] = True
    return entry


def apply(result, edits, *, organisation="", known=()):
    """The preview ``result`` with its owners as ``edits`` make them: each action's owners and
    body, ``owners`` and ``owner_details`` (what ``plan_import`` writes), ``matched`` and
    ``created``; and ``owner_list``, one row per owner as read (the ones merged into another
    too), with the cells (row and column) each came from, for the page to show and change.
    ``known`` are the names the council and its partner agencies already use."""
    originals = list(result.owners)
    details = dict(result.owner_details)
    chosen = _chosen(edits, organisation)
    owners_column, body_column = _columns(result)
    cells = {name: [] for name in originals}
    for action in result.actions:
        row = action.get("row", 0)
        for owner in action.get("owners") or []:
            cells.setdefault(owner["name"], []).append((row, owners_column))
        if action.get("accountable_body"):
            cells.setdefault(action["accountable_body"], []).append((row, body_column))
    final = {
        name: _entry(name, details, edits.get(name) or {}, chosen)
        for name in originals
        if _resolve(name, edits, originals) == name
    }

    def becomes(name):
        return final.get(_resolve(name, edits, originals)) if name in cells else None

    for action in result.actions:
        entries = {}
        for owner in action.get("owners") or []:
            entry = becomes(owner["name"]) or owner
            entries.setdefault(entry["name"].casefold(), dict(entry))
        action["owners"] = list(entries.values())
        body = becomes(action.get("accountable_body") or "")
        if body:
            action["accountable_body"] = body["name"]
    folded = {text.casefold() for pair in known for text in pair if text}
    result.owners, result.owner_details, result.matched, result.created = [], {}, [], []
    for entry in final.values():
        if entry["name"] in result.owner_details:
            continue
        result.owners.append(entry["name"])
        result.owner_details[entry["name"]] = entry
        matched = "owner_id" in entry or (
            not entry.get("create") and entry["name"].casefold() in folded
        )
        (result.matched if matched else result.created).append(entry["name"])
    matched = set(result.matched)
    gives = {}  # an owner's cells and those of the owners merged into it
    for name in originals:
        gives.setdefault(_resolve(name, edits, originals), []).extend(cells.get(name, []))
    result.owner_list = []
    for number, name in enumerate(originals):
        into = _resolve(name, edits, originals)
        own = sorted(gives[name]) if into == name else cells.get(name, [])
        entry = final[into]
        result.owner_list.append(
            {
                "number": number,
                "read_as": name,
                "name": entry["name"],
                "kind": Owner.Kind(entry["kind"]).label
                if entry.get("kind") in Owner.Kind.values
                else "",
                "kind_value": entry.get("kind") or "",
                "merged_into": final[into]["name"] if into != name else "",
                "into_number": originals.index(into) if into != name else None,
                "match": chosen.get(entry.get("owner_id")),
                "matched": entry["name"] in matched,
                "cells": _where(own),
            }
        )
    result.owner_originals = originals
    return result


def _where(cells):
    """The cells an owner came from, as (column, rows): ("Lead officer", "rows 3, 4, 7")."""
    by_column = {}
    for row, column in cells:
        by_column.setdefault(column, {})[row] = None  # each row once, in order
    out = []
    for column, rows in by_column.items():
        rows = list(rows)
        shown = ", ".join(str(r) for r in rows[:12])
        if len(rows) > 12:
            shown += f" and {len(rows) - 12} more"
        out.append((column or "(no heading)", ("rows " if len(rows) > 1 else "row ") + shown))
    return out


def change(
    edits, result, number, choice, *, organisation, name="", kind="", existing=None, same=None
):
    """The changes ``edits`` with the owner ``number`` of the preview ``result`` changed as the
    manager chose; Refused, with why, where it cannot be (nothing is kept then)."""
    originals = result.owner_originals
    if not isinstance(number, int) or not 0 <= number < len(originals):
        raise Refused("There is no such owner in this import.")
    original = originals[number]
    # Kept for owners this preview does not read too: a column's meaning changed back brings
    # them back with their changes.
    edits = {k: dict(v) for k, v in edits.items() if isinstance(v, dict)}
    if choice == SAME:
        if not isinstance(same, int) or not 0 <= same < len(originals) or same == number:
            raise Refused("Choose another owner of this file to merge it into.", field="same")
        target = originals[same]
        if _resolve(target, edits, originals) == original:
            raise Refused(
                f"“{result.owner_list[same]['read_as']}” is already merged into this owner: "
                "change that one first.",
                field="same",
            )
        edits[original] = {"into": target}
    elif choice == EXISTING:
        owner = None
        if isinstance(existing, int) and organisation:
            owner = plan_writer.matchable_owners(organisation).filter(pk=existing).first()
        if owner is None:
            raise Refused(
                "Choose one of your council's or its partner agencies' owners: that one is not.",
                field="existing",
            )
        edits[original] = {"match": owner.pk}
    elif choice == NEW:
        if kind not in Owner.Kind.values:
            raise Refused("Choose what kind of owner it is.", field="kind")
        _check_new_name(name, original, edits, result, organisation)
        edits[original] = {"name": name, "kind": kind, "new": True}
    else:
        raise Refused("Choose what this owner is.", field="choice")
    return edits


def _check_new_name(name, original, edits, result, organisation):
    originals = result.owner_originals
    if not name:
        raise Refused("Enter the owner's name.", field="name")
    for row in result.owner_list:
        other = originals[row["number"]]
        if other == original or _resolve(other, edits, originals) == original:
            continue
        if row["name"].casefold() == name.casefold():
            raise Refused(
                f"Another owner in this file is called “{row['name']}”: to make them one, "
                "choose “The same as another owner in this file”.",
                field="name",
            )
    if organisation and Owner.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise Refused(
            f"The council already has an owner called “{name}”: choose it under “An owner the "
            "council has already”, or give this one another name.",
            field="name",
        )
