"""The `nhacviec` command line as an IT officer or coordinator uses it."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner, Result

from cli.main import app
from storage import tallies
from storage.models import Tally
from storage.uow import Database

runner = CliRunner()


def nhacviec(db_url: str, *args: str, stdin: str | None = None, **env: str) -> Result:
    return runner.invoke(app, list(args), input=stdin,
                         env={"NHACVIEC_DATABASE_URL": db_url, "NHACVIEC_TODAY": "2023-03-01",
                              **env})


@pytest.fixture
def migrated(db_url: str) -> str:
    result = nhacviec(db_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    return db_url


def plans_output(db_url: str) -> str:
    result = nhacviec(db_url, "plans")
    assert result.exit_code == 0, result.output
    return result.output


def test_import_prints_a_vietnamese_summary(migrated: str, example_path: Path) -> None:
    result = nhacviec(migrated, "import", str(example_path))
    assert result.exit_code == 0, result.output
    assert "Kế hoạch DEMO-272/KH-UBND ngày 23/12/2022" in result.output
    assert "Tổng: 32 nhiệm vụ" in result.output
    assert "V.4 «Theo quy định hiện hành»" in result.output
    assert "Đã lưu (tạo mới): thêm 32" in result.output
    again = nhacviec(migrated, "import", str(example_path))
    assert "Đã lưu (cập nhật): thêm 0, thay đổi 0, rút khỏi kế hoạch 0" in again.output
    assert "DEMO-272/KH-UBND\t32 nhiệm vụ" in plans_output(migrated)


def test_dry_run_json_has_the_documented_shape_and_writes_nothing(
        tmp_path: Path, seed_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never.db'}"
    result = nhacviec(url, "import", str(seed_path), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["plan"]["code"], data["plan"]["date"]) == ("272/KH-UBND", "2022-12-23")
    first = data["tasks"][0]
    assert set(first) >= {"ref", "section", "section_title", "number", "content", "product",
                          "lead_text", "coordinating_text", "lead", "coordinating",
                          "deadline_text", "deadline_kind", "due_date", "note", "line"}
    assert (first["ref"], first["due_date"], first["lead"]) == ("I.1", "2022-12-31", ["Sở Tư pháp"])
    assert any(w["line"] == 156 and "mục V" in w["message"] for w in data["warnings"])
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.txt", None, "không tìm thấy tệp"),
    ("plan.pdf", b"%PDF-1.4", "PDF hỏng"),
    ("plan.txt", "Không có bảng nào ở đây".encode(), "không tìm thấy bảng phụ lục"),
    ("plan.xlsx", b"STT,Noi dung", "không phải bảng tính .xlsx"),
])
def test_bad_file_exits_2_and_changes_nothing(migrated: str, example_path: Path, tmp_path: Path,
                                              name: str, content: bytes | None,
                                              message: str) -> None:
    nhacviec(migrated, "import", str(example_path))
    before = plans_output(migrated)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = nhacviec(migrated, "import", str(path))
    assert result.exit_code == 2
    assert message in result.output and result.output.startswith("Lỗi:")
    assert plans_output(migrated) == before


def test_import_into_unmigrated_database_says_what_to_run(db_url: str,
                                                           example_path: Path) -> None:
    result = nhacviec(db_url, "import", str(example_path))
    assert result.exit_code == 2
    assert "nhacviec db upgrade" in result.output
    refused = nhacviec(db_url, "run", "--no-console")  # the service never starts half-ready
    assert refused.exit_code == 2 and "hãy chạy: nhacviec db upgrade" in refused.output


def test_wrong_setting_names_the_variable(tmp_path: Path, example_path: Path) -> None:
    result = nhacviec(f"sqlite:///{tmp_path / 'x.db'}", "import", str(example_path),
                      NHACVIEC_REMIND_DAYS_BEFORE="14,bảy")
    assert result.exit_code == 2
    assert "NHACVIEC_REMIND_DAYS_BEFORE" in result.output


def test_secret_is_never_echoed_in_a_settings_error(tmp_path: Path) -> None:
    result = nhacviec("mysql://nope", "plans", NHACVIEC_TELEGRAM_BOT_TOKEN="123:SECRET")
    assert result.exit_code == 2 and "NHACVIEC_DATABASE_URL" in result.output
    assert "SECRET" not in result.output


def test_unknown_directory_and_bad_date_are_refused(migrated: str, example_path: Path) -> None:
    result = nhacviec(migrated, "import", str(example_path), "--directory", "atlantis-2030")
    assert result.exit_code == 2 and "atlantis-2030" in result.output
    assert "nhacviec directory list" in result.output
    result = nhacviec(migrated, "import", str(example_path), "--directory", "kien-giang")
    assert result.exit_code == 2 and "có phải: kien-giang-2023" in result.output
    result = nhacviec(migrated, "import", str(example_path), "--date", "31/13/2023")
    assert result.exit_code == 2 and "--date: ngày «31/13/2023» không đúng" in result.output
    result = nhacviec(migrated, "import", str(example_path), "--date", "23/12/2022",
                      "--dry-run")
    assert result.exit_code == 0 and "ngày 23/12/2022" in result.output


def test_plans_can_be_switched_off_and_on(migrated: str, example_path: Path) -> None:
    nhacviec(migrated, "import", str(example_path))
    assert nhacviec(migrated, "plans", "deactivate", "DEMO-272/KH-UBND").exit_code == 0
    assert "đã tắt" in plans_output(migrated)
    assert nhacviec(migrated, "plans", "activate", "DEMO-272/KH-UBND").exit_code == 0
    assert "đang theo dõi" in plans_output(migrated)
    assert nhacviec(migrated, "plans", "activate", "99/KH").exit_code == 2


def test_run_opens_the_console_bot_with_the_plan_loaded(migrated: str,
                                                        example_path: Path) -> None:
    nhacviec(migrated, "import", str(example_path))
    result = nhacviec(migrated, "run", "--as", "Sở Tư pháp",
                      stdin="/nhiemvu\nxin chào\n/thoat\n")
    assert result.exit_code == 0, result.output
    assert "Kế hoạch: DEMO-272/KH-UBND: 32 nhiệm vụ" in result.output
    assert "Hôm nay 01/03/2023" in result.output
    assert " I.1 Kế hoạch rà soát và kiểm tra văn bản quy phạm pháp luật" in result.output
    assert "Hạn: 31/12/2022 (quá hạn 60 ngày)" in result.output
    assert "Chưa hiểu tin nhắn này" in result.output
    assert "Tạm biệt." in result.output


def test_the_daily_sweep_repairs_report_counts_that_drifted(migrated: str,
                                                            example_path: Path) -> None:
    nhacviec(migrated, "import", str(example_path))

    async def edit_then_check(edit: bool) -> int:
        db = Database.from_url(migrated)
        async with db.uow() as uow:
            if edit:
                await uow.session.execute(update(Tally).values(n=Tally.n + 1))
                await uow.commit()
            differ = await tallies.check(uow.session, repair=False)
        await db.dispose()
        return differ

    assert asyncio.run(edit_then_check(edit=True)) > 0
    result = nhacviec(migrated, "run", "--as", "Sở Tư pháp", stdin="/thoat\n")
    assert result.exit_code == 0, result.output
    assert asyncio.run(edit_then_check(edit=False)) == 0


def test_invite_prints_code_link_and_start_text(migrated: str, example_path: Path,
                                                telegram: object) -> None:
    fake, url = telegram  # type: ignore[misc]
    nhacviec(migrated, "import", str(example_path))
    result = nhacviec(migrated, "invite", "so tu phap", NHACVIEC_TELEGRAM_BOT_TOKEN=fake.token,
                      NHACVIEC_TELEGRAM_API_BASE_URL=url)
    assert result.exit_code == 0, result.output
    code = result.output.split("Sở Tư pháp: ")[1].split(" ")[0]
    assert len(code) >= 13  # ≥ 64 bits of randomness
    assert f"https://t.me/nhacviec_test_bot?start={code}" in result.output
    assert f"/start {code}" in result.output
    refused = nhacviec(migrated, "invite", "Sở Ma Thuật")
    assert refused.exit_code == 2 and "không có cơ quan" in refused.output


def test_coordinator_revokes_a_contact(migrated: str, example_path: Path) -> None:
    nhacviec(migrated, "import", str(example_path))
    added = nhacviec(migrated, "contacts", "add", "Sở Y tế", "--channel", "zalo",
                     "--chat-id", "abc", "--name", "Chị Hoa")
    assert added.exit_code == 0, added.output
    contact_id = added.output.split("liên hệ ")[1].split(":")[0]
    assert "Chị Hoa" in nhacviec(migrated, "contacts").output
    revoked = nhacviec(migrated, "contacts", "revoke", contact_id)
    assert revoked.exit_code == 0 and "Đã thu hồi" in revoked.output
    assert "Chị Hoa" not in nhacviec(migrated, "contacts").output
    assert nhacviec(migrated, "contacts", "revoke", contact_id).exit_code == 2


def test_report_writes_each_format_and_refuses_bad_options(migrated: str, example_path: Path,
                                                           tmp_path: Path) -> None:
    assert nhacviec(migrated, "import", str(example_path)).exit_code == 0
    xlsx = tmp_path / "bc.xlsx"
    done = nhacviec(migrated, "report", "-o", str(xlsx), "--chart", str(tmp_path / "c.png"))
    assert done.exit_code == 0, done.output
    assert f"Đã ghi {xlsx} (203 phân công chủ trì, 0 báo cáo trong «Lịch sử»), tính đến hết " \
           "ngày 01/03/2023." in done.output
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    md = nhacviec(migrated, "report", "--format", "md", "--as-of", "2023-01-31")
    assert md.exit_code == 0 and "tính đến hết ngày 31/01/2023" in md.output
    assert "| Quá hạn |" in md.output and "| Sắp đến hạn |" in md.output
    csv = nhacviec(migrated, "report", "--format", "csv", "-o", str(tmp_path / "bc.csv"))
    assert csv.exit_code == 0 and (tmp_path / "bc.csv").read_text("utf-8-sig").count("\n") == 204
    before = sorted(p.name for p in tmp_path.iterdir())
    for args, message in [
            (("--format", "pdf"), "--format «pdf» không hỗ trợ"),
            (("--as-of", "32/03/2023"), "--as-of: ngày «32/03/2023» không đúng"),
            (("--as-of", "2023-03-02"), "là ngày trong tương lai"),
            (("--plan", "999/KH-UBND"), "không có kế hoạch 999/KH-UBND"),
            (("-o", str(tmp_path / "missing" / "x.xlsx")), "không tồn tại"),
            (("--chart", str(tmp_path / "c.jpg")), "--chart phải là tệp .png")]:
        refused = nhacviec(migrated, "report", *args, "-o", str(xlsx)) if "-o" not in args \
            else nhacviec(migrated, "report", *args)
        assert refused.exit_code == 2 and message in refused.output, (args, refused.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written on refusal


def test_dead_messages_are_listed_and_sent_again(migrated: str, example_path: Path) -> None:
    assert nhacviec(migrated, "import", str(example_path)).exit_code == 0
    added = nhacviec(migrated, "contacts", "add", "Sở Khoa học và Công nghệ", "--channel",
                     "console", "--chat-id", "c-1", "--name", "Lan")
    assert added.exit_code == 0, added.output
    assert nhacviec(migrated, "remind", "--today", "2023-09-29",
                    NHACVIEC_TODAY="2023-09-29").exit_code == 0

    async def kill_all() -> None:
        from storage.models import OutboxMessage

        db = Database.from_url(migrated)
        async with db.uow() as uow:
            await uow.session.execute(update(OutboxMessage).values(
                state="dead", last_error="Forbidden: bot was blocked by the user"))
            await uow.commit()
        await db.dispose()

    asyncio.run(kill_all())
    listed = nhacviec(migrated, "outbox", "dead")
    assert listed.exit_code == 0 and "console:c-1" in listed.output
    assert "bot was blocked" in listed.output and "29/09/2023" in listed.output
    number = listed.output.split("\t", 1)[0]
    refused = nhacviec(migrated, "outbox", "retry")
    assert refused.exit_code == 2 and "--all" in refused.output
    unknown = nhacviec(migrated, "outbox", "retry", "999999")
    assert unknown.exit_code == 2 and "không có tin nào" in unknown.output
    again = nhacviec(migrated, "outbox", "retry", number)
    assert again.exit_code == 0 and "Đã đưa 1 tin" in again.output
    assert "Không có tin nào bị bỏ" in nhacviec(migrated, "outbox", "dead").output
    assert "chờ gửi: 1" in nhacviec(migrated, "outbox").output


def test_reimport_lists_renumbered_tasks_and_stops_on_uncertain_ones(
        migrated: str, example_path: Path, tmp_path: Path) -> None:
    assert nhacviec(migrated, "import", str(example_path)).exit_code == 0
    lines = example_path.read_text(encoding="utf-8").splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("1,"))
    section = []
    for n in range(start, len(lines)):
        first = lines[n].split(",", 1)[0]
        if not first.isdigit():
            break
        section.append(n)
    for n in reversed(section):  # the rest of section I shift down by one
        number, rest = lines[n].split(",", 1)
        lines[n] = f"{int(number) + 1},{rest}"
    lines.insert(start, "1,Khảo sát mức độ hài lòng của người dân đối với dịch vụ công,"
                        "Báo cáo,Sở Tư pháp,,Tháng 6/2023,")
    shifted = tmp_path / "ke-hoach-ban-hanh-lai.csv"
    shifted.write_text("\n".join(lines), encoding="utf-8")
    preview = nhacviec(migrated, "import", str(shifted), "--dry-run")
    assert preview.exit_code == 0 and "Đổi số thứ tự (giữ lịch sử báo cáo): I.1 → I.2" \
        in preview.output
    stored = nhacviec(migrated, "import", str(shifted))
    assert stored.exit_code == 0, stored.output
    assert "I.1 → I.2, I.2 → I.3" in stored.output and "thêm 1," in stored.output
    assert "Nhiệm vụ khác ở số thứ tự cũ" in stored.output

    half = [line for line in lines]
    number, rest = half[start + 1].split(",", 1)
    half[start + 1] = (f"{number},Kế hoạch rà soát văn bản và tổ chức kiểm tra chuyên đề về "
                       "công tác cải cách hành chính," + rest.split(",", 1)[1])
    uncertain = tmp_path / "sua-nhieu.csv"
    uncertain.write_text("\n".join(half), encoding="utf-8")
    refused = nhacviec(migrated, "import", str(uncertain))
    assert refused.exit_code == 2 and "chưa chắc là nhiệm vụ đã lưu" in refused.output
    assert "--accept-matches" in refused.output and "I.2 «" in refused.output
    assert "chưa chắc" in nhacviec(migrated, "import", str(uncertain), "--dry-run").output
    accepted = nhacviec(migrated, "import", str(uncertain), "--accept-matches")
    assert accepted.exit_code == 0 and "thay đổi 1" in accepted.output


def test_demo_loads_the_example_once_and_runs_on_its_demo_clock(migrated: str) -> None:
    first = runner.invoke(app, ["demo"], env={"NHACVIEC_DATABASE_URL": migrated,
                                              "NHACVIEC_TODAY": None})
    assert first.exit_code == 0, first.output
    assert ("Đã nạp kế hoạch ví dụ DEMO-272/KH-UBND (32 nhiệm vụ), 3 đầu mối mẫu và 4 câu "
            "trả lời") in first.output
    again = runner.invoke(app, ["demo"], env={"NHACVIEC_DATABASE_URL": migrated})
    assert "Kế hoạch ví dụ DEMO-272/KH-UBND đã có; giữ nguyên." in again.output
    result = runner.invoke(app, ["run"], input="/tonghop\n/quahan\n/sapden\n/thoat\n",
                           env={"NHACVIEC_DATABASE_URL": migrated, "NHACVIEC_TODAY": None,
                                "NHACVIEC_TELEGRAM_BOT_TOKEN": None,
                                "NHACVIEC_ZALO_BOT_TOKEN": None})
    assert result.exit_code == 0, result.output
    first_line = result.output.lstrip().splitlines()[0]
    assert "đồng hồ đặt ở ngày 28/03/2023" in first_line
    assert "Hôm nay 28/03/2023" in result.output
    for shown in ("Trong hạn", "Sắp đến hạn", "Quá hạn", "Hoàn thành",
                  "trong đó đang thực hiện", "trong đó gặp vướng mắc"):
        count = re.search(rf"{shown}[^:\n]*: (\d+)", result.output)
        assert count and int(count.group(1)) > 0, shown
    assert "Không có nhiệm vụ nào đến hạn" not in result.output  # /sapden lists some


def test_demo_never_touches_a_real_plan(migrated: str, example_path: Path,
                                        tmp_path: Path) -> None:
    real = tmp_path / "kh-272.csv"
    real.write_text(example_path.read_text(encoding="utf-8").replace(
        "DEMO-272/KH-UBND", "272/KH-UBND").replace(
        "Kế hoạch rà soát và kiểm tra văn bản", "Rà soát văn bản (bản thật)"), encoding="utf-8")
    assert nhacviec(migrated, "import", str(real)).exit_code == 0
    before = plans_output(migrated)
    demo = nhacviec(migrated, "demo")
    assert demo.exit_code == 0, demo.output
    assert "đã có kế hoạch (272/KH-UBND): không nạp kế hoạch ví dụ" in demo.output
    assert plans_output(migrated) == before
    listed = nhacviec(migrated, "run", "--as", "Sở Tư pháp", stdin="/nhiemvu\n/thoat\n")
    assert "Rà soát văn bản (bản thật)" in listed.output
    assert "đồng hồ đặt ở" not in listed.output


def test_db_upgrade_says_whether_it_created_upgraded_or_found_the_schema_current(
        db_url: str) -> None:
    created = nhacviec(db_url, "db", "upgrade")
    assert created.exit_code == 0, created.output
    assert "Đã tạo lược đồ cơ sở dữ liệu" in created.output
    again = nhacviec(db_url, "db", "upgrade")
    assert "đã ở phiên bản mới nhất" in again.output and "không có gì thay đổi" in again.output


@pytest.mark.parametrize("args", [
    ("plans",), ("report", "--format", "md"), ("doctor",), ("outbox",), ("outbox", "dead"),
    ("remind", "--dry-run"), ("contacts",), ("backup", "-o", "x.json.gz"),
    ("invite", "Sở Tư pháp"), ("run",), ("demo",), ("import", "{example}", "--dry-run"),
])
def test_commands_on_a_missing_database_create_nothing(tmp_path: Path, example_path: Path,
                                                       args: tuple[str, ...]) -> None:
    """A mistyped NHACVIEC_DATABASE_URL must not leave an empty database (or folder) behind:
    every command says what to do instead; a dry run still reads the plan."""
    target = tmp_path / "nowhere" / "nhacviec.db"
    args = tuple(str(example_path) if a == "{example}" else a for a in args)
    result = nhacviec(f"sqlite:///{target}", *args, stdin="/thoat\n")
    assert not (tmp_path / "nowhere").exists(), result.output
    if args[-1] == "--dry-run" and args[0] == "import":
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0
        assert "nhacviec db upgrade" in result.output, result.output


def test_database_faults_a_person_can_fix_are_one_vietnamese_line(tmp_path: Path) -> None:
    """Real SQLite errors — a full database, a read-only one, a file that cannot be opened —
    are recognised through SQLAlchemy's wrapping and said with what to do."""
    import sqlite3

    from cli.faults import explain
    from storage.db import make_engine

    full = sqlite3.connect(tmp_path / "full.db")
    full.execute("CREATE TABLE t (x TEXT)")
    full.execute("PRAGMA max_page_count = 3")
    try:
        with full:
            for _ in range(100):
                full.execute("INSERT INTO t VALUES (?)", ("x" * 2000,))
    except sqlite3.OperationalError as exc:
        assert explain(exc) == "ổ đĩa đã đầy: không ghi được gì; giải phóng dung lượng rồi chạy lại"
    else:
        raise AssertionError("the page limit did not fill the database")

    readonly = sqlite3.connect(f"file:{tmp_path / 'full.db'}?mode=ro", uri=True)
    try:
        readonly.execute("INSERT INTO t VALUES ('y')")
    except sqlite3.OperationalError as exc:
        assert "chỉ đọc được" in (explain(exc) or "")

    async def open_missing_folder() -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'file-not-folder.db'}")
        (tmp_path / "file-not-folder.db").mkdir()  # a folder where the file should be
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
        finally:
            await engine.dispose()

    try:
        asyncio.run(open_missing_folder())
    except Exception as exc:  # SQLAlchemy's OperationalError around sqlite3's
        assert "không mở được tệp cơ sở dữ liệu" in (explain(exc) or ""), exc
    assert explain(ValueError("something else")) is None


