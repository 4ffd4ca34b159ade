"""The phrase bank and the fictional organisation behind ``qa-tui demo``.

Everything here is invented. Children and family members are never named ("the child", "Mum",
"the grandmother"); staff names are made up from common first and last names. The wording
follows the seeds and Signs of Safety practice: danger statements, safety goals, networks,
direct work, scaling, showing our workings out, supervision, drift and delay.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from qa_tui.demo.ids import new_uuid


@dataclass(frozen=True)
class Who:
    """A member of staff making changes on their own laptop."""

    name: str
    role: str
    device: str


BUILTIN_IDS = ("collaborative_practice_evaluation", "quality_of_practice_audit")
# Collaborative evaluations are the monthly routine; the long audit is for practice days.
TEMPLATE_WEIGHTS = (4, 1)
TYPE_WEIGHTS = {
    "collaborative_practice_evaluation": {"collaborative": 12, "practice_day": 3, "thematic": 1},
    "quality_of_practice_audit": {"practice_day": 3, "dip_sample": 3, "thematic": 2},
}
# Service area -> (case reference prefix, practitioner suffix, teams).
SERVICE_AREAS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Early Help — Locality North": ("EHM", "EHP", ("Locality North A", "Locality North B")),
    "Early Help — Locality South": ("EHM", "EHP", ("Locality South", "Family Hub South")),
    "First Contact/EDT": ("LCS", "SW", ("Front Door (MASH)", "Emergency Duty Team")),
    "Children in Need": ("LCS", "SW", ("Assessment Team 1", "Assessment Team 2", "CIN Team")),
    "Child Protection": ("LCS", "SW", ("Safeguarding Team East", "Safeguarding Team West")),
    "Children in Care": ("LCS", "SW", ("Children in Care 1", "Children in Care 2", "Permanence")),
    "Care Leavers": ("LCS", "PA", ("Leaving Care Team", "Staying Put & Transitions")),
    "Youth Justice": ("YJS", "YJO", ("Youth Justice North", "Youth Justice South")),
    "Fostering": ("FOS", "SSW", ("Fostering Recruitment", "Fostering Support", "Kinship Care")),
}

FIRST_NAMES = (
    "Sam",
    "Jo",
    "Alex",
    "Priya",
    "Tom",
    "Hannah",
    "Marcus",
    "Aisha",
    "Rachel",
    "Daniel",
    "Fiona",
    "Kwame",
    "Leah",
    "Owen",
    "Nadia",
    "Gareth",
    "Sophie",
    "Imran",
    "Claire",
    "Ben",
    "Ruth",
    "Tariq",
    "Megan",
    "Callum",
    "Zara",
    "Helen",
    "Luke",
    "Amira",
    "Joel",
    "Bethan",
)
LAST_NAMES = (
    "Patel",
    "Whitfield",
    "Okafor",
    "Shah",
    "Reilly",
    "Morgan",
    "Evans",
    "Hussain",
    "Clarke",
    "Nowak",
    "Bennett",
    "Osei",
    "Hughes",
    "Lloyd",
    "Begum",
    "Fraser",
    "Kaur",
    "Doyle",
    "Mensah",
    "Price",
    "Walsh",
    "Iqbal",
    "Turner",
    "Campbell",
    "Rees",
    "Ahmed",
    "Fletcher",
)
AUDITOR_ROLES = (
    "Team manager",
    "Team manager",
    "Assistant team manager",
    "Service manager",
    "Principal social worker",
    "Head of service",
    "Director of Social Care",
)

FAMILY = (
    ("Mum", "Parent"),
    ("Dad", "Parent"),
    ("the grandmother", "Grandparent (kinship carer)"),
    ("the carer", "Foster carer"),
    ("the young person", "Young person"),
)

THEMES = (
    "Neglect and the Graded Care Profile",
    "Child exploitation (CCE/CSE)",
    "Domestic abuse and coercive control",
    "Pre-birth assessments",
    "Children missing education",
    "Transitions to adulthood",
    "Parental mental health",
)
PRACTICE_DAYS = (
    "Practice Fortnight — spring",
    "Practice Fortnight — autumn",
    "Monthly practice day — North",
    "Monthly practice day — South",
)

EVIDENCE: dict[str, tuple[str, ...]] = {
    "high": (
        "The record shows a clear line from the danger statement to the safety goals.",
        "Direct work with the child (three houses and a words and pictures explanation) is on file "
        "and the child's own words shape the plan.",
        "The practitioner shows their workings out: the analysis weighs what is working well "
        "against the worries and explains the decision.",
        "Visits are within timescales and each case note records what the child said and did.",
        "The safety network has grown from two to five people and each knows their part in the "
        "safety plan.",
        "Supervision notes record reflective discussion, a current scaling and clear next steps.",
        "Partners (school, health visitor, police) contributed to the assessment and their views "
        "are analysed, not just listed.",
    ),
    "middle": (
        "The assessment is thorough but the danger statement is written in professional language "
        "the family would struggle to understand.",
        "Direct work with the child took place but is not yet reflected in the plan.",
        "The plan has actions but several are not specific about who, by when and how we will "
        "know they are done.",
        "Supervision is regular but mostly task focussed; the rationale for decisions is thin.",
        "The network is identified but has not yet met together to agree the safety plan.",
        "Some visits are out of timescale during the summer; the record explains why.",
        "Chronology is present but has not been updated since the last review.",
    ),
    "low": (
        "There is drift and delay: the plan has not changed in six months despite new worries.",
        "No direct work with the child is recorded since the case was allocated.",
        "The danger statement and safety goals are missing, so it is unclear what needs to change.",
        "Management oversight is limited to allocation; no reflective supervision is recorded.",
        "Several statutory visits are overdue and the record does not say why.",
        "The lived experience of the child is not described anywhere in the record.",
    ),
}
WORKINGS_OUT = (
    "Showing our workings out: we looked at the last three visits, the core group minutes and "
    "the school's report before deciding.",
    "We checked the supervision record and the case notes to test this judgement.",
    "The practitioner talked this through with me; the record supports what they said.",
)
NA_REASONS = (
    "Not applicable: the case closed at the front door with advice and information only.",
    "Not applicable: no conference was held in the period evaluated.",
    "Not applicable: the young person is over 18 and this stage does not apply.",
)

# Evidence for an example under a judgement (a prompt): short, where it was seen or not.
PROMPT_EVIDENCE = {
    "seen": (
        "Seen in the assessment of last month.",
        "In the case notes of the last two visits.",
        "The supervision record of last month shows it.",
        "Clear in the child's plan and the core group minutes.",
    ),
    "not_seen": (
        "Not in the record for the period evaluated.",
        "The practitioner described it, but it is not recorded.",
        "Looked for in the case notes and the plan: not found.",
    ),
}
# The stages of a case's journey, in order: a case may not have reached the later ones yet.
STAGE_ORDER = ("contact_referral", "basic_information", "assessment", "planning", "review")

WORKING_WELL = (
    "Mum has kept every health appointment since the last core group.",
    "The grandmother collects the child from school three days a week and is part of the network.",
    "The child told the social worker they feel safe at the carer's home and named two trusted "
    "adults at school.",
    "Dad has completed the domestic abuse perpetrator programme and attends contact on time.",
    "School attendance has risen from 71% to 94% this term.",
    "The young person is engaging with the youth worker and has started a college course.",
    "The family worked out their own safety plan at the family network meeting.",
    "The practitioner has a warm, consistent relationship with the child.",
)
WORRIES = (
    "Danger statement: the social worker and the school are worried that if Mum and Dad argue and "
    "it becomes physical, the child could be hurt or frightened, as happened last winter.",
    "We are worried that when Mum's mental health deteriorates the child is left to care for "
    "younger siblings and misses school.",
    "We are worried that the young person is going missing overnight and may be at risk of "
    "exploitation.",
    "The home conditions have declined again and the Graded Care Profile scores have worsened.",
    "The network is small and relies on one person, the grandmother, who is unwell.",
    "Complicating factor: Dad disputes the worries, so it is hard to agree what needs to change.",
)
NEEDS_TO_HAPPEN = (
    "Safety goal: the child will always have a safe adult with them when Dad has been drinking, "
    "and the network will know the plan.",
    "Hold a family network meeting within four weeks to widen the safety network.",
    "Complete direct work with the child (three houses) before the next review.",
    "Rewrite the danger statement and safety goals with the family in plain words.",
    "Agree a missing-from-home protocol with the young person and the police.",
    "Step down to Early Help once the safety plan has been tested for three months.",
)
SCALE_RATIONALE: dict[str, tuple[str, ...]] = {
    "high": (
        "The safety plan is working and the network is strong; the child says things are better.",
        "Worries have reduced and there is evidence of sustained change over six months.",
    ),
    "middle": (
        "Good progress but the network is new and has not yet been tested.",
        "Some change, but it depends on Mum's mental health staying stable.",
    ),
    "low": (
        "The danger statement still applies and little has changed since the last review.",
        "Drift and delay mean the child is living with the same worries as a year ago.",
    ),
}
DIRECT_FEEDBACK = (
    "Said the social worker 'actually listens and explains things properly'.",
    "Said they did not know why meetings kept being cancelled and felt left out.",
    "Said the family network meeting was the first time everyone was on the same page.",
    "Said they liked doing the three houses and wanted the judge to see it.",
    "Said they would like fewer changes of worker.",
)
# Where feedback was found in the record, by a word in the template's source id.
RECORD_FEEDBACK: dict[str, str] = {
    "assessment": "The child's wishes and feelings are recorded in the assessment in their own "
    "words.",
    "supervision": "The supervision record notes the carer's view that contact is going better.",
    "carer": "The carer's views are in the annual carer review: positive about the support.",
    "case_notes": "Case notes record a telephone call in which the grandmother said the plan "
    "was helping.",
    "complaint": "A compliment from Mum is logged about the practitioner's patience.",
    "compliment": "A compliment from Mum is logged about the practitioner's patience.",
    "questionnaire": "The conference questionnaire shows Dad felt listened to but unclear about "
    "the plan.",
    "survey": "The family survey says the plan was explained in words they understood.",
    "mind_of_my_own": "A Mind of My Own statement from the young person asks for fewer meetings "
    "at school.",
    "visits": "The visit record quotes the child: 'I like it when you come on Tuesdays'.",
    "meetings": "The core group minutes record Mum saying the network meeting helped.",
}
RECORD_FEEDBACK_OTHER = "The record shows the family's views were sought and what they said."
ACTIONS = (
    "Update the danger statement and safety goals with the family in plain language",
    "Complete and record direct work with the child before the next review",
    "Hold a family network meeting to widen the safety network",
    "Bring the chronology up to date",
    "Record management oversight and the rationale for the current plan",
    "Make the plan SMART: who, what, by when, and how we will know",
    "Seek the child's views for the review (Mind of My Own)",
    "Refer to the exploitation panel and agree a disruption plan",
)
PROGRESS_UNDER_WAY = (
    "Discussed in supervision; the practitioner has protected time this week.",
    "Started: first session booked with the family.",
    "Partly done; the rest is planned for the next core group.",
)
PROGRESS_DONE = (
    "Done and recorded on the child's file.",
    "Completed and checked in supervision.",
    "Done; the team manager has seen the updated record.",
)


def record_feedback(source_id: str) -> str:
    """What feedback found in the record says, for a template's source id."""
    return next(
        (text for word, text in RECORD_FEEDBACK.items() if word in source_id),
        RECORD_FEEDBACK_OTHER,
    )


