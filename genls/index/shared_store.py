"""A team's shared index in PostgreSQL with pgvector, written once per commit (in CI) and read
by every developer's editor.

Everything is stored once per content. A text is one chunk's text with its vector and its
words for full-text search, keyed by the hash of what was embedded; a blob is one file's
content at one path (its language, its definitions, and its chunks: line ranges pointing at
texts); a commit is the list of blobs of its tree. A commit that changes one function adds
one blob and one text, so history does not crowd the vector index with copies of unchanged
chunks, and the writer embeds only what changed since the nearest commit already stored.

A commit is written in one transaction: a writer killed midway leaves the store as it was.
Two writers of one commit take turns (an advisory lock on the commit); the second finds it
stored and writes nothing. Vectors have an HNSW index (inner product: they are unit length),
words a GIN index. Commits are keyed by sha and by the workspace folder inside the repository
(its paths are relative to that folder).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from genls.config import without_password
from genls.errors import GenlsError
from genls.index.chunks import Chunk
from genls.index.store import IndexedFile
from genls.index.symbols import Definition

log = logging.getLogger(__name__)

SCHEMA_VERSION = "3"
# The HNSW scan keeps this many candidates (pgvector 0.6 returns no more than ef_search);
# candidates not in the commit asked for are dropped after the scan, and a scan that kept too
# few is done again, wider.
_CANDIDATES = 200
_WIDER_CANDIDATES = 1000  # pgvector's largest ef_search
_READ_TIMEOUT_MS = 5000  # a search waits no longer for the store
_QUIET_AFTER_FAILURE_S = 30.0  # then searches do not ask it again for a while
_SCHEMA_LOCK = 7_421_001  # advisory lock key: one session creates the tables
# PostgreSQL's ts_rank has no inverse document frequency: a word found in more than this share
# of the stored texts (`return`: 46 % of 136k) is left out of word searches, unless the store
# is small or every word of the query is that common. Matching it cost most of the time.
_COMMON_WORD_SHARE = 0.1
_COMMON_WORD_MIN_TEXTS = 1000

SharedHit = tuple[int, Chunk, float]  # (position of the chunk in its file, chunk, score)


class SharedStoreError(GenlsError):
    """The shared index cannot be reached or used."""


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
        self._failed: tuple[float, str] | None = None  # when reads last failed, and why

    @property
    def where(self) -> str:
        return without_password(self.url)

    # -- connection -------------------------------------------------------------------------

    @contextmanager
    def _session(self, read_only: bool = True) -> Iterator[Any]:
        """The open connection, under the lock; errors become one clear message. Reads give
        up after _READ_TIMEOUT_MS, and fail at once for a while after a failure."""
        psycopg = _import_client()
        if (
            read_only
            and self._failed
            and time.monotonic() - self._failed[0] < _QUIET_AFTER_FAILURE_S
        ):
            raise SharedStoreError(self._failed[1])
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self._connect(psycopg)
                connection = self._connection
                with connection.transaction():
                    if read_only:
                        connection.execute(f"SET LOCAL statement_timeout = {_READ_TIMEOUT_MS}")
                    yield connection
            except psycopg.Error as exc:
                self._drop_connection()
                if isinstance(exc, psycopg.OperationalError):
                    message = f"cannot reach the shared index at {self.where}: "
                else:
                    message = f"the shared index at {self.where} failed: "
                message = self._scrub(message + _first_line(exc))
                if read_only:
                    self._failed = (time.monotonic(), message)
                raise SharedStoreError(message) from exc
        self._failed = None

    def _connect(self, psycopg: Any) -> Any:
        from pgvector.psycopg import register_vector

        try:
            connection = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=10,
                # A dead peer (a CI runner gone mid-write) is noticed in about a minute.
                keepalives=1,
                keepalives_idle=30,
                keepalives_interval=10,
                keepalives_count=3,
            )
        except psycopg.ProgrammingError as exc:  # libpq could not read the URL
            raise SharedStoreError(
                f"indexStore is not a PostgreSQL URL libpq can read ({self._scrub(str(exc))}); "
                "percent-encode special characters of the password"
            ) from exc
        if not connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
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

    def _scrub(self, text: str) -> str:
        """A message from libpq without the URL's password, whatever it quoted."""
        credentials = self.url.partition("://")[2].rpartition("@")[0]
        password = credentials.split(":", 1)[1] if ":" in credentials else ""
        return text.replace(password, "***") if password else text

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    # -- reading ----------------------------------------------------------------------------

    def nearest_commit(self, commits: Sequence[str], root: str) -> str | None:
        """The first of `commits` (newest first: HEAD, its parent, ...) that is stored; else
        the commit of this workspace folder stored last (a shallow clone sees no ancestors,
        and files are served only where their content matches, so any commit is safe)."""
        with self._session() as db:
            if not _has_tables(db):
                return None
            stored = {
                row[0]
                for row in db.execute(
                    "SELECT commit FROM genls_commits WHERE commit = ANY(%s)", (list(commits),)
                )
            }
            if not stored:
                latest = db.execute(
                    "SELECT commit FROM genls_commits WHERE root = %s "
                    "ORDER BY stored_at DESC LIMIT 1",
                    (root,),
                ).fetchone()
                return latest[0] if latest else None
        return next(commit for commit in commits if commit in stored)

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
        hits: list[SharedHit] = []
        for candidates in (_CANDIDATES, _WIDER_CANDIDATES):
            with self._session() as db:
                db.execute(f"SET LOCAL hnsw.ef_search = {candidates}")
                rows = db.execute(
                    f"SELECT {_CHUNK_COLUMNS}, -(t.embedding <#> %s) AS score "
                    "FROM (SELECT id, text, embedding FROM genls_texts "
                    "      ORDER BY embedding <#> %s LIMIT %s) t "
                    f"{_IN_COMMIT} ORDER BY score DESC LIMIT %s",
                    (vector, vector, candidates, commit, k),
                ).fetchall()
            hits = [_hit(row) for row in rows]
            if len(hits) == k:
                break
        return hits

    def search_words(
        self, commit: str, words: Sequence[str], k: int, also_rank: Sequence[str] = ()
    ) -> tuple[list[SharedHit], list[float]]:
        """The commit's chunks holding any of the query's telling words (code_words), best
        ts_rank first; and the ts_rank of each of `also_rank` (local chunks' code words joined
        by spaces) on the same scale: ts_rank reads only the chunk it ranks."""
        if not words:
            return [], [0.0] * len(also_rank)
        with self._session() as db:
            query = _any_of(_telling_words(db, words))
            rows = db.execute(
                f"SELECT {_CHUNK_COLUMNS}, ts_rank(t.words, q) AS score "
                "FROM genls_texts t CROSS JOIN to_tsquery('simple', %s) q "
                f"{_IN_COMMIT} WHERE t.words @@ q ORDER BY score DESC LIMIT %s",
                (query, commit, k),
            ).fetchall()
            scores = db.execute(
                "SELECT ts_rank(to_tsvector('simple', d), to_tsquery('simple', %s)) "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS u(d, n) ORDER BY n",
                (query, list(also_rank)),
            ).fetchall()
        return [_hit(row) for row in rows], [float(score) for (score,) in scores]

    def chunk_starting(self, commit: str, path: str, start_line: int) -> str | None:
        """The text of the commit's chunk of `path` that starts at `start_line`, if any."""
        with self._session() as db:
            row = db.execute(
                f"SELECT t.text FROM genls_texts t {_IN_COMMIT} "
                "WHERE b.path = %s AND c.start_line = %s ORDER BY c.position LIMIT 1",
                (commit, path, start_line),
            ).fetchone()
        return row[0] if row else None

    # -- writing ----------------------------------------------------------------------------

    def publish(
        self,
        commit: str,
        root: str,
        files: Mapping[str, str],
        indexed: Sequence[IndexedFile],
        embedding_model: str,
        dimension: int,
    ) -> bool:
        """Store `commit` (of the workspace folder `root`) as the files (path -> sha256), in
        one transaction. `indexed` holds the parsed and embedded files the store may not have
        yet. False if another writer stored this commit first."""
        with self._session(read_only=False) as db:
            _create_tables(db, embedding_model, dimension)
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (commit,))
            if db.execute("SELECT 1 FROM genls_commits WHERE commit = %s", (commit,)).fetchone():
                return False
            _check_model(db, embedding_model, dimension, self.where)
            _write_blobs(db, indexed)
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
                "INSERT INTO genls_commits (commit, root, files, chunks) VALUES (%s, %s, %s, %s)",
                (commit, root, len(files), chunks),
            )
        return True


