#!/usr/bin/python3
"""Generates the Unicode and HTML tables behind ClipUp.Text's Python-exact text cleaning.

Run from the repository root with Debian's Python and regex module (apt: python3, python3-regex):

    /usr/bin/python3 bench/reference/text_tables.py

Why tables: ClipUp runs with InvariantGlobalization, where string.Normalize is a no-op for non-ASCII text, and
.NET's character categories and casing follow a newer Unicode version than the reference tokenizer's Python. To
tokenize exactly like OpenAI CLIP's SimpleTokenizer under that Python, every character property it uses is taken
from the same interpreter that bench/reference/tokenizer_fixture.py runs on:

  src/ClipUp/Text/UnicodeTables.g.cs   regex-module classes of the pre-tokenizer pattern (with re.IGNORECASE),
                                       regex \\s, str.isspace (for strip), str.lower, the Final_Sigma context
                                       sets, and NFC data (combining classes, canonical decompositions,
                                       primary composites) from unicodedata.
  src/ClipUp/Text/HtmlEntityTable.g.cs the HTML5 named character references of html.entities.html5.
"""
import html.entities
import os
import sys
import unicodedata

import regex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEXT_DIR = os.path.join(ROOT, "src", "ClipUp", "Text")
ALL = range(0x110000)
IC = regex.IGNORECASE


def ranges(codepoints):
    """Sorted code points -> flat [start0, end0, start1, end1, ...] with inclusive ends."""
    out = []
    for c in sorted(codepoints):
        if out and out[-1] == c - 1:
            out[-1] = c
        else:
            out += [c, c]
    return out


def int_array(name, values, doc, per_line=12):
    lines = [f"    /// <summary>{doc}</summary>", f"    internal static readonly int[] {name} =", "    ["]
    for i in range(0, len(values), per_line):
        lines.append("        " + ", ".join(f"0x{v:X}" if v >= 0 else f"-0x{-v:X}" for v in values[i:i + per_line]) + ",")
    lines.append("    ];")
    return "\n".join(lines)


def lower_runs():
    """str.lower as (start, count, stride, delta) runs of single-code-point mappings (U+0130 is special)."""
    pairs = []
    for c in ALL:
        low = chr(c).lower()
        if low != chr(c) and len(low) == 1:
            pairs.append((c, ord(low) - c))
    multi = [c for c in ALL if len(chr(c).lower()) != 1]
    assert multi == [0x130], multi
    runs = []
    for c, delta in pairs:
        if runs:
            start, count, stride, d = runs[-1]
            last = start + (count - 1) * stride
            if d == delta and (count == 1 and c - last in (1, 2) or count > 1 and c - last == stride):
                runs[-1] = (start, count + 1, c - last if count == 1 else stride, d)
                continue
        runs.append((c, 1, 1, delta))
    spans = [(start, start + (count - 1) * stride) for start, count, stride, _ in runs]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), "lower runs overlap: lookup needs disjoint spans"
    flat = []
    for r in runs:
        flat += r
    return flat


def final_sigma_sets():
    """Case_Ignorable and 'cased and not ignorable', read back through str.lower's Final_Sigma rule.

    CPython lowers U+03A3 to final sigma when \\p{cased} (\\p{case-ignorable})* precedes it and no
    (\\p{case-ignorable})* \\p{cased} follows. 'A'+c+'Σ' -> ς iff ignorable(c) or cased(c); 'AΣ'+c -> ς iff
    ignorable(c) or not cased(c); so ignorable = both. For non-ignorable c, cased(c) = (c+'Σ' -> ς).
    """
    ignorable, cased = [], []
    for c in ALL:
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        x = ("A" + ch + "Σ").lower()[-1] == "ς"
        y = ("AΣ" + ch).lower()[1] == "ς"
        if x and y:
            ignorable.append(c)
        elif (ch + "Σ").lower()[-1] == "ς":
            cased.append(c)
    return ignorable, cased


def nfc_data():
    ccc = []  # (start, end, class) runs
    for c in ALL:
        k = unicodedata.combining(chr(c))
        if k:
            if ccc and ccc[-1][1] == c - 1 and ccc[-1][2] == k:
                ccc[-1][1] = c
            else:
                ccc.append([c, c, k])
    decomp, composable = [], []
    for c in ALL:
        d = unicodedata.decomposition(chr(c))
        if not d or d.startswith("<"):
            continue
        parts = [int(p, 16) for p in d.split()]
        assert len(parts) in (1, 2), (hex(c), d)
        decomp += [c, parts[0], parts[1] if len(parts) == 2 else 0]
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(c):
            composable.append(c)
    # Below this code point no character changes under NFC, has a non-zero combining class, or is the second
    # half of a composition, so text made only of such characters is already NFC.
    composable_set = set(composable)
    seconds = {decomp[i + 2] for i in range(0, len(decomp), 3) if decomp[i] in composable_set}
    limit = min([r[0] for r in ccc] + [c for c in ALL if not 0xD800 <= c <= 0xDFFF
                 and unicodedata.normalize("NFC", chr(c)) != chr(c)] + list(seconds) + [0x1161, 0x11A8])
    return [v for r in ccc for v in r], decomp, composable, limit