def test_a_missing_postgresql_database_or_role_is_one_line_with_the_fix() -> None:
    from tests.conftest import PG_URL

    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    from sqlalchemy.engine import make_url

    server = make_url(PG_URL)
    for url, said in ((server.set(database="nhacviec_nope"), "createdb nhacviec_nope"),
                      (server.set(username="nhacviec_nobody"), "createuser nhacviec_nobody")):
        for args in (("plans",), ("db", "upgrade"), ("report", "--format", "md")):
            result = nhacviec(url.render_as_string(hide_password=False), *args)
            assert result.exit_code == 2, result.output
            assert result.output.count("\n") == 1 and said in result.output, result.output


def test_a_broken_directory_file_is_one_line_with_where_it_breaks(tmp_path: Path,
                                                                  example_path: Path) -> None:
    broken = tmp_path / "tinh-moi.yaml"
    broken.write_text('name: x\nagencies:\n  - name: "Sở A\n    aliases: [\n', encoding="utf-8")
    result = nhacviec(f"sqlite:///{tmp_path / 'x.db'}", "import", str(example_path),
                      "--dry-run", "--directory", str(broken))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "Lỗi: danh mục cơ quan «tinh-moi.yaml» không đọc được: lỗi YAML ở dòng 5, cột 1 "
        "(found unexpected end of stream)"]


