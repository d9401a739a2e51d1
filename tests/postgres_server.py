"""A throwaway PostgreSQL with pgvector for the shared-index tests: the server the pgserver
wheel bundles, in a temporary folder, on a Unix socket only, with password logins."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

PASSWORD = "genls-test"
# PostgreSQL refuses to run as root: as root, the tests run it as this system user.
_SYSTEM_USER = "genls-postgres"


@dataclass(frozen=True)
class PostgresServer:
    socket_folder: Path

    def url(self, database: str = "postgres", user: str = "genls", password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@/{database}?host={self.socket_folder}"

    def new_database(self, owner: str = "genls") -> str:
        """A fresh, empty database's URL (as its owner)."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE {name} OWNER "{owner}"')
        return self.url(name, owner)

    def add_role(self, name: str, password: str) -> None:
        """A login role that is no superuser (so it may not create extensions)."""
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    # Found without importing pgserver, whose import sets up a runtime folder of its own.
    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.submodule_search_locations, "pip install pgserver"
    binaries = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    folder = Path(tempfile.mkdtemp(prefix="genls-pg-"))  # short: a socket path has a limit
    run_as: dict = {}
    if os.geteuid() == 0:
        if not _user_exists(_SYSTEM_USER):
            subprocess.run(["useradd", "--system", "--no-create-home", _SYSTEM_USER], check=True)
        shutil.chown(folder, _SYSTEM_USER)
        run_as = {"user": _SYSTEM_USER}
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if run_as:
        shutil.chown(password_file, _SYSTEM_USER)
    data = folder / "data"
    initdb = [binaries / "initdb", "-D", data, "-U", "genls", f"--pwfile={password_file}"]
    subprocess.run(
        [*initdb, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        **run_as,
    )
    options = f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=off"
    subprocess.run(
        [binaries / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log", "-w", "start"],
        check=True,
        capture_output=True,
        **run_as,
    )
    try:
        yield PostgresServer(folder)
    finally:
        subprocess.run(
            [binaries / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            capture_output=True,
            **run_as,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
