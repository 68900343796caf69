"""Publishing a committee report's pack, and publishing a correction of it.

"Publish the pack" is checked at once and carried out on the task queue
(pack_renders.publish_pack), which renders the pack (or takes the one kept for it) and freezes it:
the published PDF is never changed, and the report can no longer be. A correction ("Publish a
correction", saying what it corrects) goes the same way and adds a new version of the published
pack, rendered from the report as it now renders (its appendices as they stood on their dates, in
their layouts as they are now); every version stays downloadable with its own checksum.
"""

import contextlib

from django.db import transaction
from django.utils import timezone

from core.errors import Refused
from core.records import record_save

from . import appendix, pack_renders, packs, renders
from .models import CommitteeReport, PackPublishing, PackRendering, PublishedPack

MAX_CORRECTS = 2000


class ReportPublished(Refused):
    def __init__(self, report):
        super().__init__(
            f"This report was published on {timezone.localtime(report.published_at):%-d %B %Y} "
            "and its pack is frozen: it cannot be changed. Make a new report to change it."
        )


class ReportBeingPublished(Refused):
    def __init__(self):
        super().__init__(
            "This report is being published, so it cannot be changed now. If publishing fails, "
            "you can change it and publish it again."
        )


def locked_draft(report, *, publishing=False):
    """The report, locked for this transaction; refused if it has been published, or (unless
    this is the publication itself) while it is being published."""
    current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if current.is_published:
        raise ReportPublished(current)
    if not publishing and publishing_state(current)[0] == PUBLISHING:
        raise ReportBeingPublished()
    return current


PUBLISHING, PUBLISHED, FAILED, STOPPED = "publishing", "published", "failed", "stopped"


def publishing_state(report):
    """(state, PackPublishing or None): PUBLISHED; PUBLISHING (asked, waiting or under way);
    FAILED (``failure`` says why); STOPPED (asked so long ago, with no task left to do it, that
    it died with its worker); or "" (never asked). Of a published report, the state of the
    correction asked for (``publishing.corrects``), else PUBLISHED."""
    publishing = PackPublishing.objects.filter(report=report).first()
    if publishing is None:
        return (PUBLISHED if report.is_published else ""), None
    if publishing.failure:
        return FAILED, publishing
    # A publication takes one render at most (and a few moments): long after, with no task
    # waiting or running for it, its worker has died. A task still waiting will publish it.
    waited = timezone.now() - publishing.requested_at
    long_ago = waited > renders.stuck_after()
    if long_ago and not pack_renders.publish_waiting(report.pk):
        return STOPPED, publishing
    return PUBLISHING, publishing


def _check_publishable(report, version):
    if report.version != version:
        raise Refused(
            "Someone changed this report since you opened it. Check the pack again, then publish."
        )
    if not report.appendices.exists():
        raise Refused("Add at least one appendix before publishing the pack.")


@transaction.atomic
def report_publish_ask(report, *, actor, version):
    """The clerk's "Publish the pack": checked now (Refused if the report changed since
    ``version`` or has no appendix; ReportPublished once published) and carried out on the queue.
    The report is locked while this is checked, so a second press, or a second clerk, while it is
    on its way finds it and queues nothing more. Returns the PackPublishing."""
    current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if current.is_published:
        raise ReportPublished(current)
    return _ask(current, actor=actor, version=version, corrects="")


def _ask(current, *, actor, version, corrects):
    state, publishing = publishing_state(current)
    if state == PUBLISHING:
        return publishing
    _check_publishable(current, version)
    publishing, _ = PackPublishing.objects.update_or_create(
        report=current,
        defaults={
            "version": version,
            "requested_by": actor,
            "requested_at": timezone.now(),
            "failure": "",
            "corrects": corrects,
        },
    )
    # In this transaction: on the database queue the task is there exactly when this commits.
    pack_renders.publish_pack.enqueue(current.pk)
    return publishing


@transaction.atomic
def report_correct_ask(report, *, actor, version, corrects):
    """The clerk's "Publish a correction" of a published pack, saying what it ``corrects``
    (required): checked now and carried out on the queue, as "Publish the pack" is. The new
    version is rendered from the report as it renders then; the versions before stay as they
    were published. Returns the PackPublishing."""
    corrects = (corrects or "").strip()
    current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if not current.is_published:
        raise Refused("Only a published pack can be corrected: publish this one instead.")
    if not corrects:
        raise Refused("Say what the correction corrects.", field="corrects")
    if len(corrects) > MAX_CORRECTS:
        raise Refused(
            f"Say what the correction corrects in at most {MAX_CORRECTS} characters.",
            field="corrects",
        )
    if "\x00" in corrects:
        raise Refused("What the correction corrects cannot hold a NUL character.", field="corrects")
    return _ask(current, actor=actor, version=version, corrects=corrects)


