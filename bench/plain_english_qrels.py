"""The plain-English dev set (``bench/qrels/plain-english-dev.jsonl``): twelve questions in everyday
words over the 74,728-paper corpus, each judged by rules on titles that were refined by reading samples
of what they matched (the second and third patterns below are those corrections: "distillation" alone
matched persona and reasoning distillation, "action detection" matched "interaction detection").

A paper is relevant when its title names the question's topic in the field's words. The judgments are
therefore strict on precision and short on recall: a paper on the topic whose title says it otherwise
counts as a miss, for every system alike. Small and honest rather than large: the held-out set (12
questions, unpublished) stays the measure; this one is for development.

    .venv/bin/python bench/plain_english_qrels.py ../shared/corpus/arxiv-cs-2025-2026.jsonl.gz \
        > bench/qrels/plain-english-dev.jsonl
    .venv/bin/paperboard bench relevance --corpus ../shared/corpus/arxiv-cs-2025-2026.jsonl.gz \
        --qrels bench/qrels/plain-english-dev.jsonl
"""

from __future__ import annotations

import gzip
import re
import sys

import orjson

# (question, the title must match, and this too, but not this)
QUESTIONS: list[tuple[str, str, str | None, str | None]] = [
    ("stopping chatbots from making things up", r"hallucinat", None, None),
    ("how do I make big language models smaller without losing accuracy",
     r"quantiz|prun|low-bit|binariz|ternary|sparsif|compress", r"\bLLMs?\b|language model",
     r"color|metric|decompression|hacking|token|\bkv\b|cache|prompt|context|reasoning|unlearn|chain|\bcot\b"
     r"|anonymi|image|vision|visual|audio|speech|video|multimodal|retriev|agent"),
    ("teaching robots by showing them what to do",
     r"imitation learning|from (?:human |expert )?demonstrations?|behaviou?r cloning|teleoperat"
     r"|visuomotor polic|diffusion polic",
     r"robot|manipulat|dexter|humanoid|visuomotor|embodied|grasp|\barms?\b|teleoperat|parkour|locomot|polic",
     r"driving|autonomous vehicle|language model|vision-language|reasoning|satisfiab"),
    ("spotting fake pictures made by AI",
     r"deepfake|ai-generated image|generated image detection|synthetic image detection|fake image"
     r"|image forgery detection|ai-generated content detection", None, r"speech|audio|voice|text|video"),
    ("building a 3D scene from only a few photos",
     r"sparse[- ]view|few[- ]shot|few views|single[- ]image|from a single|unposed sparse",
     r"gaussian splatting|nerf|radiance field|3d reconstruction|novel view", None),
    ("training models on people's phones without collecting their data", r"federated", None, None),
    ("getting AI to show its reasoning step by step", r"chain[- ]of[- ]thought|\bCoT\b", None, None),
    ("recognizing what people are doing in videos",
     r"\baction recognition|\bactivity recognition|\baction detection|\btemporal action", None, None),
    ("turning spoken words into text", r"speech recognition|\bASR\b|speech-to-text", None, None),
    ("guessing where pedestrians will walk next", r"trajectory prediction|trajectory forecasting",
     r"pedestrian|human|crowd|social", None),
    ("tricking AI models into misbehaving with crafted inputs",
     r"adversarial attack|adversarial example|jailbreak|prompt injection|adversarial perturbation",
     None, None),
    ("AI that writes computer code",
     r"code generation|program synthesis|code llm|coding agent|code completion|generating code", None, None),
]


def judgments(titles: list[tuple[str, str]]) -> list[dict[str, object]]:
    """One qrels row per question: the ids of the papers whose titles the rules call relevant."""
    rows = []
    for question, must, also, never in QUESTIONS:
        rules = ((must, True), (also, True), (never, False))
        tests = [(re.compile(p, re.IGNORECASE), want) for p, want in rules if p]
        relevant = {pid: 1 for pid, title in titles
                    if all(bool(rx.search(title)) == want for rx, want in tests)}
        rows.append({"query": question, "relevant": relevant})
    return rows


def main() -> None:
    with gzip.open(sys.argv[1], "rb") as fh:
        titles = [(r["id"], r["title"]) for r in map(orjson.loads, fh)]
    for row in judgments(titles):
        sys.stdout.buffer.write(orjson.dumps(row) + b"\n")


if __name__ == "__main__":
    main()