_CHUNK_COLUMNS = "c.position, b.path, c.start_line, c.end_line, c.symbol, c.kind, t.text"
# Joins a selection of texts `t` to the chunks of the commit given as the next parameter.
_IN_COMMIT = (
    "JOIN genls_chunks c ON c.text_id = t.id "
    "JOIN genls_commit_files f ON f.blob = c.blob AND f.commit = %s "
    "JOIN genls_blobs b ON b.id = c.blob"
)


def _hit(row: tuple) -> SharedHit:
    position, path, start, end, symbol, kind, text, score = row
    return position, Chunk(path, start, end, symbol, kind, text), float(score)


def _any_of(words: Sequence[str]) -> str:
    """A tsquery matching any of the words (code words are [a-z0-9_]: safe as lexemes)."""
    return " | ".join(dict.fromkeys(words))


def _telling_words(db: Any, words: Sequence[str]) -> list[str]:
    """The query's words less those too common to tell chunks apart (the rarest is kept)."""
    unique = list(dict.fromkeys(words))
    total = int(db.execute("SELECT value FROM genls_info WHERE key = 'texts'").fetchone()[0])
    counts = dict(
        db.execute(
            "SELECT word, texts FROM genls_word_counts WHERE word = ANY(%s)", (unique,)
        ).fetchall()
    )
    limit = max(_COMMON_WORD_SHARE * total, _COMMON_WORD_MIN_TEXTS)
    telling = [word for word in unique if counts.get(word, 0) <= limit]
    return telling or [min(unique, key=lambda word: counts.get(word, 0))]


