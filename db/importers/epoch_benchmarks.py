"""Epoch AI's benchmarking hub export (benchmark_data.zip): results for the models of the census.

    python -m db.importers.epoch_benchmarks DIR [--data data/] > rows.csv

DIR holds the export's CSV files (gpqa_diamond.csv, math_level_5.csv, mmlu_external.csv). Each
row's model is matched by the reviewed patterns below, never by a guess: a version no pattern
names is listed on stderr as unmatched and left out. A result is tied to the release event that
made the evaluated variant available (the model's event nearest the variant's release date), so
the chart can use the openness of that variant, not of its later or earlier siblings.
"""

import argparse
import csv
import datetime as dt
import re
import sys
from pathlib import Path

# (file, score column, benchmark id, who ran it). Epoch's own runs are independent of model and benchmark.
FILES = (
    ("gpqa_diamond.csv", "mean_score", "gpqa-diamond", "epoch"),
    ("math_level_5.csv", "mean_score", "math-level-5", "epoch"),
    ("mmlu_external.csv", "EM", "mmlu", "external"),
)
SOURCE_IDS = {
    "gpqa-diamond": "epoch-benchmarks-gpqa-diamond",
    "math-level-5": "epoch-benchmarks-math-level-5",
    "mmlu": "epoch-benchmarks-mmlu-external",
}