CONCERNS = (
    "The child disclosed at the evaluation visit that Dad hit Mum last weekend; no strategy "
    "discussion is recorded. Escalated to the team manager the same day.",
    "The young person has been missing three times this month and no return home interviews "
    "are recorded.",
    "A referral from the school about bruising has not been responded to within timescales.",
)
STRENGTHS = (
    "A warm, child-centred relationship; the child's voice runs through the record.",
    "Clear danger statement and safety goals, understood by the family and the network.",
    "Timely, purposeful visits and strong partnership working with school and health.",
    "Reflective supervision that shows the workings out behind decisions.",
)
DEVELOPMENT = (
    "Make the plan SMART and review it at every core group.",
    "Record direct work with the child and show how it shaped the plan.",
    "Address drift: agree timescales for change and what happens if they are not met.",
    "Write for the child: plain language the young person could read later in life.",
)
YES_NO_REASONS = (
    "The record shows it clearly in the latest assessment and plan.",
    "Partly: it is discussed in supervision but not written into the plan.",
    "Not evidenced in the record for the period evaluated.",
)
TEXT_ANSWERS = (
    "Reflective conversation with the practitioner about what has changed for the child and why.",
    "Learning for the team: use words and pictures explanations at the start of the work.",
    "The practitioner will share the learning at the next team meeting.",
)
REOPEN_REASONS = (
    "New information from the core group changes the judgement on planning.",
    "Practitioner asked to add the direct work completed last week.",
    "Moderation group asked for the evidence on management oversight to be expanded.",
)


