"""The Vietnamese summary of a plan file: what an import (or its dry run) read, matched and
stored — printed by `nhacviec import` and sent as the preview of a plan loaded in the chat."""

from __future__ import annotations

from collections import Counter

from config.directories import Choice
from plan.matching import Matches, Pair
from plan.model import DeadlineKind, PlanDraft
from plan.parse import LAYOUT_LABELS
from storage.importer import ImportReport
from words.texts import shorten

DRY_RUN = "Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu."


def uncertain_text(pairs: list[Pair]) -> str:
    lines = [f"{len(pairs)} nhiệm vụ chưa chắc là nhiệm vụ đã lưu; không ghi gì. Xem các cặp "
             "dưới đây (cũ → mới, độ giống):"]
    lines += [f"  {p.old_ref} «{shorten(p.old_content)}» → {p.new_ref} "
              f"«{shorten(p.new_content)}» ({p.score}%)" for p in pairs]
    lines.append("Nếu đúng là cùng nhiệm vụ (giữ lịch sử báo cáo), nhập lại với "
                 "--accept-matches; nếu không, sửa số thứ tự hoặc nội dung trong tệp.")
    return "\n".join(lines)


def _matches_lines(matches: Matches | None, report: ImportReport | None) -> list[str]:
    renumbered = report.renumbered if report else (matches.renumbered if matches else [])
    replaced = report.replaced if report else (matches.replaced if matches else [])
    uncertain = [] if report else (matches.uncertain if matches else [])
    lines = []
    if renumbered:
        lines.append("Đổi số thứ tự (giữ lịch sử báo cáo): "
                     + ", ".join(f"{p.old_ref} → {p.new_ref}" for p in renumbered))
    if replaced:
        lines.append("Nhiệm vụ khác ở số thứ tự cũ (theo dõi từ đầu; lịch sử báo cáo ở lại "
                     "với nhiệm vụ cũ): " + ", ".join(p.new_ref for p in replaced))
    if uncertain:
        lines.append(uncertain_text(uncertain))
    return lines


def summary(draft: PlanDraft, report: ImportReport | None, choice: Choice | None = None,
            matches: Matches | None = None, not_saved: str = DRY_RUN) -> str:
    """The Vietnamese summary printed after an import or a dry run (`matches`: how a dry
    run's tasks match the stored plan)."""
    meta = draft.meta
    date = meta.issued_on.strftime("%d/%m/%Y") if meta.issued_on else "không rõ ngày"
    lines = [f"Kế hoạch {meta.code or '(chưa rõ số hiệu)'} ngày {date}: {meta.title or ''}",
             f"Đã đọc như: {LAYOUT_LABELS.get(draft.layout, draft.layout)}",
             *([f"Danh mục cơ quan: {choice.directory.name} ({choice.reason})"] if choice else []),
             "Nhiệm vụ theo mục:"]
    per_section = Counter(t.section for t in draft.tasks)
    titles = {t.section: t.section_title for t in draft.tasks}
    for numeral, count in per_section.items():
        lines.append(f"  {numeral or '—':<6} {titles[numeral] or '(không rõ tiêu đề)'}: {count}")
    lead = sum(len(t.lead) for t in draft.tasks)
    coordinating = sum(len(t.coordinating) for t in draft.tasks)
    lines.append(f"Tổng: {len(draft.tasks)} nhiệm vụ; {lead} phân công chủ trì, "
                 f"{coordinating} phân công phối hợp")
    named = [a for t in draft.tasks for a in (*t.lead, *t.coordinating)]
    unresolved = sorted({a.name for a in named if a.kind == "unresolved"})
    lines.append("Cơ quan chưa nhận ra: " + (", ".join(unresolved) if unresolved else "không có"))
    external = sorted({a.name for a in named if a.kind == "external"})
    if external:
        lines.append("Đơn vị ngoài tỉnh (chỉ liệt kê; nhắc việc khi có đầu mối liên kết): "
                     + ", ".join(external))
    leaderless = [t.ref for t in draft.tasks if not t.lead]
    if leaderless:
        lines.append("Nhiệm vụ chưa xác định đơn vị chủ trì: " + ", ".join(leaderless))
    # what reports count as "không có hạn": no date, and no dated occurrence either
    undated = [t for t in draft.tasks if t.deadline.due is None
               and not (t.deadline.kind is DeadlineKind.RECURRING
                        and t.deadline.period != "continuous")]
    lines.append("Nhiệm vụ chưa có ngày hạn cố định: " + (
        "; ".join(f"{t.ref} «{t.deadline.text or 'trống'}»" for t in undated) or "không có"))
    if draft.duties:
        lines.append(f"Nhiệm vụ nêu trong nội dung văn bản ({len(draft.duties)}, chưa nhập; "
                     "thêm --with-duties để nhập):")
        lines += [f"  {t.ref} dòng {t.line}: {t.content} — {t.lead_text}; hạn «{t.deadline.text}»"
                  for t in draft.duties]
    lines.append(f"Cảnh báo ({len(draft.warnings)}):")
    lines += [f"  dòng {w.line}: {w.message}" for w in draft.warnings]
    lines += _matches_lines(matches, report)
    if report is None:
        lines.append(not_saved)
    else:
        state = "tạo mới" if report.created else "cập nhật"
        if report.demo_removed is not None:
            gone = report.demo_removed
            lines.append(f"Đã gỡ kế hoạch ví dụ {gone.code} ({gone.tasks} nhiệm vụ, các câu trả "
                         "lời và đầu mối mẫu trên console): cơ sở dữ liệu này nay dành cho kế "
                         "hoạch thật." + (f" {gone.unlinked} đầu mối đã liên kết với cơ quan "
                                         "của kế hoạch ví dụ cần được mời lại."
                                         if gone.unlinked else ""))
        lines.append(f"Đã lưu ({state}): thêm {len(report.added)}, thay đổi "
                     f"{len(report.changed)}, rút khỏi kế hoạch {len(report.withdrawn)} nhiệm vụ; "
                     f"thêm {report.assignments_added} phân công, gỡ {report.assignments_removed}.")
        for label, refs in (("Thay đổi", report.changed), ("Rút khỏi kế hoạch", report.withdrawn),
                            ("Khôi phục", report.restored)):
            if refs:
                lines.append(f"  {label}: {', '.join(refs)}")
    return "\n".join(lines)