# Reviewed patterns: Epoch's model version (or, for external results, its display name), matched in order,
# case-insensitive, against the whole string. Families we hold as one model (Llama 2 7B-70B) map to it; a
# variant our census does not hold (Qwen2.5-Coder, Ministral, Falcon2) has no pattern and stays out.
PATTERNS = (
    (r"deepseek-r1.*", "deepseek-r1"),
    (r"deepseek-v3(-0324)?|deepseek v3|deepseek-v3 base", "deepseek-v3"),
    (r"deepseek-reasoner", "deepseek-v3.2"),
    (r"deepseek-v2( base)?", "deepseek-v2"),
    (r"deepseek-llm-67b-chat", "deepseek-llm-67b"),
    (r"deepseek-coder-v2.*|ds-coder-v2.*", "deepseek-coder-v2"),
    (r"deepseek-coder-.*b-base|ds-coder-.*b-base", "deepseek-coder"),
    (r"llama-2-.*|llama ?2[ -].*|llama-2 .*|llama2-.*", "llama-2"),
    (r"llama-3\.1-tulu-3.*", "tulu-3"),
    (r"llama-3\.1-.*|llama 3\.1 .*|llama-3\.1 .*", "llama-3.1"),
    (r"llama-3\.2-.*|llama 3\.2 .*", "llama-3.2"),
    (r"llama-3\.3-.*|llama 3\.3 .*|llama3\.3 .*", "llama-3.3"),
    (r"llama-4-.*", "llama-4"),
    (r"meta-llama-3-.*|llama 3 \(.*\)|llama-3-in .*", "llama-3"),
    (r"llama 1 .*|llama-?\s?\d+b|llama \d+b|llama-\d+b", "llama"),
    (r"mistral-7b-.*|open-mistral-7b|mistral 7b|mistral instruct v0\.3 \(7b\)|mistral v0\.1 \(7b\)", "mistral-7b"),
    (r"mixtral-8x7b.*|open-mixtral-8x7b|mixtral 8x7b", "mixtral-8x7b"),
    (r"open-mixtral-8x22b|mixtral \(8x22b\)", "mixtral-8x22b"),
    (r"open-mistral-nemo-2407", "mistral-nemo"),
    (r"mistral-large-24\d\d|mistral large.*", "mistral-large"),
    (r"mistral-small-25\d\d", "mistral-small-3"),
    (r"magistral-small-2506", "magistral"),
    (r"phi-3-.*|phi-3 .*", "phi-3"),
    (r"phi-4( 14b)?", "phi-4"),
    (r"phi-2", "phi-2"),
    (r"phi-1[._]5", "phi-1.5"),
    (r"qwen3-max-.*", "qwen3-max"),
    (r"qwen3-235b-a22b.*", "qwen3"),
    (r"qwen-max-2025-01-25", "qwen2.5-max"),
    (r"qwen2\.5-(32b|72b|14b|7b)-instruct|qwen2\.5 .*(instruct|base).*|qwen2\.5 instruct turbo .*", "qwen2.5"),
    (r"qwen2-72b-instruct|qwen2 instruct \(72b\)", "qwen2"),
    (r"qwen1\.5-.*|qwen1\.5 .*", "qwen1.5"),
    (r"qwen 7b", "qwen-7b"),
    (r"qwen 14b|qwen-chat 14b", "qwen-14b"),
    (r"yi-1\.5-34b-chat", "yi-1.5"),
    (r"yi-34b-chat|yi 34b|yi \(34b\)|yi-chat 34b", "yi-34b"),
    (r"yi large \(preview\)", "yi-large"),
    (r"claude-2\.0|claude 2", "claude-2"),
    (r"claude-2\.1|claude 2\.1", "claude-2.1"),
    (r"claude-3-5-haiku.*|claude 3\.5 haiku.*", "claude-3.5-haiku"),
    (r"claude-3-5-sonnet.*|claude 3\.5 sonnet.*", "claude-3.5-sonnet"),
    (r"claude-3-7-sonnet.*", "claude-3.7-sonnet"),
    (r"claude-3-(haiku|sonnet|opus)-.*|claude 3 (haiku|sonnet|opus) .*", "claude-3"),
    (r"claude-haiku-4-5-.*", "claude-haiku-4.5"),
    (r"claude-opus-4-1-.*", "claude-opus-4.1"),
    (r"claude-opus-4-5-.*", "claude-opus-4.5"),
    (r"claude-sonnet-4-5-.*", "claude-sonnet-4.5"),
    (r"claude-(opus|sonnet)-4-2025.*", "claude-4"),
    (r"claude 1\.3|claude instant( 1\.[12])?", "claude"),
    (r"dbrx-instruct", "dbrx"),
    (r"gemini-1\.0-pro-.*|gemini 1\.0 pro .*", "gemini-1"),
    (r"gemini-1\.5-.*|gemini 1\.5 .*", "gemini-1.5"),
    (r"gemini-2\.0-flash-thinking-.*", "gemini-2.0-flash-thinking"),
    (r"gemini-2\.0-flash-001|gemini 2\.0 flash \(experimental\)", "gemini-2.0-flash"),
    (r"gemini-2\.0-pro-exp-.*", "gemini-2.0-pro"),
    (r"gemini-2\.5-pro.*", "gemini-2.5"),
    (r"gemini-3-(pro|flash)-preview", "gemini-3"),
    (r"gemma-2-.*|gemma 2 .*", "gemma-2"),
    (r"gemma-3-.*", "gemma-3"),
    (r"gemma \(7b\)|gemma 7b|gemma 2b", "gemma"),
    (r"gpt-3\.5-turbo-.*|gpt-3\.5 turbo \(.*\)|gpt-3\.5 version 1106", "chatgpt"),
    (r"gpt-3\.5", "gpt-3.5"),
    (r"gpt-3( 175b)?", "gpt-3"),
    (r"gpt-4-0314|gpt-4-0613|gpt-4 \(0613\)|gpt-4 \(initial release\)", "gpt-4"),
    (r"gpt-4-1106-preview|gpt-4-0125-preview|gpt-4-turbo-.*|gpt-4 turbo .*", "gpt-4-turbo"),
    (r"gpt-4\.1.*", "gpt-4.1"),
    (r"gpt-4\.5-preview.*", "gpt-4.5"),
    (r"gpt-4o-mini.*|gpt 4o-mini|gpt-4o mini .*", "gpt-4o-mini"),
    (r"gpt-4o-20.*|gpt-4o \(.*\)|gpt-4o", "gpt-4o"),
    (r"gpt-5-(mini-|nano-)?2025-08-07_.*", "gpt-5"),
    (r"gpt-5\.1-.*", "gpt-5.1"),
    (r"gpt-5\.2-.*", "gpt-5.2"),
    (r"openai/gpt-oss-120b.*", "gpt-oss"),
    (r"o1-(preview-)?2024-.*", "o1"),
    (r"o3-2025-.*", "o3"),
    (r"o3-mini-.*", "o3-mini"),
    (r"o4-mini-.*", "o4-mini"),
    (r"grok-2-1212", "grok-2"),
    (r"grok-3-(mini-)?beta.*", "grok-3"),
    (r"grok-4-0709", "grok-4"),
    (r"kimi-k2-thinking-turbo", "kimi-k2-thinking"),
    (r"amazon nova (lite|micro|pro)", "amazon-nova"),
    (r"baichuan 2-.*|baichuan-2 13b|baichuan2-chat 13b", "baichuan-2"),
    (r"chinchilla 70b", "chinchilla"),
    (r"command r( plus)?", "command-r"),
    (r"dolly-v2-12b", "dolly-2"),
    (r"falcon 40b", "falcon-40b"),
    (r"falcon-180b", "falcon-180b"),
    (r"gpt-j-6b", "gpt-j"),
    (r"gpt-neox 20b", "gpt-neox-20b"),
    (r"gopher( 280b)?", "gopher"),
    (r"inflection 1", "inflection-1"),
    (r"internlm 7b|internlm-chat 20b", "internlm"),
    (r"mpt 30b", "mpt-30b"),
    (r"mpt[ -]7b", "mpt-7b"),
    (r"openllama-7b", "openllama"),
    (r"palm (540b|62b)", "palm"),
    (r"redpajama-7b", "redpajama-incite"),
    (r"starcoder2-.*", "starcoder2"),
    (r"xgen-7b", "xgen-7b"),
    (r"dbrx instruct", "dbrx"),
)
COMPILED = [(re.compile(p, re.IGNORECASE), m) for p, m in PATTERNS]

