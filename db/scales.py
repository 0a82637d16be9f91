"""How each tracker's access scale maps to our six levels: the one place the crosswalk's agreement rests on.

A tracker's class maps to the set of our levels it is compatible with; our
level agrees when it is in that set. A class that does not say whether the
weights were released maps to None: "not comparable", never a guess.
data/README.md ("How other trackers' scales map to ours") documents this
table, and a test keeps the two the same.
"""

LEVELS_OF: dict[str, dict[str, tuple[int, ...] | None]] = {
    # access: open = anyone can download; limited = an API, a product or selected users; closed = no outside access
    "ecosystem-graphs": {"open": (4, 5), "limited": (1, 2, 3), "closed": (0,)},
    "epoch-ai": {
        "Unreleased": (0,),
        "Hosted access (no API)": (2,),
        "API access": (3,),
        "Limited access": None,
        "Open weights (restricted use)": (4, 5),
        "Open weights (non-commercial)": (4, 5),
        "Open weights (unrestricted)": (4, 5),
    },
    # the Index's end-model weights dimension
    "eosai": {"weights open": (4, 5), "weights partial": (4,), "weights closed": (0, 1, 2, 3)},
    # whether the MOT file lists the final model parameters among the release's components
    "mot": {"weights listed": (4, 5), "weights not listed": (0, 1, 2, 3)},
}


def class_key(tracker_id: str, access_class: str | None) -> str:
    """The key of LEVELS_OF for a stored access class (MOT's class carries its licence in brackets)."""
    text = (access_class or "").strip()
    return text.split(" (", 1)[0] if tracker_id == "mot" else text


def expected_levels(tracker_id: str, access_class: str | None) -> tuple[int, ...] | None:
    """Our levels compatible with a tracker's access class, or None when the class says nothing about access."""
    return LEVELS_OF.get(tracker_id, {}).get(class_key(tracker_id, access_class))
