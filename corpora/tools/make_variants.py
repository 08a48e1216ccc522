"""Regenerate the format and encoding variants of the bundled corpus.

The corpus was written as UTF-8 .txt files. So that the corpus exercises every input format that
``reportmine.io`` reads, a fixed list of reports is stored in another encoding or another file format.
The committed files under ``corpora/reports/`` are the artefacts; this script documents how they were
made and can make them again.

What it does (the lists are below):

* ``REENCODE``: the .txt file is rewritten in place, same name, in another encoding (GB18030, Big5,
  UTF-8 with BOM, UTF-16 with BOM). The decoded text is identical, so the gold offsets do not move.
  Every file is checked to round-trip and to be read back by ``reportmine.io.read_document`` with the
  expected ``Document.encoding`` and the same text.
* ``DOCX`` / ``PDF`` / ``HTML``: the report is converted and the .txt is deleted; the new file keeps
  the stem. The gold record's ``file`` and the name in ``split.json`` (test list) are updated; a
  converted report stays in the split of its original .txt name.
  - docx (python-docx): one paragraph per line; for ``DOCX_TABLES`` the check items of one section go
    into a two-column Word table (检查项目 | 检查情况), each row "item label | what was found".
  - pdf (fpdf2 + a CJK TrueType font, real text layer): ``"wrap"`` lays the text out on A4 and lets
    long lines wrap, with a page number footer; ``"lines"`` keeps the file's own line breaks and turns
    its "- N -" page-number lines into page breaks with a footer (files that already look like pdf text).
  - html: the report inside a realistic web page (head with title/style/script, nav bar, the report in
    <div>/<p> elements, a script and a footer in the body).
* Afterwards run ``python corpora/tools/locate_gold.py corpora/gold/*.jsonl``: it recomputes the
  offsets into the decoded text of docx/pdf/html files from the quotes. Where a pdf line break fell
  inside a quote, the quote was shortened by hand in the gold file to an exact substring showing the
  same mention (see corpora/README.md); this script does not touch quotes.

Idempotent: a file already converted is regenerated from the original text, taken from the .txt when it
is still there (in whatever encoding) or else from git (``ORIGIN``, the commit that added the corpus).

Usage (from the repository root, in the project venv; the pdf step needs a CJK font, e.g. the Debian
package fonts-wqy-zenhei or fonts-noto-cjk):

    python corpora/tools/make_variants.py            # write the variants, update gold and split.json
    python corpora/tools/make_variants.py --check    # only verify the committed variants read back
"""
from __future__ import annotations

import argparse
import codecs
import datetime as dt
import glob
import html
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # corpora/
REPORTS = ROOT / "reports"
GOLD = ROOT / "gold"
SPLIT = ROOT / "split.json"
ORIGIN = "971c7b0038595577435ef4d6203f2fd1bf2256c2"  # commit where every report is a UTF-8 .txt
FIXED_DATE = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

# file -> (codec used to write it, Document.encoding reportmine must report)
REENCODE: dict[str, tuple[str, str]] = {
    # simplified script -> GB18030 (f_03 holds two reports)
    "a_07_dali_quality_report.txt": ("gb18030", "gb18030"),
    "b_15_yudu_q1_supervision.txt": ("gb18030", "gb18030"),
    "c_06_yiyang_express.txt": ("gb18030", "gb18030"),
    "d_10_quanzhou_daili_baoxian.txt": ("gb18030", "gb18030"),
    "f_03_zhengzhou_peak_season.txt": ("gb18030", "gb18030"),
    # traditional script -> Big5 (all five encode with plain 'big5'; cp950 is not needed)
    "e_01_hk_kwuntong_delivery.txt": ("big5", "big5"),
    "e_04_hk_mail_centre_patrol.txt": ("big5", "big5"),
    "e_09_tw_kaohsiung_counter_audit.txt": ("big5", "big5"),
    "e_16_ml_mianyang_express_bulletin.txt": ("big5", "big5"),
    "e_22_essay_improve_quality.txt": ("big5", "big5"),
    # byte order marks (reportmine reports a UTF-8 BOM file as plain "utf-8")
    "a_15_sangzhi_web_selfcheck.txt": ("utf-8-sig", "utf-8"),
    "d_17_zigui_yingye_chuangkou.txt": ("utf-16", "utf-16"),  # Python's utf-16: BOM + little endian
}

