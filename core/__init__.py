"""What every domain app shares and none owns: the one refusal type, GOV.UK forms, saving with
a version and a reason, one-time form keys, how a person is named, and the council boundary's
questions. Nothing here imports a domain app (see docs/architecture.md)."""