# The publisher of each external report Epoch cites, as our organisation id, to tell a developer's own
# figure from a competitor's. HELM is Stanford CRFM's: independent of both the model and MMLU.
REPORT_PUBLISHERS = {
    "Stanford CRFM Leaderboard": ("stanford-crfm", "Stanford CRFM (HELM)"),
    "XGen-7B Technical Report": ("salesforce", "Salesforce"),
    "Yi: Open Foundation Models by 01.AI": ("01-ai", "01.AI"),
    "Baichuan 2: Open Large-scale Language Models": ("baichuan", "Baichuan"),
    "Qwen Technical Report": ("alibaba", "Alibaba"),
    "Qwen2.5-Coder Technical Report": ("alibaba", "Alibaba"),
    "Llama 2: Open Foundation and Fine-Tuned Chat Models": ("meta", "Meta"),
    "LLaMA: Open and Efficient Foundation Language Models": ("meta", "Meta"),
    "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone": ("microsoft", "Microsoft"),
    "Nemotron-4 15B Technical Report": ("nvidia", "NVIDIA"),
    "Phi-4 Technical Report": ("microsoft", "Microsoft"),
    "Textbooks Are All You Need II: phi-1.5 technical report": ("microsoft", "Microsoft"),
    "Mixtral of Experts": ("mistral-ai", "Mistral AI"),
    "Gemma: Open Models Based on Gemini Research and Technology": ("google-deepmind", "Google DeepMind"),
    "DeepSeek-V3 Technical Report": ("deepseek", "DeepSeek"),
    "Model Card and Evaluations for Claude Models": ("anthropic", "Anthropic"),
    "Releasing Claude Instant 1.2": ("anthropic", "Anthropic"),
    "Falcon2-11B Technical Report": ("tii", "Technology Innovation Institute"),
    "Falcon2-11B Technical ReportFalcon2-11B Technical Report": ("tii", "Technology Innovation Institute"),
    "The Falcon Series of Open Language Models": ("tii", "Technology Innovation Institute"),
    "Scaling Language Models: Methods, Analysis & Insights from Training Gopher": ("google-deepmind", "DeepMind"),
    "GPT-4 Technical Report": ("openai", "OpenAI"),
    "Inflection-1 ": ("inflection-ai", "Inflection AI"),
    "INTELLECT-1 Technical Report": ("prime-intellect", "Prime Intellect"),
    "InternLM: A Multilingual Language Model with Progressively Enhanced Capabilities": (
        "shanghai-ai-lab",
        "Shanghai AI Laboratory",
    ),
}
RELEASE_EVENTS = ("staged", "hosted", "api", "gated", "weights", "open", "leak", "announcement")
NEAR_DAYS = 60


def match(name: str) -> str | None:
    """Our model id for an Epoch model version or display name, or None."""
    name = name.strip()
    return next((m for rx, m in COMPILED if rx.fullmatch(name)), None)


def setting_of(version: str, benchmark: str, shots: str = "") -> str:
    """How the result was run, in words: Epoch's suffix is a reasoning effort or a thinking budget."""
    suffix = version.rsplit("_", 1)[1] if "_" in version and not version.startswith("openai/") else ""
    if version.startswith("openai/") and "_" in version:
        suffix = version.rsplit("_", 1)[1]
    if benchmark == "mmlu":
        return f"{shots}-shot" if shots else "shots not recorded"
    run = "Epoch AI's standard run"
    if re.fullmatch(r"\d+K", suffix):
        return f"{run}, extended thinking budget {suffix} tokens"
    if suffix in ("low", "medium", "high", "xhigh"):
        return f"{run}, reasoning effort {suffix}"
    return run


