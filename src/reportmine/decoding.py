"""Decoding the bytes of a text file: BOMs, UTF-8, UTF-16 with or without BOM, UTF-8 mixed with GB18030
lines, and GB18030 / Big5 told apart by how everyday the decoded characters are."""
from __future__ import annotations

import codecs
import functools
import logging
import unicodedata
from collections import Counter

from .errors import ReadError

__all__ = ["decode_bytes"]

log = logging.getLogger("reportmine.io")  # its warnings keep the logger name the CLI prints

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bad_char_ratio(text: str) -> float:
    """Share of control, private-use, surrogate, unassigned and replacement characters (line breaks and
    tabs aside) in the first 200,000 characters (counted per distinct character)."""
    sample = text[:200_000]
    if not sample:
        return 0.0
    bad = sum(n for ch, n in Counter(sample).items()
              if ch not in "\n\r\t\f\v" and (unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") or ch == "\ufffd"))
    return bad / len(sample)


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:65536]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) / 2
    # CJK UTF-16 has few NULs; ASCII-heavy UTF-16 has many on one side. Try decoding both ways.
    candidates = ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]
    for enc in candidates:
        try:
            text = data[: len(data) - len(data) % 2].decode(enc)
        except UnicodeDecodeError:
            continue
        cjk = sum(1 for ch in text[:5000] if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：")
        if (max(even, odd) > 0.3 * half or cjk > 0.3 * min(len(text), 5000)) and _bad_char_ratio(text) < 0.02:
            return enc
    return None


@functools.lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """The everyday characters: GB 2312 level 1 and Big5 level 1 (about 8,000 characters)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of visible characters that are everyday Chinese, ASCII or CJK punctuation (a wrong decoding
    of Chinese bytes gives rare characters)."""
    counts = [(ch, n) for ch, n in Counter(text[:20_000]).items() if not ch.isspace()]  # per distinct character
    total = sum(n for _, n in counts)
    if not total:
        return 0.0
    common = _common_hanzi()
    ok = sum(n for ch, n in counts if ch in common or " " < ch < "\x7f" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return ok / total


def _utf16_without_bom(data: bytes) -> tuple[str, float] | None:
    """UTF-16 text without a BOM and without ASCII (so without NUL bytes): (codec, plausibility) when a
    sample decodes to plausible characters only."""
    if len(data) % 2 or len(data) < 4:
        return None
    sample = data[:65536]
    best = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if _bad_char_ratio(text) > 0:
            continue
        score = _plausibility(text)
        if score >= 0.9 and (best is None or score > best[1]):
            best = (enc, score)
    return best


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """Decode line by line when most lines are UTF-8 and the rest are GB18030 (a mixed file)."""
    lines = data.split(b"\n")
    out, fallback = [], 0
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode("gb18030", errors="replace"))
            fallback += 1
    if fallback == 0 or fallback == len(lines):
        return None
    text = "\n".join(out)
    return text, "mixed(utf-8,gb18030)"


def decode_bytes(data: bytes, *, source: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes of a text file, detecting the encoding; return ``(text, encoding)``.

    Raises ReadError for empty or binary content.
    """
    if not data:
        raise ReadError(source, "empty file (0 bytes)", stage="read")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
                return text.lstrip("\ufeff") if enc != "utf-8-sig" else text, enc.replace("-sig", "")
            except UnicodeDecodeError:
                data = data[len(bom):]  # a lying BOM: detect from the content
                break
    if b"\x00" in data[:65536]:
        enc = _looks_utf16(data)
        if enc is None:
            raise ReadError(source, "binary content (NUL bytes), not a text file", stage="read")
        return data[: len(data) - len(data) % 2].decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # a file cut inside its last character: valid UTF-8 with Chinese before, an incomplete sequence after
        truncated = exc.reason == "unexpected end of data" and exc.start >= len(data) - 3
        if truncated and any(b >= 0x80 for b in data[: exc.start]):
            log.warning("%s: truncated UTF-8 sequence at the end dropped", source)
            return data[: exc.start].decode("utf-8"), "utf-8"
    mixed = _decode_mixed(data)
    if mixed is not None and data.count(b"\n") >= 2:
        valid_utf8_lines = sum(1 for line in data.split(b"\n") if _is_utf8(line))
        if valid_utf8_lines / (data.count(b"\n") + 1) >= 0.5 and _has_multibyte_utf8(data):
            return mixed
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000], cp_isolation=["gb18030", "big5", "cp950"]).best()
    enc = best.encoding if best is not None else "gb18030"
    enc = {"cp950": "big5"}.get(enc, enc)
    codecs_of = {"big5": "cp950"}
    # short texts fool the statistical detector (邮政局 in GBK is valid Big5): prefer the decoding made
    # of everyday characters (judged on a sample), the detector's choice on a tie
    sample = data[:65536]
    score = _plausibility(sample.decode(codecs_of.get(enc, enc), errors="replace"))
    for alt_enc in ("gb18030", "big5"):
        if alt_enc == enc:
            continue
        try:
            data.decode(codecs_of.get(alt_enc, alt_enc))
        except UnicodeDecodeError:
            continue
        alt_score = _plausibility(sample.decode(codecs_of.get(alt_enc, alt_enc), errors="replace"))
        if alt_score > score:
            enc, score = alt_enc, alt_score
    u16 = _utf16_without_bom(data)
    if u16 is not None and u16[1] > score:
        try:
            return data.decode(u16[0]), u16[0]
        except UnicodeDecodeError:
            pass  # plausible at the start only
    text = data.decode(codecs_of.get(enc, enc), errors="replace")
    if _bad_char_ratio(text) > 0.05:
        raise ReadError(source, "binary or undecodable content: no Chinese text encoding fits", stage="read")
    return text, enc


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _has_multibyte_utf8(data: bytes) -> bool:
    return any(_is_utf8(line) and any(b >= 0x80 for b in line) for line in data.split(b"\n")[:2000])
