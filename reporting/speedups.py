"""Two savings in WeasyPrint's layout of an appendix, on only while ``printing`` lays one out.

- Lines remembered: WeasyPrint breaks each paragraph into lines by asking Pango for the first
  line of what is left, text by text. An appendix repeats the same texts in the same column (a
  RAG word, "complete", a date, a lead), and ``printing.settle`` lays the whole document out
  again to add the "(contd.)" rows, so most of those questions were asked before: the answer
  (the line's length, size and its laid-out text, which WeasyPrint only reads) is kept for the
  render, keyed by the text, the width and every style property that shapes text. 1,000
  generated actions: about 15,000 of 17,000 asked again. (The margin boxes' widths ask too.)
- Margin boxes once: WeasyPrint makes each page's margin boxes (running heading, "Page 1 of 79")
  at the end of every layout, and ``settle`` throws all but the last layout away (``parts``
  then made them a third time with the page numbers of the whole). They are left out while
  laying out and made once, for the layout kept (``number_pages``).

Both are wrappers round WeasyPrint 70 functions that do nothing unless this thread is inside
``laying_out()``; anything else rendering with WeasyPrint is unchanged.
"""

import contextlib
import threading

_state = threading.local()

# What the text of a line depends on (weasyprint.text.line_break: its font key, the line
# breaking, the spacing) and its height (the font size and line height).
TEXT_PROPERTIES = (
    "font_family",
    "font_style",
    "font_stretch",
    "font_weight",
    "font_size",
    "line_height",
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_caps",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
    "font_variation_settings",
    "font_language_override",
    "lang",
    "letter_spacing",
    "word_spacing",
    "white_space",
    "overflow_wrap",
    "word_break",
    "hyphens",
    "hyphenate_character",
    "hyphenate_limit_zone",
    "hyphenate_limit_chars",
    "direction",
    "text_decoration_line",
    "tab_size",
    "text_transform",
)


@contextlib.contextmanager
def laying_out():
    """While inside: lines remembered, margin boxes left out; yields the list the layout
    context of each render is added to (``number_pages`` needs it)."""
    _install()
    contexts = []
    _state.lines, _state.styles, _state.contexts = {}, {}, contexts
    try:
        yield contexts
    finally:
        _state.lines = _state.styles = _state.contexts = None


def number_pages(laid_out, context, first=1, total=None):
    """Make each page's margin boxes, its number in the whole document ``first`` + i of
    ``total`` (a part's pages go on from the parts before it; see reporting.parts). The layout
    of the page itself is kept: WeasyPrint makes margin boxes after paginating."""
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_box_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    total = len(laid_out.pages) if total is None else total
    for i, page in enumerate(laid_out.pages):
        box = page._page_box
        context.current_page = i + 1
        state = context.page_maker[i + 1][3]
        state[1]["page"] = [first + i]
        state[1]["pages"] = [total]
        kept = [child for child in box.children if not isinstance(child, MarginBox)]
        margins = list(make_margin_boxes(context, box, state))
        box.children = (*kept, *margins)
        # The page's own backgrounds were laid out with it; only the new boxes need theirs.
        for margin in margins:
            layout_box_backgrounds(box, margin, context.get_image_from_uri)


_installed = []


def _install():
    if _installed:
        return
    from weasyprint import document, layout
    from weasyprint.layout import inline, preferred

    split_first_line = inline.split_first_line
    make_margin_boxes = layout.make_margin_boxes
    layout_document = document.layout_document

    def remembered_first_line(text, style, context, max_width, *args, **kwargs):
        lines = getattr(_state, "lines", None)
        if lines is None:
            return split_first_line(text, style, context, max_width, *args, **kwargs)
        key = (text, _text_style(style), max_width, args, tuple(sorted(kwargs.items())))
        line = lines.get(key)
        if line is None:
            line = lines[key] = split_first_line(text, style, context, max_width, *args, **kwargs)
        return line

    def margin_boxes_later(context, page, state):
        if getattr(_state, "contexts", None) is None:
            return make_margin_boxes(context, page, state)
        return []

    def keeping_context(html, root_box, context, *args, **kwargs):
        contexts = getattr(_state, "contexts", None)
        if contexts is not None:
            contexts.append(context)
        return layout_document(html, root_box, context, *args, **kwargs)

    inline.split_first_line = preferred.split_first_line = remembered_first_line
    layout.make_margin_boxes = margin_boxes_later
    document.layout_document = keeping_context
    _installed.append(True)


def _text_style(style):
    """The style's text properties as a key; kept by the style's identity for the render (the
    style is kept with it, so that identity is not reused by another)."""
    styles = _state.styles
    known = styles.get(id(style))
    if known is None:
        key = tuple(repr(style[name]) for name in TEXT_PROPERTIES)
        known = styles[id(style)] = (style, key)
    return known[1]
