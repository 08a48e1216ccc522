"""Hostile and broken input: nothing crashes, nothing hangs, nothing is lost.

Every input listed in the issue is generated here (nothing binary is committed). A folder of them goes
through the real command line, in a subprocess and in process: every input ends up exactly once, either
processed (its ``source`` in the output) or skipped with a reason (in ``--errors``); the summary counts
match; exit code 2; no traceback. Large inputs (200 MB of text, one 50 MB line) are marked ``slow``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportmine.cli import cli
from reportmine.errors import ReadError
from reportmine.io import MAX_BYTES, display_path, read_document
from reportmine.pipeline import run

TITLE = "邮政服务质量专项检查工作总结"
REPORT = (
    f"{TITLE}\n"
    "市局检查服务部：\n"
    "我局开展了服务质量专项检查，具体检查落实整改情况汇报如下：\n"
    "一、检查发现进口的邮件无投递日戳，要求加盖投递日戳。\n"
    "二、特快邮件上网不及时，对责任人给予200元罚款。\n"
    "保德县邮政局\n"
    "二〇〇八年十二月三日\n"
)
SENTENCE = "检查发现进口的邮件无投递日戳，对责任人给予200元罚款，"
PROCESSED = "processed"
SECRET = "TOP-SECRET-9f3a"  # content of a local file that external entities try to pull in

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")


# ------------------------------------------------------------------------------------------ generators


def _write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> None:
    """A zip from (name, raw deflate data, crc32, uncompressed size): lets a bomb be written without
    compressing a gigabyte (sizes stay under 4 GiB, so no zip64)."""
    out, central, offset = [], [], 0
    for name, data, crc, usize in entries:
        n = name.encode()
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), usize, len(n), 0) + n
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), usize,
                                   len(n), 0, 0, 0, 0, 0, offset) + n)
        out += [local, data]
        offset += len(local) + len(data)
    cd = b"".join(central)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), offset, 0)
    path.write_bytes(b"".join(out) + cd + eocd)


def _deflated(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _zeros_deflated(name: str, mib: int) -> tuple[str, bytes, int, int]:
    """An entry that really inflates to ``mib`` MiB of zeros: one full-flushed deflate block of 1 MiB,
    repeated (each copy refers to nothing before it), then the final block."""
    chunk = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return name, block * mib + c.flush(), crc, mib << 20


def _docx_parts() -> dict[str, bytes]:
    docx = pytest.importorskip("docx")
    import io

    d = docx.Document()
    for line in REPORT.strip().split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _docx_from(path: Path, parts: dict[str, bytes]) -> Path:
    _write_zip(path, [_deflated(name, data) for name, data in parts.items()])
    return path


def _with_doctype(xml: bytes, subset: str, entity_ref: str) -> bytes:
    """document.xml with a DOCTYPE internal subset, and a reference in the first paragraph."""
    s = xml.decode("utf-8")
    end = s.index("?>") + 2
    s = s[:end] + f"<!DOCTYPE w:document [{subset}]>" + s[end:]
    return s.replace(TITLE, f"{TITLE}{entity_ref}", 1).encode("utf-8")


BILLION_LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)
)


def make_xxe_docx(path: Path, secret_file: Path) -> Path:
    parts = _docx_parts()
    parts["word/document.xml"] = _with_doctype(
        parts["word/document.xml"], f'<!ENTITY xxe SYSTEM "file://{secret_file}">', "&xxe;")
    return _docx_from(path, parts)


def make_billion_laughs_docx(path: Path) -> Path:
    parts = _docx_parts()
    parts["word/document.xml"] = _with_doctype(parts["word/document.xml"], BILLION_LAUGHS, "&lol9;")
    return _docx_from(path, parts)


def make_macro_docx(path: Path, *, macro_enabled: bool) -> Path:
    """A docx carrying a VBA project (referenced from the document's relationships). ``macro_enabled``:
    the main part declares the .docm content type (a .docm renamed .docx)."""
    parts = _docx_parts()
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Attribute VB_Name = \"AutoOpen\"\x00" * 64
    ct = parts["[Content_Types].xml"].decode("utf-8")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    if macro_enabled:
        ct = ct.replace("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                        "application/vnd.ms-word.document.macroEnabled.main+xml")
    parts["[Content_Types].xml"] = ct.encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                        'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    return _docx_from(path, parts)


def make_zip_bomb_docx(path: Path) -> Path:
    """A real docx structure plus three media entries that really inflate to 400 MiB each (1.2 GiB)."""
    entries = [_deflated(name, data) for name, data in _docx_parts().items()]
    name, data, crc, usize = _zeros_deflated("word/media/image1.png", 400)
    entries += [(f"word/media/image{i}.png", data, crc, usize) for i in (1, 2, 3)]
    _write_zip(path, entries)
    return path


def make_png(path: Path) -> Path:
    try:
        from PIL import Image

        Image.new("RGB", (32, 32), (200, 30, 30)).save(path, format="PNG")
    except ImportError:  # a valid 1x1 PNG, by hand
        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                         + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    return path


def make_executable(path: Path) -> Path:
    exe = shutil.which("true") or sys.executable
    with open(exe, "rb") as fh:
        path.write_bytes(fh.read(64 * 1024))
    return path


def make_pdf(path: Path, *, password: str | None = None) -> Path:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ("Inspection report 2008", "Backlog found at 3 outlets", "Fine 200 yuan"):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    pdf.output(str(path))
    return path


def make_corrupt_pdf(path: Path, tmp: Path) -> Path:
    good = make_pdf(tmp / "_good_for_corrupt.pdf").read_bytes()
    (tmp / "_good_for_corrupt.pdf").unlink()
    path.write_bytes(good[: len(good) // 3] + b"\x00garbage" * 100)
    return path


def make_script_html(path: Path, mib: int = 4) -> Path:
    script = "var tip = '脚本里的文字不是正文'; function f(a) { return a * 2; }\n"
    n = (mib << 20) // len(script.encode("utf-8"))
    body = "".join(f"<p>{line}</p>" for line in REPORT.strip().split("\n"))
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><script>{script * n}</script></head>"
                    f"<body>{body}<script>{script * 100}</script></body></html>", encoding="utf-8")
    return path


def make_entity_html(path: Path, secret_file: Path) -> Path:
    body = "".join(f"<p>{line}</p>" for line in REPORT.strip().split("\n"))
    body = body.replace(TITLE, f"{TITLE}&xxe;&lol9;", 1)
    path.write_text(f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret_file}">{BILLION_LAUGHS}]>'
                    f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def make_large_text(path: Path, size: int) -> Path:
    """``size`` bytes of Chinese reports, many lines (written in blocks: about a second for 200 MB)."""
    unit = (REPORT + "\n").encode("utf-8")
    block = unit * ((1 << 20) // len(unit) + 1)
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            fh.write(block[:left])
            left -= len(block)
    return path


def make_one_line(path: Path, size: int) -> Path:
    """``size`` bytes on one line: a sentence repeated with no line break."""
    unit = SENTENCE.encode("utf-8")
    block = unit * ((1 << 20) // len(unit))
    with open(path, "wb") as fh:
        written = 0
        while written + len(block) <= size:
            fh.write(block)
            written += len(block)
        fh.write(unit * ((size - written) // len(unit)))
    return path


# ------------------------------------------------------------------------------------------ the folder


def _nonutf8_name_ok(d: Path) -> bool:
    try:
        p = os.path.join(os.fsencode(d), b"probe\xff.txt")
        with open(p, "wb"):
            pass
        os.unlink(p)
        return True
    except (OSError, ValueError):
        return False


def build_hostile_folder(d: Path, secret_file: Path) -> dict[str, str]:
    """Every small hostile input of the issue in ``d``; returns display path -> expected outcome
    (PROCESSED, or a substring of the skip reason)."""
    d.mkdir(parents=True, exist_ok=True)
    exp: dict[Path | str, str] = {}
    utf8 = REPORT.encode("utf-8")
    gbk = REPORT.encode("gbk")

    exp[d / "01_empty.txt"] = "empty file"
    (d / "01_empty.txt").write_bytes(b"")
    exp[make_png(d / "02_image.txt")] = "binary"
    exp[make_executable(d / "03_executable.txt")] = "binary"
    (d / "04_truncated_utf8.txt").write_bytes(utf8 + "邮".encode("utf-8")[:2])
    exp[d / "04_truncated_utf8.txt"] = PROCESSED
    (d / "05_gbk_with_utf8_bom.txt").write_bytes(b"\xef\xbb\xbf" + gbk)  # claims UTF-8 by its BOM
    exp[d / "05_gbk_with_utf8_bom.txt"] = PROCESSED
    html_gbk = f"<html><head><meta charset='utf-8'></head><body><p>{'</p><p>'.join(REPORT.strip().split(chr(10)))}</p></body></html>"
    (d / "06_gbk_claims_utf8.html").write_bytes(html_gbk.encode("gbk"))  # claims UTF-8 by its meta
    exp[d / "06_gbk_claims_utf8.html"] = PROCESSED
    lines = REPORT.strip().split("\n")
    mixed = b"\n".join(line.encode("gbk" if i % 2 else "utf-8") for i, line in enumerate(lines)) + b"\n"
    (d / "07_mixed_encodings.txt").write_bytes(mixed)
    exp[d / "07_mixed_encodings.txt"] = PROCESSED
    (d / "08_utf16_no_bom.txt").write_bytes(REPORT.encode("utf-16-le"))
    exp[d / "08_utf16_no_bom.txt"] = PROCESSED
    (d / "09_not_a_zip.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    exp[d / "09_not_a_zip.docx"] = "not a valid .docx"
    exp[make_zip_bomb_docx(d / "10_zip_bomb.docx")] = "zip bomb"
    exp[make_corrupt_pdf(d / "11_corrupt.pdf", d)] = "damaged pdf"
    exp[make_pdf(d / "12_encrypted.pdf", password="secret")] = "encrypted pdf"
    exp[make_script_html(d / "13_megabytes_of_script.html")] = PROCESSED
    p = d / "14_no_read_permission.txt"
    p.write_bytes(utf8)
    p.chmod(0)
    exp[p] = "permission denied"  # or processed, when run with the privilege to read anything
    (d / "15_loop").mkdir()
    (d / "15_loop" / "inside.txt").write_bytes(utf8)
    exp[d / "15_loop" / "inside.txt"] = PROCESSED
    os.symlink(d / "15_loop", d / "15_loop" / "again")  # a directory symlink loop
    exp[d / "15_loop" / "again"] = "symlink loop"
    if _nonutf8_name_ok(d):
        raw = os.path.join(os.fsencode(d), "16_报告".encode("gbk") + b"\xff.txt")  # GBK bytes: not UTF-8
        with open(raw, "wb") as fh:
            fh.write(utf8)
        exp[display_path(raw)] = PROCESSED
    exp[make_xxe_docx(d / "17_xxe.docx", secret_file)] = "unsafe XML"
    exp[make_billion_laughs_docx(d / "18_billion_laughs.docx")] = "unsafe XML"
    exp[make_macro_docx(d / "19_with_vba_project.docx", macro_enabled=False)] = PROCESSED
    exp[make_macro_docx(d / "20_docm_renamed.docx", macro_enabled=True)] = "macro-enabled"
    exp[make_entity_html(d / "21_entities.html", secret_file)] = PROCESSED
    (d / "22_legacy_doc.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    exp[d / "22_legacy_doc.docx"] = "legacy .doc"
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "23_fifo.txt")  # opening it for reading would block forever
        exp[d / "23_fifo.txt"] = "not a regular file"
    if os.path.exists("/dev/zero"):
        os.symlink("/dev/zero", d / "24_dev_zero.txt")  # reading it would never end
        exp[d / "24_dev_zero.txt"] = "not a regular file"
    (d / "25_notes.docm").write_bytes(b"whatever")
    exp[d / "25_notes.docm"] = "unsupported file type"
    (d / "26_new\nline.txt").write_bytes(utf8)  # a control character in the name
    exp[d / "26_new\nline.txt"] = PROCESSED
    (d / "27_locked_dir").mkdir()
    (d / "27_locked_dir" / "inside.txt").write_bytes(utf8)
    (d / "27_locked_dir").chmod(0)
    exp[d / "27_locked_dir"] = "cannot read directory"  # or its file processed, with the privilege
    (d / "28_ok.txt").write_bytes(utf8)
    exp[d / "28_ok.txt"] = PROCESSED
    return {k if isinstance(k, str) else display_path(k): v for k, v in exp.items()}


def _restore_permissions(d: Path) -> None:
    for p in (d / "14_no_read_permission.txt", d / "27_locked_dir"):
        if p.exists():
            p.chmod(0o700 if p.is_dir() else 0o600)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    secret = base / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    d = base / "in"
    expected = build_hostile_folder(d, secret)
    yield d, expected
    _restore_permissions(d)


def _privileged_reader() -> bool:
    """Can this process read a file with mode 000 (root with CAP_DAC_OVERRIDE)?"""
    return IS_ROOT


def _expected_for(expected: dict[str, str], d: Path, *, privileged: bool) -> dict[str, str]:
    """With the privilege to read anything, the unreadable file and directory are read."""
    out = dict(expected)
    if privileged:
        out[display_path(d / "14_no_read_permission.txt")] = PROCESSED
        del out[display_path(d / "27_locked_dir")]
        out[display_path(d / "27_locked_dir" / "inside.txt")] = PROCESSED
    return out


# ------------------------------------------------------------------------------------------ checking a run

SUMMARY = re.compile(r"^(\d+) processed, (\d+) skipped(.*)$")


def check_run(code: int, stdout: str, stderr: str, errors_file: Path, expected: dict[str, str]) -> dict:
    """The contract of a batch run over the hostile folder; returns the output records by source."""
    assert "Traceback" not in stderr, stderr[-3000:]
    assert code == 2, (code, stderr[-3000:])
    records = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    out_sources: dict[str, list] = {}
    for rec in records:
        out_sources.setdefault(rec["source"], []).append(rec)
    errors = [json.loads(line) for line in errors_file.read_text(encoding="utf-8").splitlines()]
    err_paths = [e["path"] for e in errors]
    assert len(err_paths) == len(set(err_paths)), "an input reported twice"
    for e in errors:
        assert set(e) == {"path", "stage", "reason"} and e["stage"] and e["reason"].strip()
    assert not set(err_paths) & set(out_sources), "an input both processed and skipped"
    reasons = {e["path"]: e["reason"] for e in errors}
    for source, outcome in expected.items():
        if outcome == PROCESSED:
            assert source in out_sources, (source, reasons.get(source))
        else:
            assert source in reasons, (source, sorted(out_sources))
            assert outcome in reasons[source], (source, reasons[source])
    assert set(out_sources) | set(reasons) == set(expected), "inputs nobody expected"
    for source in out_sources:  # sources are printable text: no lone surrogates
        source.encode("utf-8")
    # the summary line counts match
    (summary,) = [m for m in (SUMMARY.match(line) for line in stderr.splitlines()) if m]
    assert int(summary.group(1)) == len(out_sources)
    assert int(summary.group(2)) == len(errors)
    by_reason = re.findall(r"; (\d+) ([^;]+)", summary.group(3))
    assert sum(int(n) for n, _ in by_reason) == len(errors)
    skipped_lines = [line for line in stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped_lines) == len(errors)
    return out_sources


def _cli_subprocess(args: list[str], *, drop_privilege: bool = False, timeout: float = 240):
    cmd = [sys.executable, "-c", "from reportmine.cli import main; main()", *args]
    if drop_privilege:
        cmd = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search",
               "--inh-caps=-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _can_drop_privilege() -> bool:
    if not (IS_ROOT and SETPRIV):
        return False
    probe = subprocess.run([SETPRIV, "--bounding-set=-dac_override,-dac_read_search",
                            "--inh-caps=-dac_override,-dac_read_search", "true"], capture_output=True)
    return probe.returncode == 0


# ------------------------------------------------------------------------------------------ the tests


def test_extract_subprocess_every_input_accounted_for(hostile, tmp_path):
    """The real entry point in a subprocess, worker processes (--jobs 2), within a time bound. As root,
    the privilege to read anything is dropped so that the unreadable file and folder are unreadable."""
    d, expected = hostile
    drop = _can_drop_privilege()
    errors = tmp_path / "errors.jsonl"
    start = time.monotonic()
    proc = _cli_subprocess(["extract", str(d), "--errors", str(errors), "--no-model", "--jobs", "2", "--timeout", "60"],
                           drop_privilege=drop)
    assert time.monotonic() - start < 200
    stdout = proc.stdout.decode("utf-8")  # valid UTF-8 whatever the file names
    stderr = proc.stderr.decode("utf-8")
    out = check_run(proc.returncode, stdout, stderr, errors, _expected_for(expected, d, privileged=IS_ROOT and not drop))
    _check_processed_content(out, d)


def test_extract_in_process_jobs_1_same_result(hostile, tmp_path):
    """CliRunner, --jobs 1 (in this process, SIGALRM time limit): the same accounting; records identical
    to a run with worker processes."""
    d, expected = hostile
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["extract", str(d), "--errors", str(errors), "--no-model", "--jobs", "1"])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    out = check_run(res.exit_code, res.stdout, res.stderr, errors,
                    _expected_for(expected, d, privileged=_privileged_reader()))
    _check_processed_content(out, d)
    errors2 = tmp_path / "errors2.jsonl"
    res2 = CliRunner().invoke(cli, ["extract", str(d), "--errors", str(errors2), "--no-model", "--jobs", "2"])
    assert res2.stdout == res.stdout
    assert errors2.read_text(encoding="utf-8") == errors.read_text(encoding="utf-8")


def _check_processed_content(out: dict, d: Path) -> None:
    """What the tricky-but-readable inputs gave: the right text, nothing from scripts or entities."""
    def first(name: str) -> dict:
        return out[display_path(d / name)][0]

    for name in ("04_truncated_utf8.txt", "05_gbk_with_utf8_bom.txt", "06_gbk_claims_utf8.html",
                 "07_mixed_encodings.txt", "08_utf16_no_bom.txt", "13_megabytes_of_script.html",
                 "19_with_vba_project.docx", "28_ok.txt"):
        rec = first(name)
        assert rec["title"] == TITLE, (name, rec["title"])
        assert any(f["category"] for f in rec["findings"]), name
    assert first("05_gbk_with_utf8_bom.txt")["encoding"] in ("gb18030", "gbk")
    assert first("08_utf16_no_bom.txt")["encoding"] == "utf-16-le"
    assert "mixed" in first("07_mixed_encodings.txt")["encoding"]
    dumped = json.dumps(out, ensure_ascii=False)
    assert SECRET not in dumped and "lollol" not in dumped and "脚本里的文字" not in dumped
    assert first("21_entities.html")["findings"]  # the entities stayed literal text; the report was read


def test_table_accepts_errors_and_accounts_for_every_input(hostile, tmp_path):
    d, expected = hostile
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["table", str(d), "--errors", str(errors), "--no-model", "--jobs", "1",
                                   "--format", "json"])
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    exp = _expected_for(expected, d, privileged=_privileged_reader())
    skipped = {json.loads(line)["path"] for line in errors.read_text(encoding="utf-8").splitlines()}
    assert skipped == {k for k, v in exp.items() if v != PROCESSED}
    (summary,) = [m for m in (SUMMARY.match(line) for line in res.stderr.splitlines()) if m]
    assert int(summary.group(1)) == sum(v == PROCESSED for v in exp.values())
    assert int(summary.group(2)) == len(skipped)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_strict_stops_at_the_first_failure_with_exit_1(hostile, tmp_path, jobs):
    d, _expected = hostile
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["extract", str(d), "--strict", "--errors", str(errors), "--no-model", "--jobs", jobs])
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["path"] == display_path(d / "01_empty.txt")
    assert res.stdout == ""  # the first input failed: nothing processed before it


def test_strict_does_not_wait_for_a_slow_file_in_flight(tmp_path):
    """--strict with worker processes: the first failure stops the run at once; a slow file already
    scheduled is abandoned, not awaited until its timeout."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_empty.txt").write_bytes(b"")
    make_one_line(d / "b_slow.txt", 5 << 20)
    start = time.monotonic()
    res = CliRunner().invoke(cli, ["extract", str(d), "--strict", "--no-model", "--jobs", "2", "--timeout", "120"])
    assert res.exit_code == 1 and "a_empty.txt" in res.stderr
    assert time.monotonic() - start < 60


