"""A team's shared index in PostgreSQL with pgvector, written once per commit (in CI) and read
by every developer's editor.

Files are stored once per content: a blob is one file's content at one path (its language,
definitions and chunks, each chunk with its vector and its words for full-text search), and
a commit is the list of blobs of its tree. A commit that changed one file adds one blob, so
the writer embeds only what changed since the nearest commit already stored.

A commit is written in one transaction: a writer killed midway leaves the store as it was.
Two writers of one commit take turns (an advisory lock on the commit); the second finds it
stored and writes nothing. Vectors have an HNSW index (inner product: they are unit length)
and words a GIN index, searched with PostgreSQL's own ranking.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from genls.errors import GenlsError
from genls.index.chunks import Chunk
from genls.index.store import IndexedFile
from genls.index.symbols import Definition

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
# Candidates the HNSW scan keeps (pgvector's default is 40): chunks of blobs that are not in
# the commit asked for are dropped after the scan, so it looks further than it returns.
_EF_SEARCH = 200
_SCHEMA_LOCK = 7_421_001  # advisory lock key: one session creates the tables

SharedHit = tuple[int, Chunk, float]  # (position of the chunk in its file, chunk, score)


class SharedStoreError(GenlsError):
    """The shared index cannot be reached or used."""


def is_store_url(value: str) -> bool:
    return value.startswith(("postgresql://", "postgres://"))


def without_password(url: str) -> str:
    """A store's URL as messages and the status show it."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:  # no client installed, or not a URL it reads
        return "the indexStore URL"
    user, database = parts.get("user", ""), parts.get("dbname", "")
    host = parts.get("host", "localhost")
    if host.startswith("/"):  # a Unix socket's folder
        return f"postgresql://{user}@/{database}?host={host}"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}@{host}{port}/{database}"


@dataclass(frozen=True)
class StoredCommit:
    """What the store serves for one commit: each file's content hash and definitions."""

    commit: str
    files: dict[str, str]  # path -> sha256
    definitions: dict[str, list[Definition]]
    dimension: int  # of the store's vectors


