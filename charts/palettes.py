"""Every colour the charts use, in one place, and the colour-difference measure that checks them.

Openness colours mean openness levels only, on every page. Each other kind of category (incident types,
licence families, pathways and yes / no / disputed, date precision, licence term classes) has its own palette,
chosen so that no two categories drawn in one figure are hard to tell apart: CIEDE2000 colour difference at
least MIN_DELTA_E["normal"] for normal vision and MIN_DELTA_E[...] under simulated protanopia, deuteranopia and
tritanopia (Machado, Oliveira and Fernandes 2009, severity 1), and every non-openness colour at least
MIN_FROM_LEVELS from every openness colour, so none can be read as a level. Statuses are marker shapes, not
colours (charts.incidents.STATUS_SYMBOLS): eighteen of them cannot all be told apart by colour.
"""

import math

UNKNOWN_COLOUR = "#9E9E9E"

# Viridis stops without its darkest and lightest ends: ordered, colour-blind safe, legible on light and dark.
LEVEL_COLOURS: dict[int, str] = {
    0: "#46327E",
    1: "#365C8D",
    2: "#277F8E",
    3: "#1FA187",
    4: "#4AC16D",
    5: "#A0DA39",
}
# Paul Tol's vibrant and light schemes; policy events in his wine.
INCIDENT_COLOURS: dict[str, str] = {
    "copyright": "#EE7733",
    "misuse": "#CC3311",
    "leak": "#EE3377",
    "safety": "#77AADD",
    "privacy": "#66CCEE",
    "bias": "#EEDD88",
    "security": "#117733",
    "policy": "#882255",
}
FAMILY_COLOURS: dict[str, str] = {
    "permissive": "#228833",
    "copyleft": "#99DDFF",
    "open-rail": "#F0E442",
    "community": "#E69F00",
    "non-commercial": "#AA4499",
    "proprietary": "#662506",
    "unknown": UNKNOWN_COLOUR,
}
# Drawn together on the risk page: no colour shared, none alike.
PATHWAY_COLOURS: dict[str, str] = {
    "training-data": "#762A83",
    "downloaded-weights": "#EE7733",
    "api-or-hosted": "#99DDFF",
    "leak": "#BB5566",
    "output-harm": "#993404",
    "other": "#000000",
}
MATTERED_COLOURS: dict[str, str] = {"yes": "#0077BB", "no": "#F0E442", "disputed": "#E377C2"}
# Ordered from most to least precise: darker is more precise.
PRECISION_COLOURS: dict[str, str] = {"day": "#7F2704", "month": "#D94801", "year": "#FDAE6B"}
# What a licence term lets a user do, one colour per meaning in every column of the term matrix.
CLASS_COLOURS: dict[str, str] = {
    "permissive": "#77AADD",
    "conditional": "#EEDD88",
    "restrictive": "#EE8866",
    "not applicable": "#DDDDDD",
    "unknown": UNKNOWN_COLOUR,
}
OPEN_SHARE_COLOUR = "#000000"  # the open-weight share line on the Overview
# Closed (levels 0-3) against open weights (levels 4-5) on the capability and compute page: Tol's wine and ochre,
# apart from every single level so a group is never read as one level.
ACCESS_COLOURS: dict[str, str] = {"closed (levels 0-3)": "#AA3377", "open weights (levels 4-5)": "#DDAA33"}
# The two compute thresholds (10^23 and 10^25 FLOP).
THRESHOLD_COLOURS: dict[float, str] = {1e23: "#33BBEE", 1e25: "#000000"}

PALETTES: dict[str, dict] = {
    "openness levels": LEVEL_COLOURS,
    "incident types": INCIDENT_COLOURS,
    "licence families": FAMILY_COLOURS,
    "pathways": PATHWAY_COLOURS,
    "openness mattered": MATTERED_COLOURS,
    "date precision": PRECISION_COLOURS,
    "licence term classes": CLASS_COLOURS,
    "closed and open weights": ACCESS_COLOURS,
    "compute thresholds": {"10^23 FLOP": THRESHOLD_COLOURS[1e23], "10^25 FLOP": THRESHOLD_COLOURS[1e25]},
}
# The colours drawn together in one figure (or, for the timeline, on one marker shape).
FIGURES: dict[str, list[str]] = {
    "Overview": [
        *LEVEL_COLOURS.values(),
        *INCIDENT_COLOURS.values(),
        OPEN_SHARE_COLOUR,
    ],
    "Timeline, release events": list(FAMILY_COLOURS.values()),
    "Timeline and Incidents, incidents": list(INCIDENT_COLOURS.values()),
    "Openness and risk": [*PATHWAY_COLOURS.values(), *MATTERED_COLOURS.values(), UNKNOWN_COLOUR],
    "Openness and risk, lag and scale": [*LEVEL_COLOURS.values(), UNKNOWN_COLOUR],
    "Licences, families": list(FAMILY_COLOURS.values()),
    "Licences, term matrix": list(CLASS_COLOURS.values()),
    "Date precision": list(PRECISION_COLOURS.values()),
    "Capability and compute": [*ACCESS_COLOURS.values(), *THRESHOLD_COLOURS.values()],
}
MIN_DELTA_E = {"normal": 10.0, "protanopia": 6.0, "deuteranopia": 6.0, "tritanopia": 6.0}
MIN_FROM_LEVELS = 10.0

# Machado et al. 2009, severity 1.0, applied to linear RGB.
CVD_MATRICES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
VISIONS = ("normal", *CVD_MATRICES)


def _linear(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    srgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)


def lab(hex_colour: str, vision: str = "normal") -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour, as seen with normal vision or a simulated colour-vision deficiency."""
    rgb = _linear(hex_colour)
    if vision != "normal":
        rgb = tuple(
            min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in CVD_MATRICES[vision]
        )
    r, g, b = rgb
    xyz = (
        (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p, h2p = (math.degrees(math.atan2(b, a)) % 360 for a, b in ((a1p, b1), (a2p, b2)))
    dh = 0.0 if c1p * c2p == 0 else h2p - h1p
    dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_lp, d_cp = l2 - l1, c2p - c1p
    d_hp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((d_lp / s_l) ** 2 + (d_cp / s_c) ** 2 + (d_hp / s_h) ** 2 + r_t * (d_cp / s_c) * (d_hp / s_h))


def difference(a: str, b: str, vision: str = "normal") -> float:
    """CIEDE2000 between two colours as seen with the given vision."""
    return delta_e2000(lab(a, vision), lab(b, vision))


def closest_pair(colours: list[str], vision: str = "normal") -> tuple[float, str, str]:
    """The smallest difference among distinct colours, and the pair."""
    unique = list(dict.fromkeys(c.upper() for c in colours))
    pairs = [(difference(a, b, vision), a, b) for i, a in enumerate(unique) for b in unique[i + 1 :]]
    return min(pairs) if pairs else (math.inf, "", "")