def test_unwritable_errors_file_is_one_line_and_exit_1(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    proc = _cli_subprocess(["extract", str(tmp_path / "a.txt"), "--errors", str(tmp_path / "no" / "such" / "dir.jsonl"),
                            "--no-model", "--jobs", "1"], timeout=120)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode != 0 and "Traceback" not in stderr and "dir.jsonl" in stderr


def test_all_good_inputs_exit_0(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(REPORT.encode("gb18030"))
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--errors", str(errors),
                                   "--no-model", "--jobs", "1"])
    assert res.exit_code == 0, res.stderr
    assert errors.read_text(encoding="utf-8") == ""
    assert "2 processed, 0 skipped" in res.stderr


def test_summary_groups_reasons_without_their_details(tmp_path):
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.4\n" + os.urandom(64))
    res = CliRunner().invoke(cli, ["extract", str(tmp_path), "--no-model", "--jobs", "1"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines()[-1] == "0 processed, 2 skipped; 2 damaged pdf"


# ------------------------------------------------------------------------------------------ XML safety


def test_docx_with_external_entity_is_refused_and_leaks_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    path = make_xxe_docx(tmp_path / "xxe.docx", secret)
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "unsafe XML" in info.value.reason and "word/document.xml" in info.value.reason
    assert SECRET not in str(info.value)


def test_python_docx_alone_would_not_resolve_entities(tmp_path):
    """What the pre-scan guards against, checked on python-docx itself: it never reads the external
    file (resolve_entities=False) but silently drops the text after the reference, and libxml2 stops the
    billion laughs only by its amplification limit. Refusing DTDs up front gives a clear reason instead."""
    docx = pytest.importorskip("docx")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    d = docx.Document(str(make_xxe_docx(tmp_path / "xxe.docx", secret)))
    text = "\n".join(p.text for p in d.paragraphs)
    assert SECRET not in text
    try:
        d = docx.Document(str(make_billion_laughs_docx(tmp_path / "lol.docx")))
        assert len("\n".join(p.text for p in d.paragraphs)) < 10_000
    except Exception as exc:  # lxml: "Maximum entity amplification factor exceeded"
        assert "amplification" in str(exc) or "entity" in str(exc).lower()


def test_docx_with_billion_laughs_is_refused_fast(tmp_path):
    path = make_billion_laughs_docx(tmp_path / "lol.docx")
    start = time.monotonic()
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert time.monotonic() - start < 5
    assert "unsafe XML" in info.value.reason


def test_dtd_in_another_part_is_refused_too(tmp_path):
    parts = _docx_parts()
    parts["word/styles.xml"] = _with_doctype(parts["word/styles.xml"], '<!ENTITY e "x">', "")
    with pytest.raises(ReadError) as info:
        read_document(_docx_from(tmp_path / "styles.docx", parts))
    assert "word/styles.xml" in info.value.reason


def test_docx_with_vba_project_is_read_and_the_macro_ignored(tmp_path):
    doc = read_document(make_macro_docx(tmp_path / "m.docx", macro_enabled=False))
    assert doc.text.split("\n")[0] == TITLE
    assert "AutoOpen" not in doc.text
    with pytest.raises(ReadError) as info:
        read_document(make_macro_docx(tmp_path / "m2.docx", macro_enabled=True))
    assert "macro-enabled" in info.value.reason


def test_html_doctype_entities_are_harmless(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    start = time.monotonic()
    doc = read_document(make_entity_html(tmp_path / "e.html", secret))
    assert time.monotonic() - start < 5
    assert SECRET not in doc.text and "lollol" not in doc.text
    # HTML5 ends the doctype at its first ">": the rest of the subset is junk text, no entity is expanded
    assert f"{TITLE}&xxe;&lol9;" in doc.text.split("\n")
    assert "一、检查发现进口的邮件无投递日戳，要求加盖投递日戳。" in doc.text


def test_zip_bomb_is_refused_without_inflating(tmp_path):
    import resource

    path = make_zip_bomb_docx(tmp_path / "bomb.docx")
    assert path.stat().st_size < 5 << 20
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 1 << 30
        with zf.open("word/media/image2.png") as fh:  # it really inflates (checked on a part)
            assert fh.read(1 << 20) == bytes(1 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert "zip bomb" in info.value.reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: nothing inflated


def test_zip_that_lies_about_its_sizes_is_not_inflated_past_them(tmp_path):
    """A part declaring 1 MiB that really inflates to 400 MiB. zipfile's one-shot read (python-docx's)
    would inflate all 400 MiB before cutting to the declared size; the pre-check inflates in bounded chunks
    and refuses the part past its declared size."""
    import resource

    parts = _docx_parts()
    del parts["word/styles.xml"]  # a part python-docx loads (referenced by the document's relationships)
    entries = [_deflated(name, data) for name, data in parts.items()]
    name, data, crc, _usize = _zeros_deflated("word/styles.xml", 400)
    entries.append((name, data, crc, 1 << 20))
    path = tmp_path / "liar.docx"
    _write_zip(path, entries)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(ReadError) as info:
        read_document(path)
    assert time.monotonic() - start < 10
    assert "zip bomb refused: part word/styles.xml inflates past its declared size" in info.value.reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024


def test_encrypted_pdf_reason(tmp_path):
    with pytest.raises(ReadError) as info:
        read_document(make_pdf(tmp_path / "enc.pdf", password="secret"))
    assert info.value.reason == "encrypted pdf (password required)"


def test_owner_password_only_pdf_is_read(tmp_path):
    """Encrypted with an empty user password (only printing/copying restricted): readable."""
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Inspection report 2008")
    pdf.set_encryption(owner_password="owner")
    pdf.output(str(tmp_path / "owner.pdf"))
    assert "Inspection report 2008" in read_document(tmp_path / "owner.pdf").text


# ------------------------------------------------------------------------------------------ names and text


@pytest.mark.skipif(sys.platform == "darwin", reason="the file system refuses names that are not UTF-8")
def test_non_utf8_file_name_is_printable_in_json_and_errors(tmp_path):
    if not _nonutf8_name_ok(tmp_path):
        pytest.skip("file system refuses names that are not UTF-8")
    (tmp_path / "in").mkdir()
    good = os.path.join(os.fsencode(tmp_path / "in"), "报告".encode("gbk") + b".txt")
    bad = os.path.join(os.fsencode(tmp_path / "in"), "空".encode("gbk") + b"\xff.txt")
    with open(good, "wb") as fh:
        fh.write(REPORT.encode("utf-8"))
    with open(bad, "wb"):
        pass
    errors = tmp_path / "errors.jsonl"
    res = CliRunner().invoke(cli, ["extract", str(tmp_path / "in"), "--errors", str(errors), "--no-model", "--jobs", "1",
                                   "--format", "json"])
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    (rec,) = json.loads(res.stdout)
    assert rec["source"] == display_path(good) and "\\xb1\\xa8\\xb8\\xe6.txt" in rec["source"]
    (err,) = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert err["path"] == display_path(bad) and err["path"].endswith("\\xbf\\xd5\\xff.txt")
    assert "empty" in err["reason"]


def test_lone_surrogates_in_text_never_reach_the_output(tmp_path):
    """A decoder (or a pdf's ToUnicode map) that yields lone surrogates: replaced one for one, so offsets
    stay valid and JSON can be written."""
    from reportmine.io import _no_surrogates

    text = "检查\ud800发现\udcff问题。"
    clean = _no_surrogates(text)
    assert len(clean) == len(text) and clean.encode("utf-8") and clean == "检查\ufffd发现\ufffd问题。"


# ------------------------------------------------------------------------------------------ time bounds


def test_a_file_that_takes_too_long_is_skipped_with_a_timeout_and_the_batch_goes_on(tmp_path):
    """A real input that is slow for real (5 MB on one line is tens of seconds of work): with a 1 s
    limit it is skipped with the timeout reason, in worker processes and in process (SIGALRM); the file
    after it is processed."""
    slow = make_one_line(tmp_path / "a_slow.txt", 5 << 20)
    (tmp_path / "b_ok.txt").write_text(REPORT, encoding="utf-8")
    for jobs in (2, 1):
        start = time.monotonic()
        results = list(run([tmp_path], jobs=jobs, timeout=1, use_model=False))
        elapsed = time.monotonic() - start
        assert [Path(r.source).name for r in results] == ["a_slow.txt", "b_ok.txt"]
        assert results[0].skipped is not None and results[0].skipped.reason == "timed out after 1 s", results[0]
        assert results[1].skipped is None and results[1].extractions
        assert elapsed < 30, (jobs, elapsed)
    assert slow.exists()


def test_alarm_leaves_no_timer_or_handler_behind(tmp_path):
    import signal

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    before = signal.getsignal(signal.SIGALRM)
    list(run([tmp_path], jobs=1, timeout=30, use_model=False))
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_fifo_given_explicitly_does_not_block(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (res,) = list(run([fifo], jobs=1, use_model=False))
    assert res.skipped is not None and "not a regular file" in res.skipped.reason
    with pytest.raises(ReadError):
        read_document(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.docx")
    with pytest.raises(ReadError) as info:
        read_document(tmp_path / "pipe.docx")
    assert "not a regular file" in info.value.reason


# ------------------------------------------------------------------------------------------ large inputs


@pytest.mark.slow
def test_large_files_are_skipped_unread_with_a_clear_reason(tmp_path):
    """200 MB of text and one 50 MB line: over the default limit (32 MiB), skipped before reading (no
    memory, no time), with the reason naming the size and the limit; --max-bytes moves the limit."""
    d = tmp_path / "in"
    d.mkdir()
    big = make_large_text(d / "a_200mb.txt", 200 * 1000 * 1000)
    line = make_one_line(d / "b_one_line_50mb.txt", 50 * 1000 * 1000)
    (d / "c_ok.txt").write_text(REPORT, encoding="utf-8")
    assert big.stat().st_size == 200 * 1000 * 1000 and line.stat().st_size > 49 * 1000 * 1000
    assert b"\n" not in line.read_bytes()[:1 << 20]
    errors = tmp_path / "errors.jsonl"
    start = time.monotonic()
    proc = _cli_subprocess(["extract", str(d), "--errors", str(errors), "--no-model", "--jobs", "2"], timeout=120)
    assert time.monotonic() - start < 90
    stderr = proc.stderr.decode("utf-8")
    expected = {display_path(big): "file too large", display_path(line): "file too large",
                display_path(d / "c_ok.txt"): PROCESSED}
    check_run(proc.returncode, proc.stdout.decode("utf-8"), stderr, errors, expected)
    reasons = [json.loads(x)["reason"] for x in errors.read_text(encoding="utf-8").splitlines()]
    assert reasons[0] == f"file too large (200000000 bytes > limit {MAX_BYTES}; see --max-bytes)"
    assert "2 file too large" in stderr.splitlines()[-1]
    # a higher limit reads the 50 MB line; a 1 s limit per file then ends it (in process: SIGALRM)
    res = CliRunner().invoke(cli, ["extract", str(line), "--no-model", "--jobs", "1", "--timeout", "1",
                                   "--max-bytes", str(64 << 20)])
    assert res.exit_code == 2 and "timed out after 1 s" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow
def test_huge_html_of_script_is_processed(tmp_path):
    """20 MB of script around a short report: linear time, the report's text only."""
    path = make_script_html(tmp_path / "s.html", mib=20)
    start = time.monotonic()
    doc = read_document(path)
    assert time.monotonic() - start < 20
    assert doc.text.split("\n")[0] == TITLE and "脚本" not in doc.text


# ------------------------------------------------------------------------------------------ HTML report


def test_html_report_escapes_every_text_from_reports_and_file_names(tmp_path):
    """Markup in report text (title, quotes, signing unit) and in a file name reaches the HTML report only
    escaped: no element, no handler, no closing of the data script."""
    text = ("关于<script>alert('title')</script>检查情况的通报\n市局检查服务部：\n"
            "一、检查发现进口的邮件无投递日戳<img src=x onerror=alert('q')>，要求加盖投递日戳。\n"
            "二、特快邮件上网不及时</script><script>alert('x')</script>，对责任人给予200元罚款。\n"
            "<b>保德县邮政局</b>\n二〇〇八年十二月三日\n")
    d = tmp_path / "in"
    d.mkdir()
    (d / "<img src=x onerror=alert(1)>.txt").write_text(text, encoding="utf-8")
    (d / "b.txt").write_text(text.replace("保德县", "河曲县"), encoding="utf-8")
    out = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["report", str(d), "--no-model", "--jobs", "1", "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    for raw in ("<script>alert", "alert('x')</script>", "<img src=x", "<b>保德", "<b>河曲"):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html or "\\u003cimg src=x" in html
