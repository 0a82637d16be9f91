"""Controlled vocabularies: the allowed values of every enumerated column, defined once."""

OPENNESS_LEVELS: dict[int, str] = {
    0: "fully closed",
    1: "staged",
    2: "hosted",
    3: "API",
    4: "downloadable",
    5: "fully open",
}

# What each level means, in a few words (Solaiman, "The Gradient of Generative AI Release", FAccT 2023).
OPENNESS_MEANINGS: dict[int, str] = {
    0: "no outside access",
    1: "released step by step",
    2: "used only through the developer's own interface",
    3: "programmatic access, no weights",
    4: "weights downloadable, possibly gated or under restrictive terms",
    5: "weights, code and data or full training details under open terms",
}

DATE_PRECISIONS = ("day", "month", "year")
ORG_KINDS = ("company", "non-profit", "academic", "collective", "government")
MODALITIES = ("text", "image", "audio", "video", "code", "multimodal")
EVENT_TYPES = (
    "paper",
    "announcement",
    "staged",
    "hosted",
    "api",
    "gated",
    "weights",
    "open",
    "leak",
    "relicence",
    "withdrawal",
)
GATING = ("none", "click-through", "approval")
COMPONENT_STATES = ("open", "partial", "closed", "unknown")
COMPONENTS = ("weights", "inference_code", "training_code", "training_data", "documentation")

LICENCE_FAMILIES = (
    "permissive",
    "copyleft",
    "open-rail",
    "community",
    "non-commercial",
    "proprietary",
)
LICENCE_FAMILY_LABELS = {
    "permissive": "permissive",
    "copyleft": "copyleft",
    "open-rail": "open RAIL",
    "community": "community / custom restricted",
    "non-commercial": "non-commercial",
    "proprietary": "proprietary / API terms",
}
PERMISSION = ("allowed", "conditional", "prohibited")
YES_NO = ("yes", "no")
YES_NO_NA = ("yes", "no", "n/a")
THRESHOLD_KINDS = ("none", "users", "revenue")
# When a user or revenue threshold is measured, as the licence text words it: in the calendar month before the
# licence version's release date; in the preceding calendar month with no fixed reference date; or at any time.
THRESHOLD_COUNTED = ("before-release", "previous-month", "any-time")
THRESHOLD_COUNTED_TEXT = {
    "before-release": "counted in the calendar month before this licence version's release date",
    "previous-month": "counted in the preceding calendar month, with no fixed reference date",
    "any-time": "counted at any time",
}
LICENCE_TERMS = (
    "commercial_use",
    "scale_threshold",
    "use_restrictions",
    "modification",
    "redistribution",
    "output_restriction",
    "output_training",
    "attribution",
)

INCIDENT_TYPES = ("copyright", "misuse", "leak", "safety", "privacy", "bias", "security", "policy")
INCIDENT_STATUSES = (
    "reported",
    "confirmed",
    "resolved",
    "filed",
    "pending",
    "dismissed-in-part",
    "dismissed",
    "settled",
    "ruled",
    "appealed",
    "proposed",
    "adopted",
    "in-force",
    "revoked",
    "suspended",
    "annulled",
    "vetoed",
    "withdrawn",
)
SEVERITY = {0: "context", 1: "hazard", 2: "harm", 3: "severe harm"}
PATHWAYS = ("training-data", "downloaded-weights", "api-or-hosted", "leak", "output-harm", "other")
OPENNESS_MATTERED = ("yes", "no", "disputed")
CONTEXT_KINDS = ("research", "platform", "benchmark", "product", "cost-estimate")
# How a parameter count or a compute figure is known: published by the developer, or estimated by a named party.
FIGURE_BASIS = ("disclosed", "estimated")
# The clauses of the inclusion rule (data/README.md): why a model belongs in the census.
INCLUSION_CLAUSES = {
    "seed": "named in the seed article",
    "frontier": "a frontier or flagship release of a leading developer",
    "epoch-notable": "counted as notable by Epoch AI",
    "ecosystem-graphs": "listed as a model in Stanford CRFM's Ecosystem Graphs",
    "adoption": "an open-weight model with wide adoption",
    "incident": "involved in an incident of the dataset",
}

# Who published a benchmark result: the model's developer, another model developer (in its own report), the
# benchmark's authors, or an evaluator that built neither.
REPORTER_ROLES = ("developer", "other-developer", "benchmark-maintainer", "independent")
# What a compute estimate measures.
ESTIMATE_QUANTITIES = (
    "training-compute-flop",
    "training-cost-usd",
    "hardware-count",
    "training-time-hours",
    "gpu-hours",
)

# Who matched a tracker's name to our model: the exact-name rule (same name and developer), or a curator by hand.
REVIEWERS = ("exact-name", "curator")

UNKNOWN = "unknown"
