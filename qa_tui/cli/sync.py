"""Hand-over commands: keys, the central database, export, merge, sync, conflicts, purge.

The sync modules (and the crypto library) are imported inside each command, so ``qa-tui``
starts fast.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qa_tui.cli import central_data
from qa_tui.cli.common import (
    database_session,
    db_option,
    echo_records,
    format_option,
    get_app,
)

if TYPE_CHECKING:
    from qa_tui.store.db import Store
    from qa_tui.sync.merge_report import MergeReport

# Plain paths: the commands check what is there themselves and refuse a directory, FIFO or
# device with one line, instead of click's four-line usage text.
_PATH = click.Path(path_type=Path)


def _open_store(url: str, create: bool = True) -> Store:
    from qa_tui.store.migrate import open_store

    return open_store(url, create=create)


@click.group()
def keys() -> None:
    """This laptop's signing key."""


@keys.command(name="show")
@format_option
@click.pass_context
def keys_show(ctx: click.Context, fmt: str) -> None:
    """Print this laptop's device id and public signing key (made on first use)."""
    from qa_tui.sync.keys import own_device_key

    key = own_device_key(get_app(ctx).settings())
    if fmt == "json":
        click.echo(key.as_json())
        return
    click.echo(f"device id:  {key.device_id}")
    click.echo(f"public key: {key.public_text}")
    click.echo(f"enrol with: qa-tui central enrol --db URL --device-key {key.enrolment_token()}")


@click.group()
def central() -> None:
    """Create the QA team's central database and manage the devices it trusts."""


@central.command(name="init")
@db_option(required=True)
@click.option("--key-out", type=_PATH, help="Where to write a new QA private key (and FILE.pub).")
@click.option("--use-key", type=_PATH, help="Adopt an existing QA private key instead.")
def central_init(db_url: str, key_out: Path | None, use_key: Path | None) -> None:
    """Make a central database (created if it does not exist) and give it the QA team's key:
    a new key pair (--key-out FILE writes FILE and FILE.pub) or an existing one (--use-key)."""
    from qa_tui.sync.central import init_central
    from qa_tui.sync.errors import SyncError
    from qa_tui.sync.keys import load_qa_private

    if (key_out is None) == (use_key is None):
        raise SyncError(
            "central init: give --key-out FILE (make a new QA key) or --use-key FILE "
            "(adopt an existing one), not both"
            if key_out
            else "central init: give --key-out FILE (make a new QA key) or --use-key FILE "
            "(adopt an existing one)"
        )
    if use_key is not None:
        load_qa_private(use_key)  # a bad key is refused before any database is made
    store = _open_store(db_url)
    try:
        public = init_central(store, key_out, use_key)
    finally:
        store.dispose()
    if key_out is not None:
        click.echo(f"QA private key: {key_out} (keep it safe; readable by you alone)")
        click.echo(f"QA public key:  {key_out}.pub")
    click.echo(public)


@central.command(name="enrol")
@db_option(required=True)
@click.option(
    "--device-key",
    "token",
    required=True,
    metavar="KEY",
    help="What 'qa-tui keys show' prints: DEVICE_ID:ed25519:KEY (or its JSON).",
)
@click.option("--device-id", default=None, help="The device id, if KEY is a bare public key.")
@click.option("--name", default="", help="A name for the laptop.")
def central_enrol(db_url: str, token: str, device_id: str | None, name: str) -> None:
    """Trust a laptop's bundles and syncs."""
    from qa_tui.sync.central import enrol_device, parse_device_key

    found_id, public = parse_device_key(token, device_id)
    with database_session(db_url, write=True) as session:
        enrol_device(session, found_id, public, name)
    click.echo(f"enrolled device {found_id}" + (f" ({name})" if name else ""))


@central.command(name="revoke")
@db_option(required=True)
@click.option("--device", "device_id", required=True, help="The device id to stop trusting.")
@click.option("--reason", default="", help="Why (kept with the device).")
def central_revoke(db_url: str, device_id: str, reason: str) -> None:
    """Stop trusting a laptop: its bundles are refused from now on."""
    from qa_tui.sync.central import revoke_device

    with database_session(db_url, write=True) as session:
        when = revoke_device(session, device_id, reason).revoked_at
    click.echo(f"revoked device {device_id} on {when}")


