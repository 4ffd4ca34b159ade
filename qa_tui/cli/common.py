"""Shared pieces of the CLI: the context object, error handling and common options."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from qa_tui.errors import QaError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qa_tui.config import Settings
    from qa_tui.store.db import Store
    from qa_tui.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """What the top-level options say, handed down to every subcommand."""

    config_path: Path | None = None
    db_url: str | None = None

    def settings(self) -> Settings:
        from qa_tui.config import load_settings

        return load_settings(self.config_path)

    def workspace(
        self, db_url: str | None = None, *, create: Literal["never", "default", "any"] = "never"
    ) -> Workspace:
        """The workspace on ``--db`` (the subcommand's, else the top-level one, else this
        laptop's own database). Whether a database that does not exist may be made:

        * ``"never"`` — commands that only read (list, conflicts, export): they refuse;
        * ``"default"`` — commands that write (sync, purge, conflicts resolve): only this
          laptop's own default database, as the app itself does on its first run;
        * ``"any"`` — ``demo``, whose job is to fill a new database.
        """
        from qa_tui.workspace import open_workspace

        url = db_url or self.db_url
        allowed = create == "any" or (create == "default" and url is None)
        return open_workspace(self.settings(), url, create=allowed)

    def store(self, db_url: str | None = None) -> Store:
        """The database on ``--db`` as :meth:`workspace` finds it (never created), for a
        command that only reads it: without the templates, published ones included, that a
        workspace parses for new work."""
        from qa_tui.config import default_db_url
        from qa_tui.store.migrate import open_store

        settings = self.settings()
        return open_store(db_url or self.db_url or default_db_url(settings.data_dir), create=False)


class QaGroup(click.Group):
    """A group whose commands report QaError and database errors as one line, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QaError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None
        except Exception as exc:
            # Imported here: SQLAlchemy costs a fifth of a second, not to be paid at start-up.
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, SQLAlchemyError):
                raise
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise click.ClickException(f"database error: {first[0] if first else exc}") from None


def db_option(required: bool = False) -> Callable[[F], F]:
    """``--db URL`` on a subcommand (falls back to the top-level ``--db``, then the default)."""
    return click.option("--db", "db_url", metavar="URL", required=required, help="Database URL.")


def get_app(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    return obj if obj is not None else AppContext()


# ``--format text|json`` on a command that prints records.
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)


def plain(value: object) -> str:
    """Text others typed, on one line and made printable: it never drives the terminal."""
    from qa_tui.textsafe import printable

    return printable(str(value), keep_breaks=False)


def echo_records(
    records: Sequence[Mapping[str, Any]], fmt: str, line: Callable[[Mapping[str, Any]], str]
) -> None:
    """Print ``records`` as JSON (:func:`qa_tui.textsafe.json_text`) or, for text, one
    ``line(record)`` each, made printable: what others typed never drives the terminal."""
    from qa_tui.textsafe import json_text, printable

    if fmt == "json":
        click.echo(json_text(list(records)))
        return
    for record in records:
        click.echo(printable(line(record), keep_breaks=False))


@contextmanager
def database_session(url: str, *, write: bool) -> Iterator[Session]:
    """A transaction (``write``) or a read on an existing database, disposed of afterwards."""
    from qa_tui.store.migrate import open_store

    store = open_store(url, create=False)
    try:
        with store.session() if write else store.reader() as session:
            yield session
    finally:
        store.dispose()
