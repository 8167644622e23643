"""A paper at a glance, written offline (pure): one sentence of its abstract that says what the paper
does, and the 3-8 phrases it is about.

The sentence is chosen, not generated: every sentence of the abstract is scored by how much of the
title it repeats, how central its words are to the abstract, whether it states the contribution ("we
propose", "this paper introduces") and whether it is background, results or a pointer to code. The
keywords are the runs of content words between function words and verbs, ranked by how often the
paper uses them, more when the title does, less for words every abstract uses ("method", "results").

``bench/RESULTS.md`` ("Summaries and keywords") measures both against the first sentence and the
most frequent phrases (``paperboard bench gists``).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from .text import sentences

VERSION = 1  # stored beside each gist: a paper with an older one is written again
MAX_SUMMARY = 300
MIN_KEYWORDS, MAX_KEYWORDS = 3, 8


@dataclass(frozen=True, slots=True)
class Gist:
    summary: str | None
    keywords: tuple[str, ...]


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|\d+(?:\.\d+)?[A-Za-z]*")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")

# words that end a keyword phrase: function words, pronouns, and the verbs and adverbs of abstracts
_BREAKS = frozenset("""
a an the of in on at to for from by with and or not no nor is are was were be been being this that these
those it its as can cannot could do does did has have had will would should may might must shall than
then there their them they which who whom whose what when where why how into over under about between we
our us you your i he she his her one ones also such both each every either neither more most less least
other others some any all only very much many few several via using use used uses based while whereas
however thus hence therefore moreover furthermore additionally although though yet so but if because
since upon within without across along among around through throughout toward towards onto out up down
off again further here existing new novel first second third well often usually typically propose
proposes proposed present presents presented introduce introduces introduced show shows shown showed
demonstrate demonstrates demonstrated achieve achieves achieved achieving enable enables enabled improve
improves improved improving outperform outperforms outperformed outperforming provide provides provided
develop develops developed design designed study studies studied investigate investigates investigated
explore explores explored evaluate evaluates evaluated leverage leverages leveraging require requires
required remain remains make makes made leads lead allow allows allowing including include includes
called named termed known given take takes taken find finds found obtain obtained yield yields reveal
reveals suggest suggests consider considers considered focus focuses aim aims address addresses
addressed tackle tackles apply applied applies perform performs performed offer offers exhibit exhibits
significantly substantially consistently respectively effectively efficiently particularly especially
extensive comprehensive recent recently widely largely key main crucial important various different
diverse specific similar same overall simple strong robust better best high higher low lower large
larger small smaller long short limited remarkable promising superior competitive notable significant
addressing posit posits argue argues claim claims hypothesize state-of-the-art sota et al e g i e vs two
three four five six seven eight nine ten dozens hundreds thousands millions even still almost nearly
just up
""".split())  # noqa: SIM905 - a word list reads better as text

# nouns every abstract uses: kept inside a phrase, never a keyword alone, and worth little
_GENERIC = frozenset("""
method methods approach approaches model models framework frameworks paper work works result results
performance task tasks problem problems technique techniques system systems data dataset datasets
experiment experiments analysis study studies algorithm algorithms solution solutions setting settings
way ways number numbers set sets art baseline baselines benchmark benchmarks application applications
issue issues challenge challenges need needs process processes field fields domain domains research
researchers paradigm strategy strategies mechanism mechanisms module modules component components
architecture architectures network networks accuracy efficiency effectiveness quality cost costs level
levels type types form forms part parts case cases time times scale context contexts information ability
abilities capability capabilities evaluation evaluations improvement improvements code implementation
range variety amount terms term aspect aspects property properties value values scenario scenarios users
user world practice practices impact role use learning training factor factors
""".split())  # noqa: SIM905 - a word list reads better as text

_CONTRIBUTION = re.compile(
    r"\b(?:we|this (?:paper|work|study|article|letter|thesis)|our (?:work|paper|method|approach)|here)\b"
    r"[^.;]{0,60}?\b(?:propose|present|introduce|develop|design|describe|build|construct|formulate|"
    r"establish|derive|provide|devise|put forward|release|curate|study|investigate|explore|examine|"
    r"analy[sz]e|address|tackle|show|demonstrate|prove|report|revisit|extend|unify|offer|contribute)",
    re.IGNORECASE)
_BACKGROUND = re.compile(
    r"^(?:recent(?:ly)?|in recent years|over the past|despite|however|while|although|traditional(?:ly)?|"
    r"existing|current|conventional|prior|previous|many|most|with the (?:rapid|growing|increasing)|"
    r"as [a-z]+ (?:become|grow)|[a-z -]{0,40}\bha(?:ve|s) (?:recently |rapidly )?(?:emerged|become|shown|"
    r"achieved|gained|attracted|demonstrated|made))",
    re.IGNORECASE)
_RESULTS = re.compile(
    r"^(?:(?:extensive |comprehensive |our )?(?:experiments|experimental results|results|evaluations?|"
    r"empirical(?:ly)?|ablations?)|finally|moreover|furthermore|additionally|in addition|overall|"
    r"we (?:also |further )?(?:evaluate|conduct|perform|test|validate|benchmark|release|open-source|"
    r"make)|(?:the |our )?(?:code|data|models?|dataset|project page|implementation)s? (?:is|are|and|will))",
    re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:to (?:address|tackle|overcome|solve|bridge|fill|mitigate|alleviate|this end|that end)[^,]{0,80}"
    r"|in this (?:paper|work|study|article|letter)|here|in response|motivated by [^,]{1,80}|"
    r"to(?:wards?)? (?:this|that) end|as a (?:result|remedy|solution)|specifically|concretely|"
    r"in particular),\s+)",
    re.IGNORECASE)
_ANAPHORA = re.compile(r"^(?:\w+\W+){0,6}?(?:th(?:is|ese|ose) (?:question|problem|gap|issue|challenge|"
                       r"limitation|observation|finding)s?|such (?:a|an)?\s?\w+s?)\b", re.IGNORECASE)
_SECONDARY = re.compile(r"^(?:\w+\W+){0,4}?(?:further|also|then|additionally|next)\b", re.IGNORECASE)
_URL = re.compile(r"https?://|www\.|github\.com", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    """A word for comparing: lower case, a plural's s dropped."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