@central.command(name="devices")
@db_option(required=True)
@format_option
def central_devices(db_url: str, fmt: str) -> None:
    """The enrolled devices (revoked ones marked)."""
    from qa_tui.sync.central import list_devices

    with database_session(db_url, write=False) as session:
        rows = [
            {
                "device_id": d.device_id,
                "name": d.name,
                "public_key": d.public_key,
                "enrolled_at": d.enrolled_at,
                "revoked_at": d.revoked_at or "",
            }
            for d in list_devices(session)
        ]
    echo_records(rows, fmt, _device_line)


def _device_line(device: Mapping[str, Any]) -> str:
    state = f"revoked {device['revoked_at']}" if device["revoked_at"] else "trusted"
    return f"{device['device_id']}  {device['name'] or '-'}  {state}"


@click.command(name="export")
@db_option()
@click.option("--to", "to", type=_PATH, required=True, help="The QA team's public key file.")
@click.option("--out", type=_PATH, required=True, help="The bundle file to write.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Include evaluations the central database has acknowledged.",
)
@click.option(
    "--include-demo",
    is_flag=True,
    help="Include demo evaluations (fictional; for tests, benchmarks and training only).",
)
@click.pass_context
def export_command(
    ctx: click.Context,
    db_url: str | None,
    to: Path,
    out: Path,
    everything: bool,
    include_demo: bool,
) -> None:
    """Write an encrypted, signed bundle of this laptop's work (never creates a database).
    Demo evaluations stay behind unless --include-demo is given."""
    from qa_tui.sync.handover import demo_left_out, export_bundle, export_summary
    from qa_tui.sync.keys import own_device_key

    app = get_app(ctx)
    settings = app.settings()
    ws = app.workspace(db_url)
    try:
        exported = export_bundle(
            ws.store,
            own_device_key(settings),
            settings.author,
            to,
            out,
            everything=everything,
            include_demo=include_demo,
        )
        left = 0 if include_demo else demo_left_out(ws.store)
    finally:
        ws.close()
    click.echo(export_summary(out, exported, left))


@click.command(name="merge")
@click.option(
    "--into",
    "into",
    required=True,
    metavar="URL",
    help="The central database (made by 'qa-tui central init'; never created here).",
)
@click.option("--key", "key", type=_PATH, required=True, help="The QA team's private key.")
@click.option(
    "--include-demo",
    is_flag=True,
    help="Accept bundles holding demo evaluations (they stay marked as demo).",
)
@click.argument("bundles", nargs=-1, required=True, type=_PATH)
def merge_command(into: str, key: Path, bundles: tuple[Path, ...], include_demo: bool) -> None:
    """Verify and merge bundles into the central database; a bundle holding demo evaluations
    is refused unless --include-demo is given.

    Each bundle is verified whole before anything is written, then merged in short batches of
    whole evaluations (the database stays usable meanwhile); a merge cut short is finished by
    merging the bundle again, nothing duplicated.
    """
    from qa_tui.errors import StoreBusyError
    from qa_tui.sync.errors import BundleError, PartlyMerged

    store = _open_store(into, create=False)
    refused = 0
    try:
        for path in bundles:
            started = time.perf_counter()
            try:
                report = _merge_one(store, path, key, include_demo=include_demo)
            except PartlyMerged as exc:
                click.echo(f"qa-tui: {path}: {exc.words()}", err=True)
                refused += 1
                continue
            except BundleError as exc:
                click.echo(f"qa-tui: refused {exc}; nothing of it was merged", err=True)
                refused += 1
                continue
            except StoreBusyError:
                click.echo(
                    f"qa-tui: {path}: the central database is busy with another merge; "
                    "nothing of it was merged, try again",
                    err=True,
                )
                refused += 1
                continue
            took = "" if report.already_merged else f" in {time.perf_counter() - started:.1f} s"
            click.echo(f"{path}: {report.summary()}{took}")
    finally:
        store.dispose()
    if refused:
        sys.exit(1)


def _merge_one(store: Store, path: Path, key: Path, *, include_demo: bool) -> MergeReport:
    """Merge one bundle, with a progress bar on a terminal."""
    from qa_tui.sync.central import merge_bundle_file

    merge = partial(merge_bundle_file, include_demo=include_demo)
    if not sys.stderr.isatty():
        return merge(store, path, key)
    bar: list[Any] = []  # the progress bar, once the number of evaluations is known

    def on_total(total: int) -> None:
        bar.append(click.progressbar(length=total, label=path.name, file=sys.stderr))
        bar[0].__enter__()

    try:
        return merge(store, path, key, progress=lambda n: bar[0].update(n), on_total=on_total)
    finally:
        if bar:
            bar[0].__exit__(None, None, None)