class Organisation:
    """The fictional authority: staff, their laptops, teams and service areas."""

    def __init__(self, rng: random.Random, case_pattern: str) -> None:
        def person() -> str:
            return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

        self.auditors = [Who(person(), rng.choice(AUDITOR_ROLES), new_uuid(rng)) for _ in range(24)]
        self.practitioners = {
            team: [f"{person()} ({suffix})" for _ in range(5)]
            for _prefix, suffix, teams in SERVICE_AREAS.values()
            for team in teams
        }
        self.iros = [f"{person()} (IRO)" for _ in range(4)]
        self.managers = {"team_manager": person(), "service_manager": person()}
        self.director = person()
        self.hyphen = bool(re.fullmatch(case_pattern, "LCS-204817")) or not re.fullmatch(
            case_pattern, "LCS204817"
        )


def list_bank(key: str) -> tuple[str, ...]:
    """The phrases for a list item, chosen by words in its id and prompt."""
    key = key.lower()
    if "well" in key or "strength" in key:
        return WORKING_WELL
    if "worr" in key or "danger" in key:
        return WORRIES
    if "happen" in key or "goal" in key or "next" in key:
        return NEEDS_TO_HAPPEN
    return WORKING_WELL + WORRIES + NEEDS_TO_HAPPEN