_GENERIC_KEYS = frozenset(_key(w) for w in _GENERIC)


def _content_keys(text: str) -> list[str]:
    return [_key(w) for w in _WORD.findall(text) if w.lower() not in _BREAKS and len(w) > 2]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _shorten(sentence: str, limit: int = MAX_SUMMARY) -> str:
    """``sentence`` within ``limit`` characters: cut at the last clause boundary that keeps at least
    half of it, else at a word, with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[: limit - 1]
    cut = max(head.rfind(mark) for mark in (", which", ", where", "; ", " — ", ", and ", ", while", ": "))
    if cut < limit // 2:
        cut = head.rfind(" ")
    return head[:cut].rstrip(" ,;:—") + "…"


def _tidy(sentence: str) -> str:
    """The sentence without a lead-in ("To address this, we ..." is "We ..."), capitalised."""
    stripped = _LEAD.sub("", sentence, count=1)
    if stripped and stripped != sentence:
        sentence = stripped[0].upper() + stripped[1:]
    return sentence


def _sentence_scores(title: str, parts: list[str]) -> list[float]:
    title_keys = set(_content_keys(title)) - _GENERIC_KEYS
    per_sentence = [_content_keys(s) for s in parts]
    counts = Counter(k for keys in per_sentence for k in set(keys))
    scores = []
    for position, (sentence, keys) in enumerate(zip(parts, per_sentence, strict=True)):
        distinct = set(keys)
        if not distinct:
            scores.append(-9.0)
            continue
        covers = len(distinct & title_keys) / len(title_keys) if title_keys else 0.0
        # words the other sentences repeat: the abstract's subject, not an aside
        central = sum(math.log1p(counts[k] - 1) for k in distinct) / (len(distinct) + 4)
        score = 1.2 * covers + 0.8 * central
        if _CONTRIBUTION.search(sentence):
            score += 0.9
        if _BACKGROUND.match(sentence):
            score -= 0.6
        if _RESULTS.match(sentence) or _URL.search(sentence):
            score -= 0.8
        if _SECONDARY.match(sentence):
            score -= 0.3  # "we further show", "we then construct": not the main point
        if _ANAPHORA.match(sentence):
            score -= 0.5  # "we study these questions": says little read alone
        if len(sentence) < 50:
            score -= 0.5
        elif len(sentence) > 2 * MAX_SUMMARY:
            score -= 0.3
        score -= 0.03 * position  # between equals, the earlier
        scores.append(score)
    return scores


def summarize(title: str, abstract: str) -> str | None:
    """One sentence of ``abstract`` (at most ``MAX_SUMMARY`` characters) that says what the paper does;
    None for an empty abstract."""
    parts = [_flat(s) for s in sentences(_flat(abstract or ""))]
    parts = [s for s in parts if any(c.isalpha() for c in s)]
    if not parts:
        return None
    scores = _sentence_scores(title or "", parts)
    best = max(range(len(parts)), key=lambda i: scores[i])
    return _shorten(_tidy(parts[best]))


def first_sentence(abstract: str) -> str | None:
    """The baseline summary: the abstract's first sentence, shortened the same way."""
    parts = sentences(_flat(abstract or ""))
    return _shorten(_flat(parts[0])) if parts else None


