"""The HTML report of a corpus. The table formats (text, CSV, Markdown, JSON, xlsx) are in
:mod:`reportmine.formatting`; their names are importable from here too.

The HTML report is one self-contained file (plotly.js inlined, no network access needed) with overview
figures, a categories bar chart, a unit-by-category heatmap, the trend by period, recurring problems,
issue-to-action and fines tables, co-occurrence, and a searchable evidence table. Every text that comes
from a report is escaped: ``html.escape`` in markup, and JSON with ``<``, ``>``, ``&`` escaped inside
``<script>``; texts that plotly draws are HTML-escaped too (plotly reads a small HTML subset).
"""
from __future__ import annotations

import datetime as _dt
import html
import json
from typing import TYPE_CHECKING, Any, Literal, Sequence

from .errors import ReportmineError
from .formatting import (EVIDENCE_SHEET_COLUMNS, TableFormat, _cell, _label_id, _numeric, display_frame, format_table, format_text,
                         truncate, write_xlsx)

if TYPE_CHECKING:
    import pandas as pd

    from .aggregate import Corpus

__all__ = [
    "TableFormat",
    "display_frame",
    "format_table",
    "format_text",
    "write_xlsx",
    "render_html",
    "write_html",
    "script_json",
    "truncate",
    "EVIDENCE_SHEET_COLUMNS",
]

_DATE_COLS = ("date", "first_seen", "last_seen")


