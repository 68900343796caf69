"""What the Word and Excel writers share: the colours the print CSS has, only the text XML can
hold, and a row's height guessed from its text (they size rows themselves)."""

import re

# RAG colours (background, text) as hex, for the writers that cannot read the print CSS; the CSS
# (templates/reporting/appendix.css) uses the same values, which a test holds together.
RAG_COLOURS = {
    "red": ("d4351c", "ffffff"),
    "amber": ("f47738", "000000"),
    "green": ("00703c", "ffffff"),
    "complete": ("1d70b8", "ffffff"),
}
HEADER_FILL = "d9d9d9"
GROUP_FILL = "f2f2f2"


# Characters XML 1.0 cannot hold (control characters pasted from other documents): Word and
# Excel refuse a file with them, so the writers drop them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text):
    return NOT_XML.sub("", str(text))


def estimated_lines(paras, chars_per_line):
    """Lines a cell's paragraphs take at ``chars_per_line``: a rough measure for the writers
    that must size rows themselves (Excel's merged cells, Word's rows kept on one page)."""
    chars_per_line = max(int(chars_per_line), 1)
    lines = 0
    for para in paras:
        for line in para.text.split("\n"):
            lines += max(1, -(-len(line) // chars_per_line))
    return lines