def test_click_and_typer_words_around_our_help_are_vietnamese() -> None:
    """What click and typer print around our words: panel titles, the error panel and the
    help hint through gettext (cli/locale; the committed .mo is what the .po compiles to);
    "Usage:", the help option and parameter errors through cli.help_vi's classes."""
    import os
    import subprocess
    import sys

    from cli.help_vi import CATALOG, compile_mo, read_po

    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE"}
    shown = subprocess.run([sys.executable, "-m", "cli.main", "--help"], env=env,
                           capture_output=True, text=True, timeout=60).stdout
    assert "Tùy chọn" in shown and "Lệnh" in shown and "Cách dùng: " in shown
    assert "Xem hướng dẫn này rồi thoát." in shown
    assert not {"Options", "Commands", "Usage", "Show this message"} & set(
        re.findall(r"Options|Commands|Usage|Show this message", shown))

    def error(*args: str) -> str:
        ran = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env,
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 2
        return " ".join(ran.stderr.split())  # the error panel's borders and wrapping aside

    missing = error("import")
    assert "Lỗi" in missing and "Thiếu đối số 'file'." in missing
    assert "--help' để xem hướng dẫn." in missing
    assert "Không có tùy chọn --rol. Có phải ý bạn là --role?" in error("contacts", "add",
                                                                         "--rol", "x")
    assert CATALOG.with_suffix(".mo").read_bytes() == compile_mo(read_po(
        CATALOG.read_text(encoding="utf-8")))
