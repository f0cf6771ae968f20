"""The report picture: completion by section and the 15 agencies with the lowest on-time rate.

matplotlib with the Agg backend (no display); its bundled DejaVu Sans has every Vietnamese
diacritic, so labels need no system font.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from reports.figures import ScoreRow, Summary
from reports.state import CATEGORIES, CATEGORY_LABELS
from words.texts import shorten

COLOURS = {"hoan_thanh_dung_han": "#2e7d32", "hoan_thanh_qua_han": "#9ccc65",
           "trong_han": "#42a5f5", "sap_den_han": "#ffa726", "khong_co_han": "#bdbdbd",
           "tam_dung": "#8d6e63", "cho_xac_nhan": "#ab47bc", "qua_han": "#e53935"}
WORST = 15


def render(summary: Summary, board: list[ScoreRow], title: str) -> bytes:
    """PNG bytes of the two charts, one above the other."""
    ranked = [r for r in board if r.rate is not None][:WORST]
    sections = summary.sections
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(11, 3 + 0.45 * (len(sections) + len(ranked))),
        gridspec_kw={"height_ratios": [max(len(sections), 1), max(len(ranked), 1)]})
    try:
        _sections(top, summary)
        _worst(bottom, ranked)
        figure.suptitle(title, fontsize=11, wrap=True)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _sections(axis: Axes, summary: Summary) -> None:
    """Each section as shares of its own assignments (every bar 100 %, its count in the
    label): a section with a task led by 102 communes no longer dwarfs the others."""
    labels = [f"{shorten(label, 40)} ({sum(counts.values())})"
              for _, label, counts in summary.sections][::-1]
    totals = [max(sum(counts.values()), 1) for _, _, counts in summary.sections][::-1]
    left = [0.0] * len(labels)
    for key in CATEGORIES:
        values = [100 * counts.get(key, 0) / total for (_, _, counts), total
                  in zip(summary.sections[::-1], totals, strict=True)]
        if any(values):
            axis.barh(labels, values, left=left, color=COLOURS[key], label=CATEGORY_LABELS[key])
            left = [a + b for a, b in zip(left, values, strict=True)]
    axis.set_xlim(0, 100)
    axis.set_title("Tình trạng phân công chủ trì theo mục (tỷ lệ trong mục; số phân công "
                   "trong ngoặc)")
    axis.set_xlabel("Tỷ lệ phân công của mục (%)")
    if labels:
        # beside the plot, never over the longest bar
        axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        axis.text(0.5, 0.5, "Chưa có phân công", ha="center", transform=axis.transAxes)


def _worst(axis: Axes, ranked: list[ScoreRow]) -> None:
    labels = [shorten(r.agency, 40) for r in ranked][::-1]
    rates = [(r.rate or 0) * 100 for r in ranked][::-1]
    bars = axis.barh(labels, rates, color="#e53935")
    for bar, r in zip(bars, ranked[::-1], strict=True):
        axis.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2,
                  f"{r.on_time}/{r.due}", va="center", fontsize=8)
    axis.set_xlim(0, 110)
    axis.set_title(f"{len(ranked)} cơ quan có tỷ lệ hoàn thành đúng hạn thấp nhất")
    axis.set_xlabel("Tỷ lệ đúng hạn (%)")
    if not ranked:
        axis.text(0.5, 0.5, "Chưa có nhiệm vụ nào đến hạn", ha="center",
                  transform=axis.transAxes)