def script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators as \\u escapes."""
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _pe(s: Any) -> str:
    """Text that plotly will draw (it reads a small HTML subset): escaped."""
    return html.escape(str(s), quote=False)


_CSS = """
:root{--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--accent:#2f6fb0;--bg:#f7f9fb}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei","WenQuanYi Zen Hei",sans-serif;color:var(--fg);background:var(--bg);font-size:14px;line-height:1.5}
header{background:#1f3a5f;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.8;font-size:13px}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:8px 32px;font-size:13px}
nav a{color:var(--accent);margin-right:16px;text-decoration:none}
main{padding:16px 32px 48px;max-width:1400px;margin:0 auto}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
section h2{margin:0 0 4px;font-size:18px}
section p.note{margin:0 0 12px;color:var(--muted);font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 12px}
.card{flex:1 1 140px;border:1px solid var(--line);border-radius:6px;padding:10px 14px;background:var(--bg)}
.card .v{font-size:24px;font-weight:600}
.card .k{color:var(--muted);font-size:12px}
.chart{width:100%;min-height:320px}
.empty{color:var(--muted);font-style:italic}
table.t{border-collapse:collapse;width:100%;font-size:13px}
table.t th,table.t td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
table.t th{background:var(--bg)}
.scroll table.t th{position:sticky;top:0;z-index:1}
table.t td.d{white-space:nowrap}
table.t td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.t td.q{max-width:520px}
.scroll{max-height:560px;overflow:auto}
.filters{display:flex;gap:8px;align-items:center;margin-bottom:8px;flex-wrap:wrap}
.filters input{flex:1 1 300px;padding:6px 10px;border:1px solid #cbd2d9;border-radius:4px;font-size:14px}
.filters select{padding:6px;border:1px solid #cbd2d9;border-radius:4px}
.pol-found{color:#b42318}.pol-not_found{color:#067647}.pol-requirement{color:#6941c6}
.src{color:var(--muted);font-size:12px;white-space:nowrap}
"""

_FILTER_JS = """
(function(){
  var box=document.getElementById('evidence-filter'), sel=document.getElementById('evidence-category'),
      count=document.getElementById('evidence-count'), table=document.getElementById('evidence-table');
  if(!box||!table){return;}
  var rows=Array.prototype.slice.call(table.tBodies[0].rows);
  function apply(){
    var q=box.value.trim().toLowerCase(), c=sel.value, n=0;
    rows.forEach(function(r){
      var show=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!c||r.getAttribute('data-category')===c);
      r.style.display=show?'':'none'; if(show){n++;}
    });
    count.textContent=n+' / '+rows.length;
  }
  box.addEventListener('input',apply); sel.addEventListener('change',apply); apply();
  window.reportmineShowCategory=function(cid){
    sel.value=cid; apply(); document.getElementById('evidence').scrollIntoView();
  };
})();
"""


def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().replace("</script", "<\\/script")


def _figure(div_id: str, fig: Any, *, height: int) -> str:
    """A div and the script that draws ``fig`` into it (figure JSON escaped for the script context)."""
    import plotly.io as pio

    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), template="plotly_white",
                      font=dict(family='"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif'))
    spec = pio.to_json(fig, validate=False)
    config = {"displaylogo": False, "responsive": True}
    return (f'<div id="{div_id}" class="chart" style="height:{height}px"></div>\n'
            f'<script>(function(){{var f={script_json(spec)};Plotly.newPlot("{div_id}",f.data,f.layout,{script_json(config)});}})();</script>')


def _html_table(df: "pd.DataFrame", *, quote_cols: Sequence[str] = (), table_id: str | None = None,
                row_attrs: Sequence[str] | None = None) -> str:
    d = display_frame(df)
    cols = [str(c) for c in d.columns]
    num = [_numeric(d, c) for c in d.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for i, rec in enumerate(d.itertuples(index=False, name=None)):
        cells = []
        for v, c, n in zip(rec, cols, num):
            cls = ' class="n"' if n else (' class="q"' if c in quote_cols else (' class="d"' if c in _DATE_COLS else ""))
            cells.append(f"<td{cls}>{html.escape(_cell(v, c))}</td>")
        attrs = row_attrs[i] if row_attrs is not None else ""
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    tid = f' id="{table_id}"' if table_id else ""
    return f'<table class="t"{tid}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _section(sid: str, title: str, note: str, body: str) -> str:
    return (f'<section id="{sid}"><h2>{html.escape(title)}</h2>'
            + (f'<p class="note">{html.escape(note)}</p>' if note else "") + body + "</section>")


def _empty_note(text: str = "没有数据 (no data)") -> str:
    return f'<p class="empty">{html.escape(text)}</p>'


def render_html(
    corpus: "Corpus",
    *,
    by: str = "province",
    period: Literal["year", "quarter", "month"] = "year",
    polarity: Literal["found", "not_found", "requirement", "any"] = "found",
    title: str = "检查报告问题分析 reportmine",
    top_units: int = 25,
    top_trend: int = 8,
    max_evidence: int | None = 5000,
) -> str:
    """The self-contained HTML report of a corpus (see the module docstring)."""
    import plotly.graph_objects as go

    from . import aggregate as ag

    if by not in ag.BY_COLUMNS:
        raise ag.QueryError(f"cannot chart by {by!r} (choose from: {', '.join(ag.BY_COLUMNS)})")
    freq = ag.frequency(corpus, polarity=polarity)
    sel = ag._polar(corpus.findings, polarity)
    rep = corpus.reports
    sections: list[str] = []

    # overview
    n_files = rep["source"].nunique() + len(corpus.skipped)
    dates = rep["date"].dropna()
    cards = [
        ("报告 reports", len(rep)), ("文件 files", n_files), ("跳过 skipped", len(corpus.skipped)),
        (f"提及 mentions ({polarity})", len(sel)), ("类别 categories", sel["category"].nunique()),
        ("单位 units", rep["org"].nunique()), ("行动 actions", len(corpus.actions)),
        ("时间 years", f"{dates.min()[:4]}–{dates.max()[:4]}" if len(dates) else "-"),
    ]
    body = '<div class="cards">' + "".join(
        f'<div class="card"><div class="v">{html.escape(str(v))}</div><div class="k">{html.escape(k)}</div></div>' for k, v in cards
    ) + "</div>"
    per = rep.dropna(subset=[period]).groupby([period, "doc_type"]).size().rename("n").reset_index()
    if len(per):
        fig = go.Figure()
        for dt, grp in per.groupby("doc_type"):
            fig.add_bar(x=[_pe(x) for x in grp[period]], y=grp["n"].tolist(), name=_pe(dt))
        fig.update_layout(barmode="stack", xaxis=dict(type="category", categoryorder="category ascending", title=period),
                          yaxis=dict(title="reports"), legend=dict(orientation="h"))
        body += _figure("fig-overview", fig, height=300)
    else:
        body += _empty_note("没有日期 (no dated reports)")
    sections.append(_section("overview", "概览 Overview", "每期报告数（按文件类型）· reports per period by document type", body))

    # categories
    if len(freq):
        f = freq.iloc[::-1]
        names = [_pe(_label_id(lab, cid)) for cid, lab in zip(f["category"], f["label"])]
        fig = go.Figure(go.Bar(x=f["reports"].tolist(), y=names, orientation="h", customdata=f["category"].tolist(),
                               text=[f"{s:.0%}" for s in f["share"]], textposition="outside",
                               hovertemplate="%{y}<br>%{x} reports (%{text})<extra></extra>", marker_color="#2f6fb0"))
        fig.update_layout(xaxis=dict(title="reports"), yaxis=dict(automargin=True))
        body = _figure("fig-categories", fig, height=max(300, 26 * len(f) + 80))
        body += ('<script>(function(){var d=document.getElementById("fig-categories");'
                 'if(d&&d.on){d.on("plotly_click",function(e){if(e.points.length&&window.reportmineShowCategory)'
                 '{window.reportmineShowCategory(e.points[0].customdata);}});}})();</script>')
    else:
        body = _empty_note()
    sections.append(_section("categories", "问题类别 Categories",
                             f"在多少份报告中发现（{polarity}）；点击条形查看原文 · reports with the category; click a bar for the quotes", body))

    # heatmap
    hm = ag.frequency(corpus, by=[by], polarity=polarity)
    if len(hm):
        unknown = "(未知 unknown)"
        hm = hm.assign(**{by: hm[by].astype("object").where(hm[by].notna(), unknown).astype(str)})
        totals = hm.groupby(by)["reports"].sum().sort_values(ascending=False, kind="stable")
        units = [u for u in totals.index if u != unknown][:top_units] + ([unknown] if unknown in totals.index else [])
        cats = freq["category"].tolist()
        grid = hm[hm[by].isin(units)].pivot_table(index=by, columns="category", values="reports", aggfunc="sum", fill_value=0)
        grid = grid.reindex(index=units[::-1], columns=cats, fill_value=0)
        xl = [_pe(_label_id(corpus.label(c), c)) for c in cats]
        fig = go.Figure(go.Heatmap(z=grid.values.tolist(), x=xl, y=[_pe(u) for u in grid.index], colorscale="Blues",
                                   hovertemplate="%{y} · %{x}<br>%{z} reports<extra></extra>", xgap=1, ygap=1))
        fig.update_layout(xaxis=dict(tickangle=-45, automargin=True), yaxis=dict(automargin=True))
        body = _figure("fig-heatmap", fig, height=max(360, 24 * len(units) + 220))
    else:
        body = _empty_note()
    sections.append(_section("heatmap", f"单位 × 类别 Unit by category ({by})",
                             f"每个{by}中发现该类问题的报告数（前 {top_units} 个单位）· reports per unit and category", body))

    # trend
    tr = ag.frequency(corpus, by=[period], polarity=polarity).dropna(subset=[period])
    if len(tr):
        top = freq["category"].head(top_trend).tolist()
        periods = sorted(tr[period].astype(str).unique())
        fig = go.Figure()
        for cid in top:
            s = tr[tr["category"] == cid].assign(p=lambda x: x[period].astype(str)).set_index("p")["reports"]
            fig.add_scatter(x=periods, y=[int(s.get(p, 0)) for p in periods], mode="lines+markers",
                            name=_pe(_label_id(corpus.label(cid), cid)))
        fig.update_layout(xaxis=dict(type="category", title=period), yaxis=dict(title="reports"), legend=dict(orientation="h", y=-0.25))
        body = _figure("fig-trend", fig, height=420)
    else:
        body = _empty_note("没有日期 (no dated reports)")
    sections.append(_section("trend", "趋势 Trend by period", f"前 {top_trend} 类问题每期的报告数 · reports per {period}", body))

    # recurring
    rec = ag.recurrence(corpus, by="org", period=period, polarity=polarity)
    if len(rec):
        view = rec[["org", "category", "label", "reports", "periods", "first_seen", "last_seen", "longest_run", "example", "example_source"]]
        body = '<div class="scroll">' + _html_table(view.head(200), quote_cols=("example",)) + "</div>"
    else:
        body = _empty_note("没有在同一单位的两份以上报告中重复出现的问题 (no category in two or more reports of one unit)")
    sections.append(_section("recurring", "反复出现的问题 Recurring problems",
                             "同一单位两份及以上报告中发现的问题；longest_run 为连续期数 · categories in two or more reports of the same unit", body))

    # issue -> action, fines, co-occurrence
    ia = ag.issue_actions(corpus)
    body = ('<div class="scroll">' + _html_table(ia, quote_cols=("example",)) + "</div>") if len(ia) else _empty_note()
    fn = ag.fines(corpus, by=None)
    if len(fn):
        fn = fn.assign(category=fn["category"].astype("object").where(fn["category"].notna(), "(未关联 unlinked)"))
        body += "<h3>罚款合计 Fines by category</h3>" + _html_table(fn)
    sections.append(_section("actions", "问题与整改措施 Issue to action", "整改措施所针对的问题（同一报告内的关联）· which remedies answer which problems", body))
    co = ag.cooccurrence(corpus, polarity=polarity)
    body = _html_table(co.head(30)) if len(co) else _empty_note()
    sections.append(_section("cooccurrence", "共现 Co-occurrence", "同一报告中同时发现的问题（前 30 对）· category pairs found in the same report", body))

    # evidence
    ev = sel.sort_values(["category", "source", "index", "start"], kind="stable")
    total = len(ev)
    if max_evidence is not None:
        ev = ev.head(max_evidence)
    view = ev[["category", "label", "polarity", "org", "date", "original", "source", "start", "end"]].rename(columns={"original": "quote"})
    attrs = [f' data-category="{html.escape(str(c), quote=True)}"' for c in ev["category"]]
    options = "".join(f'<option value="{html.escape(str(c), quote=True)}">{html.escape(_label_id(lab, c) or "")}</option>'
                      for c, lab in zip(freq["category"], freq["label"]))
    body = ('<div class="filters"><input id="evidence-filter" type="search" placeholder="搜索原文、单位、类别… filter quotes, units, categories" '
            'autocomplete="off"><select id="evidence-category"><option value="">全部类别 all categories</option>' + options +
            '</select><span id="evidence-count" class="src"></span></div>')
    body += '<div class="scroll">' + _html_table(view, quote_cols=("quote",), table_id="evidence-table", row_attrs=attrs) + "</div>"
    note = "每条提及的原文引用、来源文件与字符偏移 · every mention quoted from the original, with file and offsets"
    if total > len(ev):
        note += f"（仅显示前 {len(ev)} / {total} 条 · first {len(ev)} of {total} shown）"
    sections.append(_section("evidence", "证据 Evidence", note, body))

    if len(corpus.skipped):
        sections.append(_section("skipped", "跳过的输入 Skipped inputs", "无法读取或处理的文件及原因 · inputs that gave no report",
                                 _html_table(corpus.skipped)))

    nav = "".join(f'<a href="#{sid}">{html.escape(name)}</a>' for sid, name in (
        ("overview", "概览"), ("categories", "类别"), ("heatmap", "热力图"), ("trend", "趋势"), ("recurring", "反复问题"),
        ("actions", "整改措施"), ("cooccurrence", "共现"), ("evidence", "证据")))
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    sub = f"{len(rep)} 份报告 · {n_files} 个文件 · polarity {polarity} · 生成于 {stamp}"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{_plotlyjs()}</script></head><body>'
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(sub)}</p></header><nav>{nav}</nav><main>"
        + "\n".join(sections)
        + f"</main><script>{_FILTER_JS}</script></body></html>\n"
    )


def write_html(corpus: "Corpus", path: str, **options: Any) -> None:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    text = render_html(corpus, **options)
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise ReportmineError(path, f"cannot write report: {exc.strerror or exc}", stage="report") from None
