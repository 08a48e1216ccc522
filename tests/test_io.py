"""reportmine.io: encodings, docx, pdf, html, directory walks and the Skipped accounting."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from reportmine.errors import ReadError, ReportmineError
from reportmine.io import Document, Skipped, decode_bytes, iter_documents, iter_paths, read_document

SIMPLIFIED = (
    "邮政服务质量专项检查工作总结\n"
    "市局检查服务部：\n"
    "为加快邮政企业的发展，市局今年以来对我局进行了窗口升级达标、投递网建设达标等检查，"
    "在检查当中发现了很多存在的问题，具体检查落实整改情况汇报如下：\n"
    "一、加强邮件的传递时限和管理：检查发现进口的邮件无投递日戳。\n"
    "二、特快邮件上网不及时，对责任人给予200元罚款。\n"
    "保德县邮政局\n"
    "二〇〇八年十二月三日\n"
)
TRADITIONAL = (
    "郵政服務質量專項檢查工作總結\n"
    "市局檢查服務部：\n"
    "為加快郵政企業的發展，市局今年以來對我局進行了窗口升級達標、投遞網建設達標等檢查，"
    "在檢查當中發現了很多存在的問題，具體檢查落實整改情況匯報如下：\n"
    "一、加強郵件的傳遞時限和管理：檢查發現進口的郵件無投遞日戳。\n"
    "保德縣郵政局\n"
)
CJK_ONLY = "邮政局检查服务部为加快邮政企业的发展市局今年以来对我局进行了检查发现问题"


def _canon(encoding: str) -> str:
    return codecs.lookup(encoding).name


@pytest.mark.parametrize(
    "text, raw, expected",
    [
        (SIMPLIFIED, SIMPLIFIED.encode("utf-8"), {"utf-8"}),
        (SIMPLIFIED, codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), {"utf-8"}),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16"), {"utf-16"}),  # with BOM
        (SIMPLIFIED, codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), {"utf-16"}),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16-le"), {"utf-16-le"}),  # no BOM, NUL bytes from ASCII
        (CJK_ONLY, CJK_ONLY.encode("utf-16-le"), {"utf-16-le"}),  # no BOM and no NUL byte at all
        (CJK_ONLY, CJK_ONLY.encode("utf-16-be"), {"utf-16-be"}),
        (SIMPLIFIED, SIMPLIFIED.encode("gb18030"), {"gb18030", "gbk"}),
        (SIMPLIFIED, SIMPLIFIED.encode("gbk"), {"gb18030", "gbk"}),
        (TRADITIONAL, TRADITIONAL.encode("big5"), {"big5", "cp950", "big5hkscs"}),
        (TRADITIONAL, TRADITIONAL.encode("gb18030"), {"gb18030", "gbk"}),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom-le", "utf16-bom-be", "utf16le-nobom", "utf16le-nobom-cjk-only",
         "utf16be-nobom-cjk-only", "gb18030", "gbk", "big5", "traditional-in-gb18030"],
)
def test_text_files_decode_and_record_encoding(tmp_path, text, raw, expected):
    path = tmp_path / "report.txt"
    path.write_bytes(raw)
    doc = read_document(path)
    assert doc.text == text  # exact text: no BOM left, nothing replaced
    assert _canon(doc.encoding) in {_canon(e) for e in expected}
    assert doc.kind == "txt"
    assert doc.source == str(path)


def test_truncated_last_utf8_character_is_dropped_not_misdetected():
    text, enc = decode_bytes(SIMPLIFIED.encode("utf-8") + "邮".encode("utf-8")[:2])
    assert enc == "utf-8"
    assert text == SIMPLIFIED


def test_gbk_text_ending_in_a_chinese_character_keeps_it():
    text, enc = decode_bytes("Report 2008 检查邮政".encode("gbk"))
    assert text == "Report 2008 检查邮政"
    assert _canon(enc) in {"gb18030", "gbk"}


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 64, "binary"),
    ],
    ids=["empty", "all-bytes", "nul-noise"],
)
def test_decode_bytes_rejects_empty_and_binary(raw, reason):
    with pytest.raises(ReadError) as info:
        decode_bytes(raw, source="x.bin")
    assert reason in info.value.reason
    assert info.value.path == "x.bin"
    assert isinstance(info.value, ReportmineError)


# --------------------------------------------------------------------------- docx


def _docx(path: Path, build) -> Path:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    build(d)
    d.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    def build(d):
        d.add_paragraph("邮政服务质量检查报告")
        d.add_paragraph("一、检查情况")
        t = d.add_table(rows=2, cols=3)
        t.cell(0, 0).text = "项目"
        t.cell(0, 1).text = "结果"
        t.cell(0, 2).text = "结果"  # equal neighbour, not merged: both kept
        merged = t.cell(1, 0).merge(t.cell(1, 1))
        merged.text = "投递日戳"
        t.cell(1, 2).text = "缺失"
        d.add_paragraph("二、整改措施：对责任人给予罚款。")

    doc = read_document(_docx(tmp_path / "r.docx", build))
    assert doc.kind == "docx"
    assert doc.text.split("\n") == [
        "邮政服务质量检查报告",
        "一、检查情况",
        "项目\t结果\t结果",
        "投递日戳\t缺失",
        "二、整改措施：对责任人给予罚款。",
    ]


def test_empty_docx_is_an_error(tmp_path):
    path = _docx(tmp_path / "empty.docx", lambda d: None)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "empty" in info.value.reason


@pytest.mark.parametrize(
    "content, reason",
    [(b"this is not a zip archive", "not a valid .docx"), (b"", "not a valid .docx")],
)
def test_damaged_docx(tmp_path, content, reason):
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert reason in info.value.reason
    assert str(path) in str(info.value)


def test_docx_without_word_document(tmp_path):
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "word/document.xml" in info.value.reason


# --------------------------------------------------------------------------- pdf


def _pdf(path: Path, lines: list[str]) -> Path:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_text_layer(tmp_path):
    lines = ["Inspection report 2008", "Item 1. Backlog found at 3 outlets", "Fine 200 yuan"]
    doc = read_document(_pdf(tmp_path / "r.pdf", lines))
    assert doc.kind == "pdf"
    assert [line.strip() for line in doc.text.splitlines() if line.strip()] == lines


def test_pdf_without_text_layer_is_skipped_with_reason(tmp_path):
    doc = _pdf(tmp_path / "blank.pdf", [])
    with pytest.raises(ReadError) as info:
        read_document(doc)
    assert "no text layer" in info.value.reason


def test_damaged_pdf(tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4\nnot really a pdf")
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "pdf" in info.value.reason


# --------------------------------------------------------------------------- html

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面标题不算正文</title>
<style>p { color: red; } .x::after { content: "样式文字"; }</style>
<script>var tip = "脚本文字"; document.write("<p>写入</p>");</script></head>
<body><div id="doc"><p>关于<b>服务质量</b>检查情况的通报</p>
<p>一、检查发现&lt;进口&gt;邮件无投递日戳。</p>尾部文字<br>换行后的文字
<noscript>请启用脚本</noscript>
<ul><li>甲项</li><li>乙项</li></ul>
<table><tr><td>项目</td><td>结果</td></tr></table>
<template><p>模板文字</p></template></div></body></html>"""