def _has_tables(db: Any) -> bool:
    return db.execute("SELECT to_regclass('genls_commits') IS NOT NULL").fetchone()[0]


def _create_tables(db: Any, embedding_model: str, dimension: int) -> None:
    """The tables, the first time anything is stored (other writers wait for that one)."""
    if _has_tables(db):
        return
    db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
    if _has_tables(db):  # made by the writer that held the lock
        return
    db.execute(f"""
        CREATE TABLE genls_info (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE genls_texts (
            id bigserial PRIMARY KEY, sha256 text NOT NULL UNIQUE, text text NOT NULL,
            code_words text NOT NULL,
            words tsvector GENERATED ALWAYS AS (to_tsvector('simple', code_words)) STORED,
            embedding vector({int(dimension)}) NOT NULL);
        CREATE INDEX genls_texts_embedding ON genls_texts USING hnsw (embedding vector_ip_ops);
        CREATE INDEX genls_texts_words ON genls_texts USING gin (words);
        CREATE TABLE genls_word_counts (word text PRIMARY KEY, texts bigint NOT NULL);
        CREATE TABLE genls_blobs (
            id bigserial PRIMARY KEY, path text NOT NULL, sha256 text NOT NULL,
            language text NOT NULL, definitions jsonb NOT NULL, UNIQUE (path, sha256));
        CREATE TABLE genls_chunks (
            blob bigint NOT NULL REFERENCES genls_blobs (id), position int NOT NULL,
            start_line int NOT NULL, end_line int NOT NULL, symbol text, kind text NOT NULL,
            text_id bigint NOT NULL REFERENCES genls_texts (id), PRIMARY KEY (blob, position));
        CREATE INDEX genls_chunks_text ON genls_chunks (text_id);
        CREATE TABLE genls_commits (
            commit text PRIMARY KEY, root text NOT NULL, files int NOT NULL,
            chunks int NOT NULL, stored_at timestamptz NOT NULL DEFAULT clock_timestamp());
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
            ("texts", "0"),
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


def _write_blobs(db: Any, files: Sequence[IndexedFile]) -> None:
    """The files' blobs, texts and chunks, each kept if already stored. Rows are written in
    key order, so two writers adding the same rows wait for each other instead of
    deadlocking."""
    files = sorted(files, key=lambda f: (f.path, f.sha256))
    db.cursor().executemany(
        "INSERT INTO genls_blobs (path, sha256, language, definitions) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (path, sha256) DO NOTHING",
        [(f.path, f.sha256, f.language, _definitions_json(f.definitions)) for f in files],
    )
    db.execute(
        "CREATE TEMP TABLE genls_staging (path text, sha256 text, position int, start_line int, "
        "end_line int, symbol text, kind text, text_sha256 text, text text, code_words text, "
        "embedding vector) ON COMMIT DROP"
    )
    with db.cursor().copy("COPY genls_staging FROM STDIN WITH (FORMAT BINARY)") as copy:
        columns = ["text", "text", "int4", "int4", "int4", "text", "text", "text", "text"]
        copy.set_types([*columns, "text", "vector"])
        for file in files:
            for position, (chunk, words, vector) in enumerate(
                zip(file.chunks, file.words, file.vectors, strict=True)
            ):
                embedded = hashlib.sha256(chunk.embedding_text.encode()).hexdigest()
                copy.write_row(
                    (
                        file.path,
                        file.sha256,
                        position,
                        chunk.start_line,
                        chunk.end_line,
                        _no_nul(chunk.symbol),
                        chunk.kind,
                        embedded,
                        _no_nul(chunk.text),
                        " ".join(words),
                        vector,
                    )
                )
    # New texts, and how many texts hold each word (the store's document frequencies).
    added = db.execute(
        "WITH added AS ("
        "  INSERT INTO genls_texts (sha256, text, code_words, embedding) "
        "  SELECT DISTINCT ON (text_sha256) text_sha256, text, code_words, embedding "
        "  FROM genls_staging ORDER BY text_sha256 ON CONFLICT (sha256) DO NOTHING "
        "  RETURNING words), "
        "counted AS ("
        "  INSERT INTO genls_word_counts (word, texts) "
        "  SELECT word, count(*) FROM added, unnest(tsvector_to_array(added.words)) AS word "
        "  GROUP BY word ORDER BY word "
        "  ON CONFLICT (word) DO UPDATE SET texts = genls_word_counts.texts + excluded.texts) "
        "SELECT count(*) FROM added"
    ).fetchone()[0]
    db.execute(
        "UPDATE genls_info SET value = (value::bigint + %s)::text WHERE key = 'texts'", (added,)
    )
    db.execute(
        "INSERT INTO genls_chunks (blob, position, start_line, end_line, symbol, kind, text_id) "
        "SELECT b.id, s.position, s.start_line, s.end_line, s.symbol, s.kind, t.id "
        "FROM genls_staging s JOIN genls_blobs b USING (path, sha256) "
        "JOIN genls_texts t ON t.sha256 = s.text_sha256 "
        "ORDER BY b.id, s.position ON CONFLICT (blob, position) DO NOTHING"
    )


def _definitions_json(definitions: Sequence[Definition]) -> str:
    # PostgreSQL's text and jsonb refuse NUL, which a source file may hold.
    return json.dumps([d.__dict__ for d in definitions]).replace("\\u0000", "")


def _no_nul(text: str | None) -> str | None:
    return text.replace("\x00", "\ufffd") if text else text


def _import_client() -> Any:
    try:
        import pgvector.psycopg  # noqa: F401  (the vector type, registered per connection)
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
    first = text.split("\n")[0]
    return first.removeprefix("connection failed: ").removeprefix("connection is bad: ")
