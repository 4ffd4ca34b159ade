"""The product's vocabulary: evaluation types, statuses, recipients (from the seeds).

Plain data at the bottom of the layers, so each word has one home whoever needs it: the store
filters by the statuses, templates name the evaluation types, the rules check them all.
"""

from __future__ import annotations

# What ``qa-tui central init`` writes as a database's role in its meta table (the QA team's
# central database; a laptop's has none). Here so that start-up reads it without SQLAlchemy.
CENTRAL_ROLE = "central"

EVALUATION_TYPES: dict[str, str] = {
    "collaborative": "Collaborative practice evaluation",
    "thematic": "Thematic practice evaluation",
    "dip_sample": "Dip sample / desk-top audit",
    "practice_day": "Practice day",
}

# The template each type of evaluation usually uses (seed 000: collaborative and thematic
# practice evaluation; seed 004: practice days and audits, dip samples among them). New
# evaluation suggests it when the type is chosen; the user can still choose another.
USUAL_TEMPLATE: dict[str, str] = {
    "collaborative": "collaborative_practice_evaluation",
    "thematic": "collaborative_practice_evaluation",
    "dip_sample": "quality_of_practice_audit",
    "practice_day": "quality_of_practice_audit",
}

OVERALL = "overall"  # the item id of an evaluation's overall judgement

STATUSES: dict[str, str] = {"draft": "Draft", "completed": "Completed", "reopened": "Reopened"}

ACTION_STATUSES: dict[str, str] = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "cancelled": "No longer needed",
}
OPEN_ACTION_STATUSES = ("open", "in_progress")

# Seed 000 §3.4: an evaluation with immediate concerns is shared in writing with these.
CONCERN_RECIPIENTS: dict[str, str] = {
    "practitioner": "Practitioner",
    "team_manager": "Team manager",
    "service_manager": "Service manager",
    "director_social_care": "Director of Social Care",
}

# Seed 000 §4.8: the outcome goes to the child's electronic record and to these.
SUMMARY_RECIPIENTS: dict[str, str] = {
    "child_record": "Child's electronic record",
    "practitioner": "Practitioner",
    "team_manager": "Team manager",
    "service_manager": "Service manager",
}

# An immediate concern's lifecycle (raised when the evaluation records it).
CONCERN_STAGES: dict[str, str] = {
    "raised": "Raised",
    "shared": "Shared",
    "acknowledged": "Acknowledged",
    "closed": "Closed",
}

SHARE_METHODS: dict[str, str] = {
    "email": "Secure email",
    "letter": "Letter",
    "case_record": "Case record (written note)",
    "attached": "Attached to the electronic record",
    "in_person": "In person",
}

# Limits that keep one field from swamping the database or the screen.
MAX_TEXT = 50_000
MAX_SHORT_TEXT = 200


# The grade every scale may allow beside its own (with a reason).
NOT_APPLICABLE = "not_applicable"

# The default grading scale's words (both built-in templates use it); the home list shows
# these before the templates have loaded (here, not in framework.model: the list's start-up
# read need not import the template model).
DEFAULT_GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
    NOT_APPLICABLE: "Not applicable",
}