def test_html_visible_text_only_blocks_on_their_own_lines(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path)
    assert doc.kind == "html"
    assert doc.text.split("\n") == [
        "关于服务质量检查情况的通报",  # inline <b> does not break the line
        "一、检查发现<进口>邮件无投递日戳。",  # entities decoded
        "尾部文字",
        "换行后的文字",
        "甲项",
        "乙项",
        "项目\t结果",
    ]
    for hidden in ("脚本文字", "样式文字", "color", "页面标题不算正文", "请启用脚本", "模板文字"):
        assert hidden not in doc.text


def test_html_in_gbk(tmp_path):
    path = tmp_path / "page.htm"
    body = "<html><body><p>保德县邮政局服务质量自查报告</p><p>检查发现进口邮件无投递日戳，已整改。</p></body></html>"
    path.write_bytes(body.encode("gbk"))
    doc = read_document(path)
    assert doc.text == "保德县邮政局服务质量自查报告\n检查发现进口邮件无投递日戳，已整改。"
    assert _canon(doc.encoding) in {"gb18030", "gbk"}


# --------------------------------------------------------------------------- directories and batches


def _tree(root: Path) -> None:
    for rel in ["b.txt", "a.txt", "sub/z.docx", "sub/c.txt", "sub/deeper/d.html", "notes.md", "sub/skip_me.txt", "A_upper.txt"]:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("检查发现问题。", encoding="utf-8")


def _names(items, root: Path) -> list[str]:
    out = []
    for it in items:
        p = Path(it.source) if isinstance(it, Skipped) else it
        out.append(("SKIP:" if isinstance(it, Skipped) else "") + p.relative_to(root).as_posix())
    return out