PUBLISH_BROKE = (
    "Something went wrong while the pack was being published. Publish it again; if it fails "
    "again, tell your administrator."
)


def report_publish_asked(report_id):
    """The queued half of "Publish the pack": publish as asked, once; a failure is kept for the
    clerk in words. Returns what became of it (PUBLISHED, FAILED), or None if nothing was asked."""
    publishing = (
        PackPublishing.objects.select_related("report", "requested_by")
        .filter(report_id=report_id, failure="")
        .first()
    )
    if publishing is None:
        return None  # published already (by a task before this one), or failed
    # Publishing is asked deliberately: a render failure kept for the pack is tried again (an
    # appendix that cannot be made is for report_publish to say).
    with contextlib.suppress(appendix.AppendixError):
        pack_renders.pack_forget_failure(publishing.report)
    try:
        report_publish(
            publishing.report,
            actor=publishing.requested_by,
            version=publishing.version,
            corrects=publishing.corrects,
        )
    except ReportPublished:
        return PUBLISHED
    except Refused as refused:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=refused.message)
        return FAILED
    except Exception:
        PackPublishing.objects.filter(pk=publishing.pk).update(failure=PUBLISH_BROKE)
        raise  # logged by the worker, with its traceback
    return PUBLISHED


def report_publish(report, *, actor, version, corrects=""):
    """Render the pack (or take the one kept for it) and freeze it: the PDF and the settings it
    was made from are stored, and the report can no longer change. With ``corrects``, a
    correction of the published pack: a new version, the earlier ones kept as they were.

    Refused if the report changed since ``version`` (what was checked is what is published), if
    it has no appendix, or if the pack cannot be made; ReportPublished if it was published
    meanwhile (so it is published once). The render runs unlocked, within the limits; the report
    is then locked, checked again and frozen only if the pack still shows what was rendered.
    """
    for _ in range(3):
        current = CommitteeReport.objects.get(pk=report.pk)
        _check_state(current, corrects)
        _check_publishable(current, version)
        try:
            rendering = pack_renders.pack_rendered(current)
        except appendix.AppendixError as error:
            raise Refused(str(error)) from None
        if rendering.failed:
            raise Refused(pack_renders.pack_failure_message(rendering))
        with transaction.atomic():
            current = CommitteeReport.objects.select_for_update().get(pk=report.pk)
            _check_state(current, corrects)
            _check_publishable(current, version)
            try:
                unchanged = packs.key(current) == rendering.key
            except appendix.AppendixError as error:
                raise Refused(str(error)) from None
            if unchanged:
                return _freeze(current, rendering, actor=actor, corrects=corrects)
        # A plan in the pack changed while it was rendered: render it as it is now.
    raise Refused(
        "The plans in the pack kept changing while it was being published. Publish it again."
    )


def _check_state(report, corrects):
    if not corrects and report.is_published:
        raise ReportPublished(report)
    if corrects and not report.is_published:
        raise Refused("Only a published pack can be corrected: publish this one instead.")


def _freeze(report, rendering, *, actor, corrects=""):
    """A new version of the published pack (the first, or a correction): never changed after."""
    pdf = bytes(rendering.pdf)
    now = timezone.now()
    last = report.published_packs.order_by("-number").values_list("number", flat=True).first()
    frozen = PublishedPack(
        report=report,
        number=(last or 0) + 1,
        corrects=corrects,
        pdf=pdf,
        sha256=packs.digest(pdf),
        appendices=rendering.appendices,
        published_at=now,
        published_by=actor,
    )
    frozen.full_clean(exclude=["pdf"])
    record_save(
        frozen, actor=actor, reason="Correction published" if corrects else "Pack published"
    )
    if not report.is_published:
        report.status, report.published_at = CommitteeReport.Status.PUBLISHED, now
    report.version += 1
    record_save(
        report,
        actor=actor,
        reason=f"Correction published (version {frozen.number})"
        if corrects
        else "Committee report published",
        update_fields=["status", "published_at", "version"],
    )
    # The frozen PDF is the pack from now on: the drafts' renders and the request are done.
    PackPublishing.objects.filter(report=report).delete()
    PackRendering.objects.filter(report=report).delete()
    return report
