"""Duties written in the plan's body text: suggested in the dry run, imported on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from config.directories import load_named
from plan.agencies import Directory
from plan.duties import find_duties
from plan.model import DeadlineKind, PlanMeta
from plan.rows import Row

SAMPLE = Path(__file__).parent / "samples" / "web-cells-2026.txt"
META = PlanMeta(None, None, "Kế hoạch năm 2026")
runner = CliRunner()


@pytest.fixture(scope="module")
def an_giang() -> Directory:
    return load_named("an-giang-2025")


@pytest.mark.parametrize(("text", "lead", "kind", "due"), [
    ("Định kỳ trước ngày 20 hằng tháng, các sở, ban, ngành báo cáo tiến độ về Sở Nội vụ.",
     "các sở, ban, ngành", DeadlineKind.RECURRING, None),
    ("2. Sở Y tế báo cáo kết quả về Sở Nội vụ trước ngày 15/12/2026.", "Sở Y tế",
     DeadlineKind.DATE, "2026-12-15"),
    ("Hằng quý, Sở Tư pháp gửi báo cáo về UBND tỉnh.", "Sở Tư pháp", DeadlineKind.RECURRING,
     None),
])
def test_body_sentences_with_a_time_agencies_and_a_report_are_duties(
        text: str, lead: str, kind: DeadlineKind, due: str | None, an_giang: Directory) -> None:
    [duty] = find_duties([Row(7, (text,))], an_giang, META)
    assert (duty.ref, duty.lead_text, duty.deadline.kind, duty.line) == ("VB.1", lead, kind, 7)
    assert (duty.deadline.due.isoformat() if duty.deadline.due else None) == due
    assert duty.lead and all(ref.resolved for ref in duty.lead)


@pytest.mark.parametrize("text", [
    "Các cơ quan báo cáo kịp thời về Sở Nội vụ.",  # no time
    "Trước ngày 15/12/2026, các cơ quan, đơn vị báo cáo.",  # nobody the directory knows
    "Thường xuyên, Sở Nội vụ báo cáo UBND tỉnh.",  # continuous: no occurrence to remind
    "Định kỳ hằng tháng, Sở Nội vụ kiểm tra công vụ.",  # no report
])
def test_other_sentences_are_not_duties(text: str, an_giang: Directory) -> None:
    assert find_duties([Row(1, (text,))], an_giang, META) == []


def test_dry_run_lists_duties_and_with_duties_imports_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    env = {"NHACVIEC_DATABASE_URL": url, "NHACVIEC_TODAY": "2026-03-01"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    args = ["import", str(SAMPLE), "--directory", "an-giang-2025"]
    dry = runner.invoke(app, [*args, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "Nhiệm vụ nêu trong nội dung văn bản (1, chưa nhập; thêm --with-duties" in dry.output
    assert "VB.1 dòng 40: Định kỳ trước ngày 20 hằng tháng" in dry.output
    plain = runner.invoke(app, args, env=env)
    assert "thêm 5," in plain.output
    both = runner.invoke(app, [*args, "--with-duties"], env=env)
    assert both.exit_code == 0, both.output
    assert "thêm 1," in both.output and "Tổng: 6 nhiệm vụ" in both.output


def test_a_duty_wrapped_over_two_lines_of_a_pdf_is_found() -> None:
    """A PDF wraps the sentence "…, các sở, ban," / "ngành báo cáo …": it was found in Word
    files only."""
    from config.directories import choose
    from plan.parse import parse_plan, plan_meta
    from plan.readers import read_rows
    from tests import sample_docs

    preamble = sample_docs.PREAMBLE
    try:
        sample_docs.PREAMBLE = [*preamble, "Định kỳ trước ngày 20 hằng tháng, các sở, ban,",
                                "ngành báo cáo tiến độ về Sở Nội vụ."]
        data = sample_docs.pdf_appendix(sample_docs.pdf_rows(2, 3))
    finally:
        sample_docs.PREAMBLE = preamble
    rows = read_rows("ke-hoach.pdf", data)
    draft = parse_plan(rows, choose(plan_meta(rows)).directory)
    [duty] = draft.duties
    assert duty.deadline.period == "monthly" and duty.deadline.days == ((0, 20),)
    assert len(duty.lead) > 10  # every department of the province
