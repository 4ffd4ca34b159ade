"""The home list read straight from a SQLite file with the standard library.

Start-up fast path: importing SQLAlchemy and Alembic costs about half a second, so the app
first shows the evaluations with this read-only query and opens the full workspace after. It
answers only for a SQLite file already at the schema the migration scripts lead to
(:func:`qa_tui.store.revisions.head_revision`); otherwise it returns None and the app waits for
the workspace. Its rows equal :func:`qa_tui.store.queries.list_evaluations`, open actions
counted by the same statuses (tests/unit/test_quicklist.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from qa_tui.store.revisions import head_revision
from qa_tui.store.rows import EvaluationRow
from qa_tui.vocab import OPEN_ACTION_STATUSES

_QUERY = f"""
SELECT e.id, e.case_reference, e.service_area, e.team, e.practitioner, e.auditor,
       e.evaluation_type, e.template_id, e.template_version, e.status, e.overall_grade,
       COALESCE(a.n, 0), e.immediate_concern, e.evaluation_date, e.created_at,
       e.completed_at, COALESCE(c.n, 0), COALESCE(s.n, 0), COALESCE(v.acknowledged, 0),
       COALESCE(v.closed, 0), e.demo
FROM evaluations AS e
LEFT JOIN (SELECT evaluation_id, COUNT(*) AS n FROM actions
           WHERE NOT deleted AND current_status IN ({", ".join("?" for _ in OPEN_ACTION_STATUSES)})
           GROUP BY evaluation_id) AS a ON a.evaluation_id = e.id
LEFT JOIN (SELECT evaluation_id, COUNT(*) AS n FROM field_states WHERE conflict = 1
           GROUP BY evaluation_id) AS c ON c.evaluation_id = e.id
LEFT JOIN (SELECT evaluation_id, COUNT(DISTINCT recipient_role) AS n FROM concern_shares
           WHERE NOT deleted AND recipient_role IN
               ('practitioner', 'team_manager', 'service_manager', 'director_social_care')
           GROUP BY evaluation_id) AS s ON s.evaluation_id = e.id
LEFT JOIN (SELECT evaluation_id,
                  SUM(CASE WHEN kind = 'acknowledged' THEN 1 ELSE 0 END) AS acknowledged,
                  SUM(CASE WHEN kind = 'closed' THEN 1 ELSE 0 END) AS closed
           FROM concern_events WHERE NOT deleted
           GROUP BY evaluation_id) AS v ON v.evaluation_id = e.id
WHERE NOT e.deleted
ORDER BY e.evaluation_date DESC, e.created_at DESC, e.id
"""


def sqlite_file(url: str | None) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (None for anything else)."""
    prefix = "sqlite:///"
    if not url or not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    return Path(path) if path and path != ":memory:" else None


def quick_list(path: Path) -> list[EvaluationRow] | None:
    """The evaluations in the SQLite file at ``path``, or None if the fast path cannot answer.

    Opened read-only: this never creates, upgrades or locks anything.
    """
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if version != [(head_revision(),)]:
            return None
        records = connection.execute(_QUERY, OPEN_ACTION_STATUSES).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return [
        EvaluationRow(
            id=r[0],
            case_reference=r[1],
            service_area=r[2],
            team=r[3],
            practitioner=r[4],
            auditor=r[5],
            evaluation_type=r[6],
            template_id=r[7],
            template_version=r[8],
            status=r[9],
            overall_grade=r[10],
            open_actions=int(r[11]),
            immediate_concern=bool(r[12]),
            evaluation_date=r[13] or "",
            created_at=r[14],
            completed_at=r[15],
            conflicts=int(r[16]),
            concern_shared=int(r[17]),
            concern_acknowledged=bool(r[18]),
            concern_closed=bool(r[19]),
            demo=bool(r[20]),
        )
        for r in records
    ]
