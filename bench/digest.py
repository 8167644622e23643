"""Compose and send 10,000 personalised digests to a local SMTP sink, over the 74,728-paper corpus.

    .venv/bin/python bench/digest.py                 # uses the store that bench/web.py builds
    .venv/bin/python bench/digest.py --subscribers 2000

The store is a copy of .cache/bench-web (the corpus, a daily feed, the search index; built by
bench/web.py when missing). Subscribers get 1-3 topics from a fixed list, some follow an author of the
edition, some exclude a word, a tenth are site users with three upvoted papers. The sink is aiosmtpd
(discarding) in its own process. Timed: `paperboard digest send` for the newest listing day, end to
end (planning the outbox, picks, composing, SMTP, recording).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    "reinforcement learning", "diffusion models", "large language models", "retrieval augmented generation",
    "graph neural networks", "federated learning", "knowledge distillation", "mixture of experts",
    "vision transformers", "speech recognition", "machine translation", "code generation", "robot arms",
    "autonomous driving", "medical imaging", "point clouds", "gaussian splatting", "neural radiance fields",
    "contrastive learning", "self-supervised learning", "in-context learning", "chain of thought",
    "hallucination", "alignment", "reward models", "preference optimization", "quantization", "pruning",
    "efficient inference", "long context", "state space models", "time series forecasting",
    "anomaly detection", "recommender systems", "question answering", "summarization", "text to image",
    "video generation", "3d reconstruction", "object detection", "semantic segmentation", "pose estimation",
    "multimodal models", "agents", "tool use", "benchmarks", "privacy", "adversarial attacks", "fairness",
    "interpretability", "sparse autoencoders", "scaling laws", "optimization", "continual learning",
    "few-shot learning", "domain adaptation", "causal inference", "uncertainty estimation", "theorem proving",
    "mathematical reasoning", "program synthesis", "compilers", "databases", "networking", "cryptography",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(db_url: str, n: int, day) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from paperboard.community.accounts import ensure_user
    from paperboard.community.votes import upvote
    from paperboard.digest import subscribers as store
    from paperboard.digest.preferences import Preferences
    from paperboard.storage.engine import open_database
    from paperboard.storage.schema import paper_authors, papers

    engine = open_database(db_url)
    rnd = random.Random(7)
    with engine.begin() as conn:
        today = list(conn.execute(select(papers.c.id).where(papers.c.listed == day)).scalars())
        names = list(conn.execute(select(paper_authors.c.name)
                                  .where(paper_authors.c.paper_id.in_(today[:300]))).scalars())
        every = list(conn.execute(select(papers.c.id).limit(20000)).scalars())
        users = []
        for i in range(n // 10):
            users.append(ensure_user(conn, f"bench-reader{i}"))  # no password: hashing is not measured
            for pid in rnd.sample(every, 3):
                upvote(conn, pid, users[-1].id)
        for i in range(n):
            prefs = Preferences(keywords=tuple(rnd.sample(TOPICS, rnd.randint(1, 3))),
                                authors=(rnd.choice(names),) if names and rnd.random() < 0.2 else (),
                                exclude=("survey",) if rnd.random() < 0.1 else (), max_count=10)
            store.add(conn, f"reader{i}@example.org", prefs, confirmed=True,
                      user_id=users[i // 10].id if i % 10 == 0 and i // 10 < len(users) else None)
    engine.dispose()
    print(f"{n} subscribers, {len(today)} papers in the edition", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / ".cache" / "bench-web")
    args = parser.parse_args()
    if not (args.store / "paperboard.sqlite3").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "web.py"), "--seconds", "1",
                        "--connections", "1"], check=True)
    work = ROOT / ".cache" / "bench-digest"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.store, work)
    db_url = f"sqlite:///{work / 'paperboard.sqlite3'}"

    from sqlalchemy import func, select

    from paperboard.storage.engine import open_database
    from paperboard.storage.schema import papers

    engine = open_database(db_url)
    with engine.connect() as conn:
        day = conn.execute(select(func.max(papers.c.listed))).scalar()
    engine.dispose()
    populate(db_url, args.subscribers, day)
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    time.sleep(1.0)
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(work), "PAPERBOARD_DATABASE_URL": db_url,
           "PAPERBOARD_SMTP_URL": f"smtp://127.0.0.1:{port}", "PAPERBOARD_SECRET_KEY": "bench"}
    try:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "paperboard", "digest", "send", "--no-progress",
                               "--format", "json"], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait()
    if done.returncode not in (0, 1):
        sys.exit(done.stderr)
    summary = json.loads(done.stdout)
    summary.pop("problems")
    rate = round((summary["sent"] + summary["skipped"]) / seconds, 1)
    print(json.dumps({**summary, "seconds": round(seconds, 1), "digests_per_second": rate}, indent=2))


if __name__ == "__main__":
    main()
