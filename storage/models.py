"""Tables. Statuses and history are never deleted: removed things get a timestamp."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Plan(Base):
    """One plan document (e.g. 272/KH-UBND); several can be active at once."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(String(300))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    directory: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A focal point's "done" waits for the coordinators to confirm it (default on).
    confirm_done: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("plan_id", "numeral"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    numeral: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class Agency(Base):
    """A canonical agency of one directory; unresolved names are kept, flagged."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("directory", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directory: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolved: Mapped[bool] = mapped_column(Boolean, default=True)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "ref"), Index("ix_tasks_due", "due_date"),
                      Index("ix_tasks_deadline_kind", "deadline_kind"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="RESTRICT"))
    ref: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text, default="")
    lead_text: Mapped[str] = mapped_column(Text, default="")
    coordinating_text: Mapped[str] = mapped_column(Text, default="")
    deadline_text: Mapped[str] = mapped_column(Text, default="")
    deadline_kind: Mapped[str] = mapped_column(String(20))
    deadline_period: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    deadline_start: Mapped[dt.date | None] = mapped_column(Date)  # ongoing/ranged work begins
    deadline_days: Mapped[list[list[int]] | None] = mapped_column(JSON)  # recurrence days
    note: Mapped[str] = mapped_column(Text, default="")
    source_line: Mapped[int] = mapped_column(Integer)
    part: Mapped[str | None] = mapped_column(String(20))
    subsection: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, str] | None] = mapped_column(JSON)  # columns beyond ours
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # when it entered the record: a report as of an earlier day leaves it out
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Assignment(Base):
    """Task × agency × role. `status` is the current state, derived from stored answers."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("task_id", "agency_id", "role"),
                      Index("ix_assignments_agency", "agency_id"),
                      Index("ix_assignments_due_override", "due_override"),
                      Index("ix_assignments_cycle_due", "cycle_due"),
                      Index("ix_assignments_snoozed_until", "snoozed_until"),
                      Index("ix_assignments_paused_until", "paused_until"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))
    via_group: Mapped[str | None] = mapped_column(String(300))
    due_override: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(30), default="chua_thuc_hien")
    # Local date the current run of "done" answers began; None while not done. Kept with
    # `status` so the on-time scoreboard needs no pass over the answers.
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The current occurrence of a recurring duty: its due date (None for one-off tasks).
    cycle_due: Mapped[dt.date | None] = mapped_column(Date)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)  # with status tam_dung
    snoozed_until: Mapped[dt.date | None] = mapped_column(Date)  # next focal reminder on this day
    # Any answer stored (status_reports), set by the answer that first says something: an
    # answer then reads its assignment, fresh, with the row lock (storage.answers.target).
    answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The agency the plan names, when the coordinators reassigned the task to another one:
    # a re-import matches on it and keeps the reassignment. An agencies.id, kept without a
    # foreign key so that every `join(Agency)` stays the assignment's own agency.
    reassigned_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRun(Base):
    """Audit of every import: what came in, what changed, which warnings were shown."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    source_name: Mapped[str] = mapped_column(String(500))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)


class TaskChange(Base):
    """Old and new value of a task field changed by a re-import (nothing is overwritten blind)."""

    __tablename__ = "task_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="RESTRICT"))
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id", ondelete="RESTRICT"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class AgencyChange(Base):
    """An agency merged into another or renamed (the 2025 mergers are the everyday case):
    its open assignments and contacts moved, and re-imports map the old name to the new."""

    __tablename__ = "agency_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directory: Mapped[str] = mapped_column(String(200))
    old_name: Mapped[str] = mapped_column(String(300))
    new_name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # merge | rename
    note: Mapped[str] = mapped_column(Text, default="")
    moved_assignments: Mapped[int] = mapped_column(Integer, default=0)
    moved_contacts: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    """A person the bot can reach: an agency's focal point or a coordinator (Sở Nội vụ)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "chat_id"), Index("ix_contacts_agency",
                                                                    "agency_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))  # focal | coordinator
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_reason: Mapped[str | None] = mapped_column(Text)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    unlinked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Away (leave, travel): no reminders before this day; the stand-in (a contact of the
    # same agency, no foreign key so joins on contacts stay unambiguous) covers meanwhile.
    away_until: Mapped[dt.date | None] = mapped_column(Date)
    stand_in_id: Mapped[int | None] = mapped_column(Integer)


class OutboxMessage(Base):
    """One message to one contact: a row before it is a request, its outcome written back."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("contact_id", "send_on", "part"),
                      Index("ix_outbox_due", "state", "next_attempt_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    send_on: Mapped[dt.date] = mapped_column(Date)
    part: Mapped[int] = mapped_column(Integer, default=1)  # the day's n-th message
    state: Mapped[str] = mapped_column(String(20), default="pending")
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # of a
    # text longer than the platform's limit: a retry starts at the first part not sent
    text: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReminderItem(Base):
    """One reminder (assignment × recipient × stage × date), unique by `key`, never twice."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_send_on", "send_on"),
                      Index("ix_reminders_message", "message_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    stage: Mapped[str] = mapped_column(String(20))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="RESTRICT"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    natural_date: Mapped[dt.date] = mapped_column(Date)
    send_on: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="RESTRICT"))
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extension_requests.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SweepRun(Base):
    """One row per swept day; its unique date makes the daily sweep run once across processes."""

    __tablename__ = "sweep_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_date: Mapped[dt.date] = mapped_column(Date, unique=True)
    caught_up_from: Mapped[dt.date] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class StatusReport(Base):
    """An answer from a focal point. Append-only: a correction is a new row, never an update."""

    __tablename__ = "status_reports"
    __table_args__ = (Index("ix_status_reports_assignment", "assignment_id", "created_at"),
                      Index("ix_status_reports_agency", "agency_id", "created_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    file: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    raw_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answered_on: Mapped[dt.date] = mapped_column(Date)  # local date: what "as of" reports cut on
    until: Mapped[dt.date | None] = mapped_column(Date)  # end of a pause or a snooze
    occurrence_due: Mapped[dt.date | None] = mapped_column(Date)  # which period of a duty


class Invite(Base):
    """A one-time enrollment code; only its hash is stored."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))


class EnrollAttempt(Base):
    """A wrong, used or expired code typed in a chat; counted against a per-chat limit."""

    __tablename__ = "enroll_attempts"
    __table_args__ = (Index("ix_enroll_attempts_chat", "channel", "chat_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ExtensionRequest(Base):
    """A focal point asks for a later due date; a coordinator approves or rejects it."""

    __tablename__ = "extension_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    proposed_date: Mapped[dt.date] = mapped_column(Date)
    proposed_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """What the bot is waiting for from a contact (evidence, a reason, a date)."""

    __tablename__ = "conversations"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"),
                                            primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="RESTRICT"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Tally(Base):
    """Running counts of live lead assignments (see storage.tallies): each one is counted
    under its agency and under its section, by what a report's categories depend on."""

    __tablename__ = "tallies"
    __table_args__ = (UniqueConstraint("plan_id", "dimension", "key_id", "status", "due", "late",
                                       "answered"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    dimension: Mapped[str] = mapped_column(String(10))  # "agency" or "section"
    key_id: Mapped[int] = mapped_column(Integer)  # agencies.id or sections.id
    status: Mapped[str] = mapped_column(String(30))
    due: Mapped[dt.date] = mapped_column(Date)  # NO_DATE (9999-12-31) when not a fixed date
    late: Mapped[bool] = mapped_column(Boolean)  # done after the deadline
    answered: Mapped[bool] = mapped_column(Boolean)  # any stored answer
    n: Mapped[int] = mapped_column(Integer)


class CodeScheme(Base):
    """One row: the last assignment id whose `#mã` is base 36 (words.codes); later ids get
    look-alike-free codes. Written once, by the migration that introduced the scheme."""

    __tablename__ = "code_scheme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    legacy_max: Mapped[int] = mapped_column(Integer)


class InboxUpdate(Base):
    """One update a platform delivered, stored before it is acknowledged: the key makes a
    redelivery a no-op in every process; the replies wait here until they are sent."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "update_key"),
                      Index("ix_inbox_due", "state", "next_attempt_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(120))
    payload: Mapped[str] = mapped_column(Text)  # the update as JSON text (NUL bytes escaped)
    state: Mapped[str] = mapped_column(String(20), default="new")  # new | handled | done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    replies: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"chat_id", "items"}
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Lease(Base):
    """A named job only one process may do at a time (polling one platform): its holder
    renews it; when the holder dies the lease ends and another process takes it."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PlanUpload(Base):
    """A plan file a coordinator sent to the bot, kept with its preview until they save it
    or cancel: nothing of it is imported before they decide."""

    __tablename__ = "plan_uploads"
    __table_args__ = (Index("ix_plan_uploads_contact_id", "contact_id", "state"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    file_name: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # emptied once it is cancelled
    plan_code: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending|saved|dropped
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(Text)  # what saving said (added, changed…)