_ADJECTIVE = re.compile(r"(?:ive|al|ic|ous|ful|able|ible|ant|ent|ary)$")
_MATH = re.compile(r"\$[^$]*\$|\\\(.*?\\\)|\\[A-Za-z]+\*?|[{}]")


def _without_tex(text: str) -> str:
    """Text without inline math and TeX commands (``{\\em ...}`` keeps its words)."""
    return _flat(_MATH.sub(" , ", text)) if ("$" in text or "\\" in text) else _flat(text)


_NUMBER = re.compile(r"[\d.]+[a-z]?")


def _runs(text: str) -> list[list[str]]:
    """Runs of content words between breaks (function words, verbs, punctuation, numbers), as written."""
    runs: list[list[str]] = []
    current: list[str] = []
    for token in _TOKEN.findall(text):
        low = token.lower()
        if token[0].isalnum() and len(token) > 1 and low not in _BREAKS and not _NUMBER.fullmatch(low):
            current.append(token)
        elif token == "-" and current:  # a hyphen between words is part of the phrase
            continue
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _candidates(title: str, abstract: str) -> tuple[Counter[tuple[str, ...]], dict[tuple[str, ...], str],
                                                      set[tuple[str, ...]]]:
    """Phrases (each window of 1-4 words of a run) counted by their keys, how each was first written,
    and the keys the title has."""
    counts: Counter[tuple[str, ...]] = Counter()
    written: dict[tuple[str, ...], str] = {}
    in_title: set[tuple[str, ...]] = set()
    for source, text in (("title", title), ("abstract", abstract)):
        for run in _runs(_without_tex(text or "")):
            keys = [_key(w) for w in run]
            generic = [k in _GENERIC_KEYS for k in keys]
            for size in range(1, min(4, len(run)) + 1):
                for i in range(len(run) - size + 1):
                    if all(generic[i : i + size]):
                        continue
                    key = tuple(keys[i : i + size])
                    counts[key] += 1
                    if key not in written:
                        written[key] = " ".join(run[i : i + size])
                    if source == "title":
                        in_title.add(key)
    return counts, written, in_title