class SharedStore:
    """One connection, used by one thread at a time; reconnects after the server went away."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: Any = None
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return without_password(self.url)

    # -- connection -------------------------------------------------------------------------

    @contextmanager
    def _session(self) -> Iterator[Any]:
        """The open connection, under the lock; errors become one clear message."""
        psycopg = _import_psycopg()
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect(psycopg)
                yield self._connection
            except psycopg.OperationalError as exc:
                self._drop_connection()
                raise SharedStoreError(
                    f"cannot reach the shared index at {self.where}: {_first_line(exc)}"
                ) from exc
            except psycopg.Error as exc:
                self._drop_connection()
                raise SharedStoreError(
                    f"the shared index at {self.where} failed: {_first_line(exc)}"
                ) from exc

    def _connect(self, psycopg: Any) -> Any:
        from pgvector.psycopg import register_vector

        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        try:
            connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except psycopg.Error as exc:
            connection.close()
            raise SharedStoreError(
                f"the database at {self.where} has no pgvector extension and genls may not "
                f"create it ({_first_line(exc)}): install pgvector on the server, or ask its "
                "owner to run CREATE EXTENSION vector in this database"
            ) from exc
        register_vector(connection)
        return connection

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    # -- reading ----------------------------------------------------------------------------

    def nearest_commit(self, commits: Sequence[str]) -> str | None:
        """The first of `commits` (newest first: HEAD, its parent, ...) that is stored."""
        with self._session() as db:
            if not _has_tables(db):
                return None
            stored = {
                row[0]
                for row in db.execute(
                    "SELECT commit FROM genls_commits WHERE commit = ANY(%s)", (list(commits),)
                )
            }
        return next((commit for commit in commits if commit in stored), None)

    def embedding_model(self) -> tuple[str, int] | None:
        """(model identity, vector width) the store was built with; None while it is empty."""
        with self._session() as db:
            if not _has_tables(db):
                return None
            info = dict(db.execute("SELECT key, value FROM genls_info").fetchall())
        return info["embedding_model"], int(info["dimension"])

    def read_commit(self, commit: str) -> StoredCommit:
        with self._session() as db:
            rows = db.execute(
                "SELECT b.path, b.sha256, b.definitions FROM genls_commit_files f "
                "JOIN genls_blobs b ON b.id = f.blob WHERE f.commit = %s",
                (commit,),
            ).fetchall()
            dimension = db.execute(
                "SELECT value FROM genls_info WHERE key = 'dimension'"
            ).fetchone()[0]
        return StoredCommit(
            commit,
            {path: sha256 for path, sha256, _ in rows},
            {path: [Definition(**d) for d in definitions] for path, _, definitions in rows},
            int(dimension),
        )

    def search_vectors(self, commit: str, vector: np.ndarray, k: int) -> list[SharedHit]:
        """The commit's chunks nearest the (unit) vector, best first; score = cosine."""
        with self._session() as db, db.transaction():
            db.execute(f"SET LOCAL hnsw.ef_search = {_EF_SEARCH}")
            rows = db.execute(
                f"SELECT {_CHUNK_COLUMNS}, -(c.embedding <#> %s) FROM genls_chunks c "
                "JOIN genls_commit_files f ON f.blob = c.blob AND f.commit = %s "
                "JOIN genls_blobs b ON b.id = c.blob "
                "ORDER BY c.embedding <#> %s LIMIT %s",
                (vector, commit, vector, k),
            ).fetchall()
        return [_hit(row) for row in rows]

    def search_words(self, commit: str, words: Sequence[str], k: int) -> list[SharedHit]:
        """The commit's chunks holding any of the words (code_words), best ranked first."""
        if not words:
            return []
        query = " | ".join(dict.fromkeys(words))  # code words are [a-z0-9_]: safe as lexemes
        with self._session() as db:
            rows = db.execute(
                f"SELECT {_CHUNK_COLUMNS}, ts_rank(c.words, q) AS rank "
                "FROM genls_chunks c CROSS JOIN to_tsquery('simple', %s) q "
                "JOIN genls_commit_files f ON f.blob = c.blob AND f.commit = %s "
                "JOIN genls_blobs b ON b.id = c.blob "
                "WHERE c.words @@ q ORDER BY rank DESC LIMIT %s",
                (query, commit, k),
            ).fetchall()
        return [_hit(row) for row in rows]

    def chunk_starting(self, commit: str, path: str, start_line: int) -> str | None:
        """The text of the commit's chunk of `path` that starts at `start_line`, if any."""
        with self._session() as db:
            row = db.execute(
                "SELECT c.text FROM genls_chunks c "
                "JOIN genls_commit_files f ON f.blob = c.blob AND f.commit = %s "
                "JOIN genls_blobs b ON b.id = c.blob WHERE b.path = %s AND c.start_line = %s "
                "ORDER BY c.position LIMIT 1",
                (commit, path, start_line),
            ).fetchone()
        return row[0] if row else None

    # -- writing ----------------------------------------------------------------------------

    def publish(
        self,
        commit: str,
        files: Mapping[str, str],
        indexed: Sequence[IndexedFile],
        embedding_model: str,
        dimension: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> bool:
        """Store `commit` as the files (path -> sha256), in one transaction. `indexed` holds
        the parsed and embedded files the store may not have yet. False if another writer
        stored this commit first."""
        with self._session() as db, db.transaction():
            _create_tables(db, embedding_model, dimension)
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (commit,))
            if db.execute("SELECT 1 FROM genls_commits WHERE commit = %s", (commit,)).fetchone():
                return False
            _check_model(db, embedding_model, dimension, self.where)
            for done, file in enumerate(indexed, 1):
                _write_blob(db, file)
                if progress:
                    progress(done, len(indexed))
            log.debug("shared index %s: %d files written, the commit next", commit, len(files))
            paths, hashes = list(files), [files[path] for path in files]
            listed = db.execute(
                "INSERT INTO genls_commit_files (commit, blob) "
                "SELECT %s, b.id FROM unnest(%s::text[], %s::text[]) AS f(path, sha256) "
                "JOIN genls_blobs b USING (path, sha256)",
                (commit, paths, hashes),
            ).rowcount
            if listed != len(files):
                raise SharedStoreError(
                    f"{len(files) - listed} files of commit {commit[:12]} are not in the shared "
                    "index and were not given to write"
                )
            chunks = db.execute(
                "SELECT count(*) FROM genls_chunks c JOIN genls_commit_files f "
                "ON f.blob = c.blob AND f.commit = %s",
                (commit,),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO genls_commits (commit, files, chunks) VALUES (%s, %s, %s)",
                (commit, len(files), chunks),
            )
        return True