@click.command(name="sync")
@click.option("--central", "central_url", metavar="URL", help="The central database URL.")
@db_option()
@click.pass_context
def sync_command(ctx: click.Context, central_url: str | None, db_url: str | None) -> None:
    """Send this laptop's work to the central database and fetch what it needs offline."""
    from qa_tui.sync.direct import sync_now

    ws = get_app(ctx).workspace(db_url, create="default")
    try:
        report = sync_now(ws.store, ws.settings, central_url)
    finally:
        ws.close()
    click.echo(report.summary())


@click.group(name="conflicts", invoke_without_command=True)
@db_option()
@format_option
@click.pass_context
def conflicts(ctx: click.Context, db_url: str | None, fmt: str) -> None:
    """List the conflicts (or resolve one: conflicts resolve ID)."""
    if ctx.invoked_subcommand is not None:
        ctx.meta["conflicts_db"] = db_url
        return
    from qa_tui.sync.conflicts import list_conflicts

    ws = get_app(ctx).workspace(db_url)
    try:
        found = ws.read(list_conflicts)
    finally:
        ws.close()
    if fmt == "json":
        from qa_tui.textsafe import json_text

        click.echo(json_text([asdict(c) for c in found]))
        return
    from qa_tui.textsafe import printable

    for c in found:
        click.echo(printable(f"{c.id}  [{c.kind}] {c.case_reference} {c.entity_type}.{c.field}"))
        if c.ancestor is not None:
            click.echo(printable(f"    ancestor: {json.dumps(c.ancestor.value)}"))
        for side in c.sides:
            shown = "(deleted)" if side.field == "_deleted" else json.dumps(side.value)
            click.echo(
                printable(
                    f"    {side.change_id}  {shown}  — {side.author}, "
                    f"device {side.device_id[:8]}, {side.wall_time}"
                )
            )
    click.echo(f"{len(found)} conflicts")


@conflicts.command(name="resolve")
@click.argument("conflict_id")
@db_option()
@click.option("--pick", default=None, metavar="CHANGE_ID", help="Keep this side.")
@click.option("--value", "value_json", default=None, metavar="JSON", help="A merged value.")
@click.pass_context
def conflicts_resolve(
    ctx: click.Context,
    conflict_id: str,
    db_url: str | None,
    pick: str | None,
    value_json: str | None,
) -> None:
    """Resolve a conflict by picking a side or writing a merged value (as JSON)."""
    from qa_tui.sync.conflicts import _UNSET, resolve_conflict
    from qa_tui.sync.errors import SyncError

    value = _UNSET
    if value_json is not None:
        try:
            value = json.loads(value_json)
        except json.JSONDecodeError:
            raise SyncError("--value must be JSON (a text value in double quotes)") from None
    ws = get_app(ctx).workspace(db_url or ctx.meta.get("conflicts_db"), create="default")
    try:
        change_id = ws.write(resolve_conflict, conflict_id, pick=pick, value=value)
    finally:
        ws.close()
    click.echo(f"resolved {conflict_id} (change {change_id})")


@click.command(name="purge")
@db_option()
@click.option(
    "--days",
    type=click.IntRange(1),
    default=None,
    help="Retention period (default: retention_days in the settings).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be purged.")
@click.pass_context
def purge_command(ctx: click.Context, db_url: str | None, days: int | None, dry_run: bool) -> None:
    """Remove completed evaluations the central database has acknowledged (data minimisation)."""
    import datetime as dt

    from qa_tui.sync.retention import purge_expired

    app = get_app(ctx)
    ws = app.workspace(db_url, create="default")
    try:
        with ws.store.session() as session:
            report = purge_expired(
                session, days or ws.settings.retention_days, dt.datetime.now(dt.UTC), dry_run
            )
    finally:
        ws.close()
    click.echo(report.summary())


for _command in central_data.COMMANDS:
    central.add_command(_command)

COMMANDS = [keys, central, export_command, merge_command, sync_command, conflicts, purge_command]
