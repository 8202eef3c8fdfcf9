#!/usr/bin/env python3
"""Builds notebooks/NN-topic.ipynb from notebooks/src/NN-topic.md (STYLE §3 rule 7: the source is diffable text).

A source file is Markdown: every ```csharp fence becomes a code cell, the text between fences a markdown cell.
The first code cell of every notebook is the bootstrap `#load "clipup.csx"` (notebooks/clipup.csx), alone in its cell:
Microsoft's .NET Interactive kernel needs it to find ClipUp; ClipUp's kernel and runner skip it.
The .ipynb is written without outputs; `./clipup notebooks run notebooks/NN-topic.ipynb --profile smoke` fills them.
Usage: python3 notebooks/src/build.py [NN-topic ...]   (no names: every source)
"""
import json, pathlib, re, sys

SRC = pathlib.Path(__file__).resolve().parent
OUT = SRC.parent
BOOTSTRAP = "// Only Microsoft's .NET Interactive kernel needs this line (notebooks/README.md); ClipUp's kernel skips it.\n#load \"clipup.csx\""
FENCE = re.compile(r"^```csharp[ \t]*\n(.*?)^```[ \t]*$\n?", re.S | re.M)


def lines(text):
    parts = text.strip("\n").split("\n")
    return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def code_cell(index, source):
    return {"cell_type": "code", "execution_count": None, "id": f"c{index:02d}",
            "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
            "outputs": [], "source": lines(source)}


def cells(source):
    out, pos = [], 0
    for m in FENCE.finditer(source):
        md = source[pos:m.start()].strip("\n")
        if pos == 0:
            # The bootstrap goes after the title and question, before the first section.
            head, sep, rest = md.partition("\n## ")
            if head.strip():
                out.append({"cell_type": "markdown", "id": f"c{len(out):02d}", "metadata": {}, "source": lines(head)})
            out.append(code_cell(len(out), BOOTSTRAP))
            md = (sep.lstrip("\n") + rest) if sep else ""
        if md.strip():
            out.append({"cell_type": "markdown", "id": f"c{len(out):02d}", "metadata": {}, "source": lines(md)})
        out.append(code_cell(len(out), m.group(1)))
        pos = m.end()
    tail = source[pos:].strip("\n")
    if tail.strip():
        out.append({"cell_type": "markdown", "id": f"c{len(out):02d}", "metadata": {}, "source": lines(tail)})
    return out


def build(md):
    nb = {
        "cells": cells(md.read_text(encoding="utf-8")),
        "metadata": {
            "kernelspec": {"display_name": "C# (ClipUp)", "language": "C#", "name": "clipup-csharp"},
            "language_info": {"codemirror_mode": "text/x-csharp", "file_extension": ".cs", "mimetype": "text/x-csharp",
                              "name": "C#", "pygments_lexer": "csharp", "version": "14.0"},
            "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}},
        },
        "nbformat": 4, "nbformat_minor": 5,
    }
    target = OUT / (md.stem + ".ipynb")
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(target.relative_to(OUT.parent))


if __name__ == "__main__":
    names = sys.argv[1:]
    for md in sorted(SRC.glob("[0-9][0-9]-*.md")):
        if not names or md.stem in names:
            build(md)
