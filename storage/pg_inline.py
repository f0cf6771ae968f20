"""The answer path's statements, run on asyncpg itself when the database is PostgreSQL.

Through SQLAlchemy's asyncpg adapter a statement costs the bot markedly more CPU than its
driver needs: a greenlet spawned per call, the statement's cache key rebuilt, an execution
context, rows adapted twice (a unit of work of eight one-row SELECTs, measured 02/12/2026:
3.8 ms through the session, 2.4 ms on asyncpg inside the same transaction). An answer runs
five such statements. Here a Core statement is compiled once, for the PostgreSQL dialect,
with the bind processors its column types want (JSON serialised as SQLAlchemy would); each
run hands the SQL and its positional values to the session's own asyncpg connection, inside
the transaction the session holds. SQLite, and any statement this module
does not know, go through SQLAlchemy as before: same SQL, same types, same results.

Why it is safe: the statements stay SQLAlchemy Core objects (one definition, checked against
the models by the test suite on both databases); the transaction is the session's (begun
here if SQLAlchemy has not yet begun it, as its adapter would on its first statement), so a
rollback discards what ran here. A driver error reaches the caller untranslated
(asyncpg.PostgresError, not sqlalchemy.exc.DBAPIError): the answer path treats any failure
as "retry from the inbox" and never inspects it; a broken connection is found and dropped by
the session's rollback, through SQLAlchemy, as before.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement

_CACHE = "pg_inline.driver"  # session.info: (its transaction, asyncpg connection, dialect)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names in $1, $2… order
    defaults: dict[str, Any]  # values the statement carries itself (`.values(state="done")`)
    processors: dict[str, Callable[[Any], Any]]
    row: Any  # a namedtuple class named after the selected columns, or None


class Statement:
    """One Core statement and, per set of parameter names, its compiled PostgreSQL form."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement: Any = statement  # a select, insert or update (typed loosely for both
        # executors' overloads)
        self._compiled: dict[frozenset[str], _Compiled] = {}

    def _compile(self, keys: frozenset[str], dialect: Dialect) -> _Compiled:
        found = self._compiled.get(keys)
        if found is not None:
            return found
        # As SQLAlchemy does, an INSERT or UPDATE takes its columns from the parameters'
        # names; a SELECT (with data-modifying CTEs or not) names each of its values itself
        dml = isinstance(self.statement, Insert | Update)
        compiled: Any = self.statement.compile(dialect=dialect,
                                               column_keys=sorted(keys) if dml else None)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError("pg_inline: column defaults computed in Python are not supported; "
                            "pass every value")
        names = tuple(compiled.positiontup or ())
        processors = {}
        for name in names:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        defaults = {name: compiled.binds[name].value for name in names
                    if name not in keys and not compiled.binds[name].required}
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:
            returning = getattr(self.statement, "_returning", ())
            keys_out = [str(getattr(c, "key", None) or getattr(c, "name", "c"))
                        for c in returning]
        else:
            keys_out = list(columns.keys())
        row = namedtuple("Row", keys_out, rename=True) if keys_out else None
        found = _Compiled(compiled.string, names, defaults, processors, row)
        self._compiled[keys] = found
        return found

    def _args(self, compiled: _Compiled, params: dict[str, Any]) -> list[Any]:
        values = []
        for name in compiled.names:
            value = params[name] if name in params else compiled.defaults[name]
            processor = compiled.processors.get(name)
            values.append(processor(value) if processor is not None else value)
        return values

    async def rows(self, executor: AsyncSession | AsyncConnection,
                   params: dict[str, Any]) -> list[Any]:
        """The rows, with attribute access by column name as SQLAlchemy's Row has."""
        driver, dialect = await _driver(executor)
        if driver is None:
            return list(await executor.execute(self.statement, params))
        compiled = self._compile(frozenset(params), dialect)
        found = await driver.fetch(compiled.sql, *self._args(compiled, params))
        return [compiled.row._make(r) for r in found] if compiled.row else list(found)

    async def first(self, executor: AsyncSession | AsyncConnection,
                    params: dict[str, Any]) -> Any:
        found = await self.rows(executor, params)
        return found[0] if found else None

    async def count(self, executor: AsyncSession | AsyncConnection,
                    params: dict[str, Any]) -> int:
        """Run a statement without RETURNING; the number of rows it touched."""
        driver, dialect = await _driver(executor)
        if driver is None:
            result = await executor.execute(self.statement, params)
            return int(result.rowcount)  # type: ignore[attr-defined]
        compiled = self._compile(frozenset(params), dialect)
        status = await driver.execute(compiled.sql, *self._args(compiled, params))
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def many(self, executor: AsyncSession | AsyncConnection,
                   params: Sequence[dict[str, Any]]) -> None:
        """The same statement for each set of parameters (all with the same names)."""
        if not params:
            return
        driver, dialect = await _driver(executor)
        if driver is None:
            await executor.execute(self.statement, list(params))
            return
        compiled = self._compile(frozenset(params[0]), dialect)
        await driver.executemany(compiled.sql, [self._args(compiled, p) for p in params])


async def _driver(executor: AsyncSession | AsyncConnection) -> tuple[Any, Dialect]:
    """The asyncpg connection under a PostgreSQL session or connection, its transaction
    begun, and the engine's dialect; (None, …) for any other database. Looked up once per
    session transaction."""
    if isinstance(executor, AsyncSession):
        if executor.bind is not None and executor.bind.dialect.driver != "asyncpg":
            return None, executor.bind.dialect
        transaction = executor.sync_session.get_transaction()
        cached = executor.info.get(_CACHE)
        if cached is not None and transaction is not None and cached[0] is transaction:
            return cached[1], cached[2]
        connection = await executor.connection()
    else:
        connection = executor
    if connection.dialect.driver != "asyncpg":
        return None, connection.dialect
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    # SQLAlchemy's adapter begins its transaction at its first statement; one that runs
    # here first must begin it the same way, or it would commit on its own.
    if adapted._transaction is None and adapted.isolation_level != "autocommit":
        await adapted._start_transaction()
    driver = fairy.driver_connection
    if isinstance(executor, AsyncSession):
        executor.info[_CACHE] = (executor.sync_session.get_transaction(), driver,
                                 connection.dialect)
    return driver, connection.dialect
