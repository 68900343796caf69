"""Who does the work: a named officer, a role, a team, a board or a partner agency."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.validators import one_of


class OwnerKind(models.TextChoices):
    PERSON = "person", "Person"
    ROLE = "role", "Role"
    TEAM = "team", "Team"
    BOARD = "board", "Board"
    SUB_GROUP = "sub_group", "Sub-group"
    PARTNER_AGENCY = "partner_agency", "Partner agency"


class OfficerLevel(models.TextChoices):
    """How senior a person's post is, most senior first: a council names in public those at or
    above the level it chooses (PublicationPolicy) and shows the rest by their post."""

    DIRECTOR = "director", "Director or assistant director"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    SERVICE_MANAGER = "service_manager", "Service manager"
    TEAM_MANAGER = "team_manager", "Team manager"
    OFFICER = "officer", "Officer"

    @classmethod
    def rank(cls, value):
        """0 for the most senior; a person whose level is not recorded ranks as an officer."""
        values = list(cls.values)
        return values.index(value) if value in values else len(values) - 1


class Owner(models.Model):
    """Who owns, leads or oversees work: a named officer, a role, a team, a board or a partner."""

    Kind = OwnerKind

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    organisation = models.CharField(
        max_length=200, help_text="The council, or the partner agency the owner belongs to."
    )
    service = models.CharField(
        max_length=200,
        blank=True,
        help_text="The service within the organisation, to tell apart posts with the same title.",
    )
    job_title = models.CharField(max_length=200, blank=True)
    level = models.CharField(
        "seniority",
        max_length=20,
        choices=OfficerLevel.choices,
        blank=True,
        help_text="For a person: decides whether the public version of an appendix names them "
        "or shows their post.",
    )
    initials = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owner",
        help_text="The login of a named officer, if they use the service.",
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        help_text="People (or teams) who belong to this team, role, board or sub-group.",
    )

    # Bumped on every edit, so that a save based on a stale copy is refused (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["organisation", "service", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "name"], name="owner_unique_name"
            ),
            one_of("owner_kind_valid", "kind", OwnerKind.choices),
            one_of("owner_level_valid", "level", OfficerLevel.choices, blank=True),
        ]

    def __str__(self):
        return self.named(self.name, self.initials)

    def get_absolute_url(self):
        return reverse("owner_detail", args=[self.pk])

    @staticmethod
    def named(name, initials=""):
        """How an owner of this name and initials is shown (without making one: rows of
        thousands of updates name their owners this way)."""
        return name if initials in ("", name) else f"{name} ({initials})"

    def clean(self):
        if self.user_id and self.kind != self.Kind.PERSON:
            raise ValidationError({"user": "Only a person can have a login."})