def test_directory_walk_is_recursive_and_sorted(tmp_path):
    _tree(tmp_path)
    items = list(iter_paths([tmp_path]))
    names = _names(items, tmp_path)
    assert names == [
        "A_upper.txt", "a.txt", "b.txt", "SKIP:notes.md", "sub/c.txt", "sub/deeper/d.html", "sub/skip_me.txt",
        "sub/z.docx",
    ]
    assert [n.removeprefix("SKIP:") for n in names] == sorted(n.removeprefix("SKIP:") for n in names)
    skipped = [it for it in items if isinstance(it, Skipped)]
    assert skipped[0].stage == "walk" and "unsupported" in skipped[0].reason
    assert list(iter_paths([tmp_path])) == items  # stable


@pytest.mark.parametrize(
    "include, exclude, expected",
    [
        (("*.txt",), (), ["A_upper.txt", "a.txt", "b.txt", "sub/c.txt", "sub/skip_me.txt"]),
        (("*.txt", "*.md"), ("skip_*",), ["A_upper.txt", "a.txt", "b.txt", "notes.md", "sub/c.txt"]),
        ((), ("sub/*",), ["A_upper.txt", "a.txt", "b.txt", "SKIP:notes.md"]),
        (("sub/*.txt",), (), ["sub/c.txt", "sub/skip_me.txt"]),
        ((), ("*.txt", "*.md"), ["sub/deeper/d.html", "sub/z.docx"]),
    ],
)
def test_directory_include_exclude_globs(tmp_path, include, exclude, expected):
    _tree(tmp_path)
    assert _names(iter_paths([tmp_path], include=include, exclude=exclude), tmp_path) == expected


def test_symlink_loop_is_broken(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "r.txt").write_text("检查。", encoding="utf-8")
    try:
        os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    except (OSError, NotImplementedError):
        pytest.skip("symlinks not available here")
    items = list(iter_paths([tmp_path]))
    files = [it for it in items if isinstance(it, Path)]
    loops = [it for it in items if isinstance(it, Skipped)]
    assert [f.name for f in files] == ["r.txt"]
    assert len(loops) == 1 and "loop" in loops[0].reason


def test_batch_goes_on_after_bad_inputs_with_a_reason_each(tmp_path, capfd):
    good1 = tmp_path / "1_good.txt"
    good1.write_text(SIMPLIFIED, encoding="gbk")
    empty = tmp_path / "2_empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "3_blank.txt"
    blank.write_text(" \n\t\n", encoding="utf-8")
    binary = tmp_path / "4_binary.txt"
    binary.write_bytes(bytes(range(256)) * 16)
    dangling = tmp_path / "5_dangling.txt"
    try:
        os.symlink(tmp_path / "nowhere.txt", dangling)
    except (OSError, NotImplementedError):
        dangling.write_bytes(b"")
    missing = tmp_path / "6_missing.txt"
    good2 = tmp_path / "7_good.txt"
    good2.write_text(TRADITIONAL, encoding="utf-8")
    inputs = [good1, empty, blank, binary, dangling, missing, good2]

    results = list(iter_documents(inputs))

    assert len(results) == len(inputs)
    assert [type(r) for r in results] == [Document, Skipped, Skipped, Skipped, Skipped, Skipped, Document]
    assert results[0].text == SIMPLIFIED and results[-1].text == TRADITIONAL
    reasons = {Path(r.source).name: r.reason for r in results if isinstance(r, Skipped)}
    assert "empty" in reasons["2_empty.txt"]
    assert "empty" in reasons["3_blank.txt"]
    assert "binary" in reasons["4_binary.txt"]
    assert "no such file" in reasons["6_missing.txt"]
    assert reasons["5_dangling.txt"]  # a reason, whatever the platform says
    for r in results:
        if isinstance(r, Skipped):
            assert r.source.endswith(Path(r.source).name) and r.stage in ("read", "walk")
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # the library never prints


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_file_is_skipped(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text("检查。", encoding="utf-8")
    p.chmod(0)
    try:
        (res,) = list(iter_documents([p]))
    finally:
        p.chmod(0o600)
    assert isinstance(res, Skipped) and "permission" in res.reason


def test_read_document_errors_name_file_and_reason(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(ReadError) as info:
        read_document(missing)
    assert info.value.path == str(missing)
    assert "no such file" in info.value.reason
    assert str(missing) in str(info.value)


def test_too_large_file_is_refused(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text(SIMPLIFIED * 10, encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_document(p, max_bytes=100)
    assert "too large" in info.value.reason
