"""Synthetic plans and directories of a chosen size, for benchmarks."""

from __future__ import annotations

import csv
import io
from typing import Any

GROUP = "Nhóm năm mươi cơ quan"


def directory_data(agencies: int = 200, group_size: int = 50) -> dict[str, Any]:
    names = [f"Sở Thử nghiệm số {i:03d}" for i in range(1, agencies + 1)]
    return {"name": "bench", "province": "Thử nghiệm",
            "agencies": [{"name": name, "kind": "department"} for name in names],
            "groups": [{"name": GROUP, "members": names[:group_size]}]}


def appendix_csv(tasks: int, agencies: int = 200, group_every: int = 3,
                 sections: int = 20) -> bytes:
    """A plan of `tasks` rows; every `group_every`-th task is led by the 50-agency group."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([["Số: 999/KH-BENCH"], ["Thử nghiệm, ngày 01 tháng 01 năm 2026"],
                      ["KẾ HOẠCH"], ["Cải cách hành chính năm 2026"],
                      ["STT", "Nội dung", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
                       "Thời hạn", "Ghi chú"]])
    per_section = tasks // sections + 1
    deadlines = ["Quý I/2026", "Tháng 06/2026", "Năm 2026", "6 tháng cuối năm",
                 "15/9/2026", "Theo quy định hiện hành"]
    for index in range(tasks):
        if index % per_section == 0:
            writer.writerow([_roman(index // per_section + 1), f"Mục thử {index}", "", "", "",
                             "", ""])
        lead = GROUP if index % group_every == 0 else f"Sở Thử nghiệm số {index % agencies + 1:03d}"
        writer.writerow([str(index % per_section + 1), f"Nhiệm vụ thử nghiệm số {index}",
                         "Kế hoạch", lead, "", deadlines[index % len(deadlines)], ""])
    return out.getvalue().encode()


def _roman(value: int) -> str:
    from plan.text import to_roman

    return to_roman(value)