_CHUNK_COLUMNS = "c.position, b.path, c.start_line, c.end_line, c.symbol, c.kind, c.text"


def _hit(row: tuple) -> SharedHit:
    position, path, start, end, symbol, kind, text, score = row
    return position, Chunk(path, start, end, symbol, kind, text), float(score)


def _has_tables(db: Any) -> bool:
    return db.execute("SELECT to_regclass('genls_commits') IS NOT NULL").fetchone()[0]


def _create_tables(db: Any, embedding_model: str, dimension: int) -> None:
    """The tables, the first time anything is stored (writers of other commits then wait for
    the first to finish; later they do not wait for each other)."""
    if _has_tables(db):
        return
    db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
    if _has_tables(db):  # made by the writer that held the lock
        return
    db.execute(f"""
        CREATE TABLE genls_info (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE genls_blobs (
            id bigserial PRIMARY KEY, path text NOT NULL, sha256 text NOT NULL,
            language text NOT NULL, definitions jsonb NOT NULL, UNIQUE (path, sha256));
        CREATE TABLE genls_chunks (
            blob bigint NOT NULL REFERENCES genls_blobs (id), position int NOT NULL,
            start_line int NOT NULL, end_line int NOT NULL, symbol text, kind text NOT NULL,
            text text NOT NULL, code_words text NOT NULL,
            words tsvector GENERATED ALWAYS AS (to_tsvector('simple', code_words)) STORED,
            embedding vector({int(dimension)}) NOT NULL, PRIMARY KEY (blob, position));
        CREATE INDEX genls_chunks_embedding ON genls_chunks
            USING hnsw (embedding vector_ip_ops);
        CREATE INDEX genls_chunks_words ON genls_chunks USING gin (words);
        CREATE TABLE genls_commits (
            commit text PRIMARY KEY, files int NOT NULL, chunks int NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE genls_commit_files (
            commit text NOT NULL, blob bigint NOT NULL REFERENCES genls_blobs (id),
            PRIMARY KEY (commit, blob));
    """)
    db.cursor().executemany(
        "INSERT INTO genls_info VALUES (%s, %s)",
        [
            ("schema", SCHEMA_VERSION),
            ("embedding_model", embedding_model),
            ("dimension", str(dimension)),
        ],
    )


def _check_model(db: Any, embedding_model: str, dimension: int, where: str) -> None:
    info = dict(db.execute("SELECT key, value FROM genls_info").fetchall())
    if info.get("schema") != SCHEMA_VERSION:
        raise SharedStoreError(
            f"the shared index at {where} has schema {info.get('schema')}, this genls writes "
            f"{SCHEMA_VERSION}: use a new database for it"
        )
    if info["embedding_model"] != embedding_model or int(info["dimension"]) != dimension:
        raise SharedStoreError(
            f"the shared index at {where} was built with {info['embedding_model']}, not "
            f"{embedding_model}: set embeddingModel to the same model"
        )


def _write_blob(db: Any, file: IndexedFile) -> None:
    row = db.execute(
        "INSERT INTO genls_blobs (path, sha256, language, definitions) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (path, sha256) DO NOTHING RETURNING id",
        (file.path, file.sha256, file.language, json.dumps([d.__dict__ for d in file.definitions])),
    ).fetchone()
    if row is None:  # stored by an earlier commit
        return
    with db.cursor().copy(
        "COPY genls_chunks (blob, position, start_line, end_line, symbol, kind, text, "
        "code_words, embedding) FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "int4", "int4", "int4", "text", "text", "text", "text", "vector"])
        for position, (chunk, words, vector) in enumerate(
            zip(file.chunks, file.words, file.vectors, strict=True)
        ):
            copy.write_row(
                (
                    row[0],
                    position,
                    chunk.start_line,
                    chunk.end_line,
                    chunk.symbol,
                    chunk.kind,
                    chunk.text,
                    " ".join(words),
                    vector,
                )
            )


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise SharedStoreError(
            "indexStore names a PostgreSQL server, and its client is not installed: "
            "pip install 'genls[postgres]' (psycopg and pgvector)"
        ) from exc
    return psycopg


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    return (
        text.split("\n")[0].removeprefix("connection failed: ").removeprefix("connection is bad: ")
    )
