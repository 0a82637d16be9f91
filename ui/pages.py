"""The page list: file, title, URL path and the URL parameters each page owns."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    url_path: str
    icon: str
    params: frozenset[str]


PAGES = (
    PageSpec("pages/overview.py", "Overview", "overview", ":material/insights:", frozenset({"unit", "series"})),
    PageSpec("pages/timeline.py", "Timeline", "timeline", ":material/timeline:", frozenset({"lanes", "show", "item"})),
    PageSpec("pages/models.py", "Models", "models", ":material/view_list:", frozenset()),
    PageSpec("pages/risk.py", "Openness and risk", "risk", ":material/balance:", frozenset({"year", "weight", "view"})),
    PageSpec("pages/licences.py", "Licences", "licences", ":material/gavel:", frozenset({"q", "a", "b", "view"})),
    PageSpec("pages/incidents.py", "Incidents", "incidents", ":material/report:", frozenset({"q", "status", "item"})),
    PageSpec("pages/model.py", "Model profile", "model", ":material/account_tree:", frozenset({"model", "q", "item"})),
    PageSpec(
        "pages/capability.py",
        "Capability and compute",
        "capability",
        ":material/speed:",
        frozenset({"view", "bench", "who", "quantity", "threshold", "by"}),
    ),
    PageSpec(
        "pages/crosswalk.py",
        "How others rate it",
        "crosswalk",
        ":material/compare_arrows:",
        frozenset({"view", "tracker", "show"}),
    ),
    PageSpec("pages/method.py", "Data and method", "method", ":material/menu_book:", frozenset({"table", "section"})),
)
# Listed in the navigation only for a signed-in curator (see ui/shell.py and ui/auth.py).
CURATE = PageSpec("pages/curate.py", "Import data", "curate", ":material/upload:", frozenset())
# At its own address for curators; hidden from the navigation until its visitor is signed in. The file is named
# as its URL path so that a first request to a fresh server (Streamlit's legacy pages/ mode) finds it too.
SIGN_IN = PageSpec("pages/sign-in.py", "Curator sign-in", "sign-in", ":material/lock:", frozenset())

# One-click views for policy discussion: each preset is simply a URL (page path and parameters).
PRESETS = (
    ("GPT-2's staged release", "model", {"model": "gpt-2"}),
    ("LLaMA: gated release, then the leak", "model", {"model": "llama"}),
    (
        "Image models 2022-23: open release, then lawsuits",
        "timeline",
        {"start": "2022", "end": "2023", "modality": "image"},
    ),
    ("Copyright suits and the models they name", "incidents", {"itype": "copyright"}),
    ("From non-commercial to community licences", "licences", {"view": "families", "start": "2022"}),
    ("Model size against openness over time", "risk", {"view": "scale"}),
    ("How far behind are open-weight models? (GPQA Diamond)", "capability", {"view": "gap", "bench": "gpqa-diamond"}),
    ("Who trains at the frontier, open or closed?", "capability", {"view": "concentration"}),
)


def page_file(url_path: str) -> str:
    """The script of the page at a URL path."""
    return next(p.file for p in PAGES if p.url_path == url_path)


# Events annotated on the overview chart: (release or incident id, short label).
KEY_RELEASES = (
    ("gpt-2-2019-02-124m", "GPT-2 124M"),
    ("stable-diffusion-1-2022-08-public", "Stable Diffusion 1"),
    ("llama-2023-02-gated", "LLaMA 7B-65B"),
    ("deepseek-r1-2025-01-weights", "DeepSeek-R1 671B"),
)
KEY_INCIDENTS = (
    ("gpt-2-withholding", "GPT-2 withheld"),
    ("andersen-v-stability", "Andersen v. Stability AI"),
    ("getty-v-stability-uk", "Getty v. Stability (UK)"),
    ("llama-weights-leak", "LLaMA leak"),
    ("eu-ai-act-entry-into-force", "EU AI Act in force"),
)