def nearest_release(releases: list[dict], model_id: str, day: str) -> str:
    """The release event that made the evaluated variant available.

    The model's event nearest the variant's release date (within 60 days; a tie goes to the more open one);
    else its latest event before that date (a later version of the same product); else its first event.
    """
    own = sorted(
        (r for r in releases if r["model_id"] == model_id and r["event_type"] in RELEASE_EVENTS),
        key=lambda r: (r["date"], -int(r["openness_level"])),
    )
    if not own:  # never released (Gopher, Chinchilla): the paper that announced it, at level 0
        own = sorted(
            (r for r in releases if r["model_id"] == model_id and r["event_type"] == "paper"), key=lambda r: r["date"]
        )
    if not own:
        return ""
    if not day:
        return own[0]["release_id"]
    target = dt.date.fromisoformat(day)
    near = [(abs((dt.date.fromisoformat(r["date"]) - target).days), -int(r["openness_level"]), r) for r in own]
    close = [n for n in near if n[0] <= NEAR_DAYS]
    if close:
        return min(close, key=lambda n: n[:2])[2]["release_id"]
    before = [r for r in own if r["date"] <= day]
    return (before[-1] if before else own[0])["release_id"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-")


def rows(folder: Path, data: Path) -> tuple[list[dict], list[str]]:
    """Our evaluation rows from the export, and the model names that matched nothing."""
    models = {m["model_id"]: m for m in csv.DictReader((data / "models.csv").open(encoding="utf-8"))}
    releases = list(csv.DictReader((data / "releases.csv").open(encoding="utf-8")))
    out, unmatched, seen = [], [], set()
    for file, column, benchmark, kind in FILES:
        for rec in csv.DictReader((folder / file).open(encoding="utf-8")):
            version = rec["Model version"].strip()
            name = (rec.get("Name") or version).strip() if kind == "external" else version
            model_id = match(name) or match(version)
            if model_id is None or model_id not in models or not rec[column].strip():
                unmatched.append(f"{file}: {name}")
                continue
            score = round(float(rec[column]) * 100, 2)
            base = f"epoch-{benchmark}-{slug(version or name)}"
            evaluation_id, n = base, 2
            while evaluation_id in seen:
                evaluation_id, n = f"{base}-{n}", n + 1
            seen.add(evaluation_id)
            if kind == "epoch":
                when = rec["Started at"][:10]
                role, by, title, url = "independent", "Epoch AI", "Epoch AI benchmarking hub", ""
                caveat = f"standard error {float(rec['stderr']) * 100:.1f} points" if rec.get("stderr") else ""
            else:
                org, by = REPORT_PUBLISHERS.get(rec["Source"], ("", rec["Source"].strip() or "unknown"))
                role = "independent" if org == "stanford-crfm" else "developer"
                if org != "stanford-crfm" and org not in models[model_id]["organization_ids"].split(";"):
                    role = "other-developer"
                when, title, url = "", rec["Source"].strip(), rec["Source link"].strip()
                caveat = rec.get("Notes", "").strip()
            out.append(
                {
                    "evaluation_id": evaluation_id,
                    "model_id": model_id,
                    "release_id": nearest_release(releases, model_id, rec["Release date"].strip()),
                    "model_as_evaluated": name if kind == "external" else version,
                    "variant_date": rec["Release date"].strip(),
                    "benchmark_id": benchmark,
                    "score": f"{score:g}",
                    "setting": setting_of(version, benchmark, rec.get("Shots", "").strip()),
                    "shots": rec.get("Shots", "").strip() if kind == "external" else "",
                    "reported_date": when,
                    "reported_date_precision": "day" if when else "",
                    "reporter_role": role,
                    "reported_by": by,
                    "reported_in": title,
                    "reported_in_url": url if url.startswith("http") else "",
                    "caveats": caveat,
                    "source_ids": SOURCE_IDS[benchmark],
                }
            )
    return out, unmatched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder with the export's CSV files")
    parser.add_argument("--data", type=Path, default=Path("data"), help="our data folder (models, releases)")
    args = parser.parse_args(argv)
    found, unmatched = rows(args.folder, args.data)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(found[0]) if found else ["evaluation_id"])
    writer.writeheader()
    writer.writerows(found)
    print(f"{len(found)} results matched; {len(unmatched)} left out (no census model):", file=sys.stderr)
    for name in sorted(set(unmatched)):
        print(f"  {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