def _pick(ranked: list[tuple[str, ...]], written: dict[tuple[str, ...], str],
          score: dict[tuple[str, ...], float]) -> tuple[str, ...]:
    """The best phrases, without one that is part of (or contains) a phrase already taken, 3 to 8 of
    them: after the third, only those worth a fifth of the best."""
    chosen: list[tuple[str, ...]] = []
    top = score[ranked[0]] if ranked else 0.0
    for key in ranked:
        if len(chosen) >= MAX_KEYWORDS:
            break
        if len(chosen) >= MIN_KEYWORDS and score[key] < top / 5:
            break
        joined = " ".join(key)
        if any(joined in " ".join(c) or " ".join(c) in joined or 2 * len(set(key) & set(c)) > len(key)
               for c in chosen):  # part of one taken, or mostly its words
            continue
        chosen.append(key)
    return tuple(_display(written[k]) for k in chosen)


def _display(phrase: str) -> str:
    """A keyword as shown: lower case but for acronyms and names written with capitals inside ("LLM",
    "GPT-4", "BERTScore"), part by part of a hyphenated word."""
    def part(w: str) -> str:
        return w if sum(c.isupper() for c in w) > 1 or (w[:1].isupper() and any(c.isdigit() for c in w)) \
            else w.lower()
    return " ".join("-".join(part(p) for p in w.split("-")) for w in phrase.split())


def _scores(counts: Counter[tuple[str, ...]], in_title: set[tuple[str, ...]]
            ) -> tuple[dict[tuple[str, ...], float], dict[tuple[str, ...], float]]:
    """Each phrase's worth favouring the title, and from the abstract alone. A phrase is worth what its
    words are (how often the paper uses each, a quarter for generic ones; two more uses for each word
    of the title when favouring it), a little more for each word it has and when it recurs, and half
    again when it is in the title and that is favoured."""
    used: Counter[str] = Counter()
    titled_words: set[str] = set()
    for key, n in counts.items():
        if len(key) == 1:
            used[key[0]] += n
            if key in in_title:
                titled_words.add(key[0])
    titled: dict[tuple[str, ...], float] = {}
    plain: dict[tuple[str, ...], float] = {}
    for key, n in counts.items():
        with_title = without = 0.0
        for k in key:
            share = 0.25 if k in _GENERIC_KEYS else 1.0
            without += used[k] * share
            with_title += (used[k] + (2 if k in titled_words else 0)) * share
        size = len(key)
        shape = (1.0 + 0.3 * (size - 1)) * (1.0 + 0.3 * math.log(n)) / size
        if size == 1 and key not in in_title and _ADJECTIVE.search(key[0]):
            shape *= 0.5  # "synthetic", "neural": a phrase's modifier more than its subject
        plain[key] = without * shape
        titled[key] = with_title * shape * (1.5 if key in in_title else 1.0)
    return titled, plain


def keywords(title: str, abstract: str) -> tuple[str, ...]:
    """3-8 phrases the paper is about (fewer only when the text has fewer), most telling first. Two
    rankings take turns: one that favours the title's phrases (the authors' own words for the paper)
    and one of the abstract alone (what the paper spends its words on), so neither crowds out the other."""
    counts, written, in_title = _candidates(title, abstract)
    titled, plain = _scores(counts, in_title)
    by_title = sorted(titled, key=lambda k: (-titled[k], -len(k), written[k]))
    by_text = sorted(plain, key=lambda k: (-plain[k], -len(k), written[k]))
    turns = [k for pair in zip(by_title, by_text, strict=True) for k in pair]
    ranked = list(dict.fromkeys(turns))
    # the cut after the third keyword compares each with the best of its own ranking
    relative = {k: max(titled[k] / titled[by_title[0]], plain[k] / plain[by_text[0]]) for k in ranked}
    return _pick(ranked, written, relative)


def frequent_phrases(title: str, abstract: str) -> tuple[str, ...]:
    """The baseline keywords: the most frequent phrases, nothing else weighed."""
    counts, written, _ = _candidates(title, abstract)
    score = {k: float(n) for k, n in counts.items()}
    ranked = sorted(score, key=lambda k: (-score[k], -len(k), written[k]))
    return _pick(ranked, written, score)


def gist(title: str, abstract: str) -> Gist:
    return Gist(summarize(title, abstract), keywords(title, abstract))
