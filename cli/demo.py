"""`nhacviec demo`: the bundled example plan in an empty database, alive on a demo clock.

The example has its own number (DEMO-272/KH-UBND), so it can never overwrite a real plan,
and it is loaded only into a database that holds no plan at all. It comes with a few focal
points (on the console, as `nhacviec run --as <cơ quan>` uses them) and a few answers given,
so summaries, overdue and due-soon lists show something on the first run. While the example
is the only plan, `nhacviec run` keeps the demo clock (a late-March day of the plan year).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

import typer

from cli.common import fail, settings

if TYPE_CHECKING:
    from storage.uow import Database

DEMO_CODE = "DEMO-272/KH-UBND"
DEMO_TODAY = dt.date(2023, 3, 28)
# (agency, ref, what its focal point answered): a late completion, work in progress, a
# blocker; the rest of the plan stays unanswered (overdue, due soon, in time)
DEMO_ANSWERS = (
    ("Sở Tư pháp", "I.2", "xong 12/KH-STP ngày 16/02/2023"),
    ("Sở Nội vụ", "VIII.2", "dang 60% đang lấy ý kiến các sở"),
    ("Sở Thông tin và Truyền thông", "VI.1", "vuong chờ kinh phí nâng cấp hệ thống"),
    ("Sở Nội vụ", "VIII.3", "xong 25/KH-SNV ngày 20/03/2023"),
)
CONFIRMED = ("I.2", "VIII.3")  # completions Sở Nội vụ's coordinator has already confirmed
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_command() -> None:
        """Nạp kế hoạch ví dụ DEMO-272/KH-UBND vào cơ sở dữ liệu chưa có kế hoạch nào."""
        from cli.common import run_async

        s = settings()
        typer.echo(run_async(prepare(s.database_url)))


async def prepare(url: str) -> str:
    """Load the example, its focal points and answers — only into a database with no plan.
    Returns the line to print."""
    from cli.importing import read_plan, store_plan
    from config.settings import EXAMPLE_PLAN
    from storage import queries
    from storage.uow import Database

    db = Database.from_url(url)
    try:
        await db.check_migrated()
        async with db.uow() as uow:
            codes = [row.code for row in await queries.plans(uow.session)]
        if codes:
            if codes == [DEMO_CODE]:
                return f"Kế hoạch ví dụ {DEMO_CODE} đã có; giữ nguyên."
            return ("Cơ sở dữ liệu đã có kế hoạch (" + ", ".join(codes) + "): "
                    "không nạp kế hoạch ví dụ.")
        draft, choice = read_plan(EXAMPLE_PLAN, None)
        now = dt.datetime.combine(DEMO_TODAY, dt.time(9, 0), VIETNAM)
        await store_plan(db, draft, choice.directory, EXAMPLE_PLAN.name, DEMO_TODAY)
        await _enrol_and_answer(db, now)
    except Exception as exc:  # a missing database, a failed migration check …
        fail(str(exc))
    finally:
        await db.dispose()
    agencies = len({agency for agency, _, _ in DEMO_ANSWERS})
    return (f"Đã nạp kế hoạch ví dụ {DEMO_CODE} ({len(draft.tasks)} nhiệm vụ), "
            f"{agencies} đầu mối mẫu và {len(DEMO_ANSWERS)} câu trả lời của họ.")


async def _enrol_and_answer(db: Database, now: dt.datetime) -> None:
    """Through the same handlers a chat uses, so the answers are stored as real ones."""
    from bot.handlers import Handlers
    from bot.types import Incoming
    from storage import queries
    from storage.contacts import console_contact
    from words.messages import assignment_code

    handlers = Handlers(db, lambda: DEMO_TODAY, now=lambda: now)
    codes: dict[str, str] = {}
    for agency, ref, said in DEMO_ANSWERS:
        async with db.uow() as uow:
            chat = await console_contact(uow.session, agency, now)
            number = await queries.lead_assignment(uow.session, DEMO_CODE, ref, agency)
            assert number is not None, (agency, ref)  # the bundled example has them all
            await uow.commit()
        codes[ref] = assignment_code(number)
        await handlers.handle(Incoming("console", chat, f"{codes[ref]} {said}", "Đầu mối mẫu"))
    async with db.uow() as uow:
        coordinator = await console_contact(uow.session, None, now)
        await uow.commit()
    for ref in CONFIRMED:
        await handlers.handle(Incoming("console", coordinator, f"/xacnhan {codes[ref]} dat",
                                       "Sở Nội vụ"))
