"""Text from records or URLs shown inside Markdown-rendering elements (st.info, st.caption)."""

import re

# Every character Streamlit's Markdown gives a meaning to: links, emphasis,
# code, HTML, LaTeX ($), directives (:material/...:, :red[...]) and tables.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: object) -> str:
    """Escape Markdown so the text is shown exactly as written and never becomes a link or markup."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
