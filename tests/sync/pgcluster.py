"""A throwaway PostgreSQL cluster on loopback for the merge suite (initdb + pg_ctl)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    base: Path
    port: int
    user: str | None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=False,
            cwd=self.base,
            user=self.user,
            capture_output=True,
            timeout=120,
            text=True,
        )
        if done.returncode:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"{args[0]} failed: {' | '.join(tail)}")

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database: empty, or a copy of ``template`` (which nobody may be connected to)."""
        import psycopg

        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, RuntimeError):
            self.run("pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


def _traversable(path: Path) -> bool:
    """True when every folder down to ``path`` lets other users through (for ``postgres``)."""
    for part in (path, *path.parents):
        if not part.exists() or not part.stat().st_mode & 0o001:
            return False
    return True


def _base_dir(as_other_user: bool) -> Path:
    parent = Path(tempfile.gettempdir())
    if as_other_user and not _traversable(parent):
        parent = next((Path(p) for p in ("/var/tmp", "/dev/shm") if _traversable(Path(p))), parent)
    return Path(tempfile.mkdtemp(prefix="qa-tui-pg-", dir=parent))


def start_cluster(bindir: Path) -> Cluster:
    """initdb (as the ``postgres`` user when run as root) and start on 127.0.0.1:<free port>."""
    user = "postgres" if os.geteuid() == 0 else None
    base = _base_dir(user is not None)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(bindir, base, _free_port(), user)
    try:
        cluster.run(
            "initdb",
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {cluster.port} -k {base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=50"
        )
        cluster.run(
            "pg_ctl",
            "-D",
            str(base / "data"),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        )
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return cluster