def unicode_tables():
    letter = [c for c in ALL if regex.match(r"[\p{L}]", chr(c), IC)]
    number = [c for c in ALL if regex.match(r"[\p{N}]", chr(c), IC)]
    space = [c for c in ALL if regex.match(r"\s", chr(c))]
    other = set(c for c in ALL if regex.match(r"[^\s\p{L}\p{N}]", chr(c), IC))
    assert not set(letter) & set(number) and not set(space) & (set(letter) | set(number))
    # With IGNORECASE a few characters match no alternative (U+0345 folds to a letter but is not one itself).
    classified = set(letter) | set(number) | set(space)
    unmatched = [c for c in ALL if c not in other and c not in classified]
    assert not other & classified
    assert space == [c for c in ALL if regex.match(r"\s", chr(c), IC)]
    py_space = [c for c in ALL if chr(c).isspace()]
    ignorable, cased = final_sigma_sets()
    ccc, decomp, composable, limit = nfc_data()
    parts = [
        int_array("Letter", ranges(letter), "Code points matching <c>[\\p{L}]</c> (regex module, IGNORECASE), as inclusive ranges."),
        int_array("Number", ranges(number), "Code points matching <c>[\\p{N}]</c> (regex module, IGNORECASE), as inclusive ranges."),
        int_array("Space", ranges(space), "Code points matching regex <c>\\s</c>, as inclusive ranges."),
        int_array("Unmatched", ranges(unmatched), "Code points that match no alternative of the pre-tokenizer pattern under IGNORECASE."),
        int_array("PythonSpace", ranges(py_space), "Code points for which Python's <c>str.isspace</c> holds (what <c>str.strip</c> removes), as inclusive ranges."),
        int_array("LowerRuns", lower_runs(), "Python <c>str.lower</c> single-code-point mappings as (start, count, stride, delta) runs.", 16),
        int_array("CaseIgnorable", ranges(ignorable), "Case_Ignorable code points as CPython's Final_Sigma rule sees them, as inclusive ranges."),
        int_array("Cased", ranges(cased), "Cased code points that are not Case_Ignorable, as inclusive ranges."),
        int_array("CombiningClass", ccc, "Canonical combining classes as (start, end, class) runs; absent means 0."),
        int_array("Decomposition", decomp, "Canonical decompositions as (code point, first, second or 0) triples, one level deep."),
        int_array("Composable", composable, "Primary composites: code points whose two-part decomposition recomposes under NFC."),
    ]
    header = f"""// <auto-generated>
// Generated by bench/reference/text_tables.py from Python {sys.version.split()[0]} (unicodedata {unicodedata.unidata_version})
// and regex {regex.__version__}. Do not edit; rerun the script instead.
// </auto-generated>
namespace ClipUp.Text;

/// <summary>Character tables of the reference Python tokenizer, so cleaning and splitting match it exactly.</summary>
internal static class UnicodeTables
{{
    /// <summary>Text whose code points are all below this value is already in NFC.</summary>
    internal const int NfcQuickCheckLimit = 0x{limit:X};

"""
    return header + "\n\n".join(parts) + "\n}\n"


def cs_string(s):
    return '"' + "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else
                         (f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}") for c in s) + '"'


def entity_table():
    names = sorted(html.entities.html5)
    lines = [f"        [{cs_string(n)}] = {cs_string(html.entities.html5[n])}," for n in names]
    return f"""// <auto-generated>
// Generated by bench/reference/text_tables.py from Python {sys.version.split()[0]} html.entities.html5 ({len(names)} names).
// Do not edit; rerun the script instead.
// </auto-generated>
using System.Collections.Frozen;

namespace ClipUp.Text;

/// <summary>The HTML5 named character references, keyed with their trailing ';' where the standard has one.</summary>
internal static class HtmlEntityTable
{{
    /// <summary>Longest name, including ';' (Python's unescape tries at most 32 characters).</summary>
    internal const int MaxNameLength = {max(map(len, names))};

    /// <summary>Name (e.g. "amp;", or the legacy "amp") to replacement text.</summary>
    internal static readonly FrozenDictionary<string, string> Entities = new Dictionary<string, string>
    {{
""" + "\n".join(lines) + "\n    }.ToFrozenDictionary(StringComparer.Ordinal);\n}\n"


def main():
    for name, text in (("UnicodeTables.g.cs", unicode_tables()), ("HtmlEntityTable.g.cs", entity_table())):
        path = os.path.join(TEXT_DIR, name)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {path} ({len(text)} chars)")


if __name__ == "__main__":
    main()