# stem -> options
DOCX: dict[str, dict] = {
    "a_20_suining_selfcheck": {"table": "二、自查结果"},  # its check items become a Word table
    "c_12_songling_counter": {},
}
PDF: dict[str, str] = {
    "b_20_dalian_q2_inspection": "wrap",
    "g_07_dazhou_newspaper_pdf": "lines",
}
HTML: dict[str, dict] = {
    "g_01_pianguan_selfcheck_trad": {"section": "工作總結", "kind": "自查報告", "doc_id": "a8f3c21e"},
    "g_03_fuping_rectify_trad": {"section": "工作總結", "kind": "整改報告", "doc_id": "5d07be94"},
}
# lines of these web-copied files that belong to the sharing site, not to the report
HTML_HEAD_PREFIXES = ("版權", "文檔簡", "上傳人", "頁數", "格式", "文檔格式", "（此文檔")
HTML_TAIL_LINES = ("下載文檔到電腦，查找使用更方便", "還剩1頁未讀，繼續閱讀")

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


# ---------------------------------------------------------------- sources

def _decode_any(data: bytes, preferred: str) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    for enc in ("utf-8", preferred):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SystemExit(f"cannot decode {preferred} source")


def original_text(txt_name: str, preferred: str = "utf-8") -> str:
    """The report text as written: from the .txt if present, else from git at ORIGIN."""
    p = REPORTS / txt_name
    if p.is_file():
        return _decode_any(p.read_bytes(), preferred)
    rel = f"corpora/reports/{txt_name}"
    out = subprocess.run(
        ["git", "-C", str(ROOT.parent), "show", f"{ORIGIN}:{rel}"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ---------------------------------------------------------------- encodings

def reencode(name: str, codec: str) -> None:
    text = original_text(name, codec)
    data = text.encode(codec)
    if data.decode(codec) != text:
        raise SystemExit(f"{name}: does not round-trip through {codec}")
    (REPORTS / name).write_bytes(data)


# ---------------------------------------------------------------- docx

def _set_font(run, east_asian: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _para(doc, line: str, *, title: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    if title:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if line:
        _set_font(p.add_run(line), "方正小标宋简体" if title else "仿宋_GB2312", 18 if title else 14, bold=title)
    return p


def _table_rows(lines: list[str], heading: str) -> tuple[int, int, list[tuple[str, str]]]:
    """Rows (label, text) for the （一）… lines right after ``heading``: returns (first, end, rows)."""
    start = next(i for i, line in enumerate(lines) if line.strip() == heading) + 1
    rows, end = [], start
    item = re.compile(r"^\s*(（[一二三四五六七八九十]+）[^。：]{1,12})[。：](.*)$")
    while end < len(lines) and (m := item.match(lines[end])):
        rows.append((m.group(1), m.group(2)))
        end += 1
    if len(rows) < 2:
        raise SystemExit(f"no check-item list under {heading!r}")
    return start, end, rows


def make_docx(stem: str, opts: dict) -> Path:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    lines = _lines(original_text(stem + ".txt"))
    table = _table_rows(lines, opts["table"]) if opts.get("table") else None
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.8)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    props = doc.core_properties
    props.title, props.author, props.comments = lines[0].strip(), "reportmine corpus", "generated by make_variants.py"
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by = "reportmine corpus"
    i = 0
    while i < len(lines):
        if table and i == table[0]:
            t = doc.add_table(rows=1, cols=2)
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, head in zip(t.rows[0].cells, ("检查项目", "检查情况")):
                cell.paragraphs[0].text = ""
                _set_font(cell.paragraphs[0].add_run(head), "黑体", 12, bold=True)
            for label, body in table[2]:
                cells = t.add_row().cells
                _set_font(cells[0].paragraphs[0].add_run(label.strip()), "仿宋_GB2312", 12)
                _set_font(cells[1].paragraphs[0].add_run(body), "仿宋_GB2312", 12)
            for row in t.rows:
                row.cells[0].width, row.cells[1].width = Cm(3.6), Cm(11.8)
            i = table[1]
            continue
        _para(doc, lines[i], title=(i == 0))
        i += 1
    out = REPORTS / f"{stem}.docx"
    doc.save(str(out))
    _fix_zip_times(out)
    return out


def _fix_zip_times(path: Path) -> None:
    """Give every zip member a fixed time stamp, so that regenerating gives the same bytes."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


# ---------------------------------------------------------------- pdf

def _font_path() -> str:
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return cand
    found = sorted(glob.glob("/usr/share/fonts/**/*[Cc][Jj][Kk]*", recursive=True))
    if found:
        return found[0]
    raise SystemExit("no CJK font: apt-get install fonts-wqy-zenhei (or fonts-noto-cjk)")


def make_pdf(stem: str, mode: str) -> Path:
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    lines = _lines(original_text(stem + ".txt"))

    class Report(FPDF):
        page_labels = True

        def footer(self) -> None:
            if self.page_labels:
                self.set_y(-18)
                self.set_font("cjk", size=10)
                self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = Report(format="A4", unit="mm")
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_font("cjk", fname=_font_path(), collection_font_number=0)
    pdf.set_title(lines[0].strip())
    pdf.set_author("reportmine corpus")
    pdf.set_creator("corpora/tools/make_variants.py (fpdf2)")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    if mode == "wrap":
        title_block = True  # the lines before the first blank line: title, document number
        for k, line in enumerate(lines):
            if not line.strip():
                pdf.ln(4)
                title_block = False
                continue
            if title_block:
                pdf.set_font("cjk", size=16 if k == 0 else 12)
                pdf.multi_cell(0, 9, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
                continue
            pdf.set_font("cjk", size=12)
            pdf.multi_cell(0, 7.5, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    elif mode == "lines":
        pdf.set_auto_page_break(False)
        pdf.set_left_margin(20)
        pdf.set_x(20)
        pdf.set_font("cjk", size=12)
        page_no = re.compile(r"^- \d+ -$")
        pending_break = False
        head_end = next((k for k, line in enumerate(lines) if line.strip().endswith("：")), 0)
        for k, line in enumerate(lines):
            if page_no.match(line.strip()):
                pending_break = True  # the footer draws the number
                continue
            if pending_break:
                if not line.strip():
                    continue
                pdf.add_page()
                pending_break = False
            if not line.strip():
                pdf.ln(5)
                continue
            # the letterhead, document number and title (before the addressee) are centred
            pdf.cell(0, 7.5, line, align="C" if k < head_end else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if pdf.get_y() > 297 - 30:
                raise SystemExit(f"{stem}: page overflow in 'lines' mode")
    else:
        raise ValueError(mode)
    out = REPORTS / f"{stem}.pdf"
    pdf.output(str(out))
    return out


# ---------------------------------------------------------------- html

_PAGE = """<!DOCTYPE html>
<html lang="zh-Hant">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="keywords" content="{kind},郵政,服務質量,範文">
<meta name="description" content="{summary}">
<title>{title}_{kind}_郵政文檔分享網</title>
<link rel="stylesheet" href="/static/css/doc.css">
<style>
/* 頁面樣式：導航欄、正文、頁腳 */
body {{ margin: 0; font-family: "PMingLiU", "Microsoft JhengHei", serif; background: #f5f5f5; }}
.topnav {{ background: #1f5fa8; color: #fff; }}
.topnav ul {{ list-style: none; margin: 0; padding: 0 20px; display: flex; }}
.topnav li a {{ color: #fff; padding: 10px 14px; display: block; text-decoration: none; }}
.doc-body {{ width: 860px; margin: 16px auto; background: #fff; padding: 30px 50px; }}
.doc-body p {{ text-indent: 2em; line-height: 1.9; margin: 0; }}
.doc-body p.center {{ text-align: center; text-indent: 0; font-weight: bold; }}
.doc-body p.to {{ text-indent: 0; }}
.doc-body p.sign {{ text-align: right; text-indent: 0; }}
.doc-meta {{ color: #888; font-size: 12px; border-bottom: 1px dashed #ccc; }}
.footer {{ text-align: center; color: #999; font-size: 12px; padding: 20px; }}
</style>
<script>
  var pageConfig = {{ docId: "{doc_id}", siteName: "郵政文檔分享網", loginTip: "請登錄後下載完整文檔", vip: false }};
  var _hmt = _hmt || [];
  function showTip() {{ alert("本文檔僅供參考，下載後請自行核對內容"); }}
</script>
</head>
<body>
<div class="topnav">
  <ul>
    <li><a href="/">首頁</a></li>
    <li><a href="/list/zongjie/">{section}</a></li>
    <li><a href="/list/jihua/">工作計劃</a></li>
    <li><a href="/list/shuzhi/">述職報告</a></li>
    <li><a href="/list/fanwen/">範文大全</a></li>
    <li><a href="/login">登錄</a></li>
    <li><a href="/register">註冊</a></li>
  </ul>
</div>
<div class="crumb"><a href="/">首頁</a> &gt; <a href="/list/zongjie/">{section}</a> &gt; <span>{kind}</span></div>
<div class="doc-body" id="doc-{doc_id}">
<div class="doc-meta">
{meta}
</div>
<div class="article">
{body}
</div>
<div class="download-tip">
{tail}
</div>
</div>
<script>
  document.getElementById("doc-{doc_id}").addEventListener("copy", function () {{
    console.log("複製內容請註明出處：郵政文檔分享網");
  }});
</script>
<noscript><p>您的瀏覽器未啟用腳本，部分功能無法使用。</p></noscript>
<div class="footer">
  <p>Copyright © 2016-2021 郵政文檔分享網 All Rights Reserved</p>
  <p><a href="/about">關於我們</a> | <a href="/contact">聯繫我們</a> | <a href="/disclaimer">免責聲明</a></p>
</div>
</body>
</html>
"""


def make_html(stem: str, opts: dict) -> Path:
    lines = _lines(original_text(stem + ".txt"))
    esc = html.escape
    meta, body, tail = [], [], []
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith(HTML_HEAD_PREFIXES)):
        if lines[i].strip():
            meta.append(f'<p class="meta">{esc(lines[i].strip())}</p>')
        i += 1
    rest = lines[i:]
    while rest and (not rest[-1].strip() or rest[-1].strip() in HTML_TAIL_LINES):
        if rest[-1].strip():
            label = rest[-1].strip()
            tail.insert(0, f'<a class="btn" href="javascript:showTip()">{esc(label)}</a>')
        rest.pop()
    title = next(line.strip() for line in rest if "報告" in line or "通報" in line)
    summary = next((m[len("文檔簡(jiǎn)介："):] for m in lines if m.startswith("文檔簡(jiǎn)介：")), title)
    indented = [line.startswith((" ", "\u3000")) for line in rest]
    last_indented = max((k for k, ind in enumerate(indented) if ind), default=len(rest))
    for k, line in enumerate(rest):
        if not line.strip():
            continue
        text = esc(line.strip())
        if indented[k]:
            body.append(f"<p>{text}</p>")
        elif k > last_indented:
            body.append(f'<p class="sign">{text}</p>')  # signing unit and date
        elif text.endswith("："):
            body.append(f'<p class="to">{text}</p>')  # addressee
        else:
            body.append(f'<p class="center">{text}</p>')  # document number, title
    page = _PAGE.format(
        title=esc(title), kind=opts["kind"], section=opts["section"], doc_id=opts["doc_id"],
        summary=esc(summary, quote=True), meta="\n".join(meta), body="\n".join(body), tail="\n".join(tail),
    )
    out = REPORTS / f"{stem}.html"
    out.write_text(page, encoding="utf-8", newline="\n")
    return out


# ---------------------------------------------------------------- gold and split

def rename_everywhere(old: str, new: str) -> None:
    for g in sorted(GOLD.glob("*.jsonl")):
        lines = g.read_text(encoding="utf-8").splitlines()
        changed = False
        for k, line in enumerate(lines):
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec.get("file") == old:
                rec["file"] = new
                lines[k] = json.dumps(rec, ensure_ascii=False)
                changed = True
        if changed:
            g.write_text("\n".join(lines) + "\n", encoding="utf-8")
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    if old in split["test"]:
        split["test"] = [new if n == old else n for n in split["test"]]
        SPLIT.write_text(json.dumps(split, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def convert(stem: str, suffix: str, make) -> None:
    out = make()
    txt = REPORTS / f"{stem}.txt"
    if txt.exists():
        txt.unlink()
    rename_everywhere(f"{stem}.txt", f"{stem}{suffix}")
    print(f"{out.relative_to(ROOT.parent)}")


# ---------------------------------------------------------------- checks

def check() -> int:
    from reportmine.io import read_document

    bad = 0
    for name, (codec, expected) in REENCODE.items():
        doc = read_document(REPORTS / name)
        want = original_text(name, codec)
        ok = doc.encoding == expected and doc.text == want
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {name}: {codec} -> read as {doc.encoding}{'' if doc.text == want else ', TEXT DIFFERS'}")
    for stems, suffix in ((DOCX, ".docx"), (PDF, ".pdf"), (HTML, ".html")):
        for stem in stems:
            p = REPORTS / f"{stem}{suffix}"
            if not p.is_file():
                print(f"BAD {p.name}: missing")
                bad += 1
                continue
            doc = read_document(p)
            print(f"ok  {p.name}: {doc.kind}, {len(doc.text)} characters")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only verify the committed variants")
    args = ap.parse_args()
    if not args.check:
        for name, (codec, _) in REENCODE.items():
            reencode(name, codec)
            print(f"corpora/reports/{name} ({codec})")
        for stem, opts in DOCX.items():
            convert(stem, ".docx", lambda: make_docx(stem, opts))
        for stem, mode in PDF.items():
            convert(stem, ".pdf", lambda: make_pdf(stem, mode))
        for stem, opts in HTML.items():
            convert(stem, ".html", lambda: make_html(stem, opts))
    return check()


if __name__ == "__main__":
    sys.exit(main())
