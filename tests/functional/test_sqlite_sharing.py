"""One SQLite file, several engines in one process and other processes reading it: opening a second
engine (as a job, a backup or a second Paperboard in a process does) must leave the first one's locks
alone. It once opened and closed the file to set its permissions, which dropped every lock the process
held on it; a process that opened the database next took it for unused and reset its log, and the first
engine's later writes went to a deleted log, lost to every other process."""

import subprocess
import sys

from sqlalchemy import text

from paperboard.storage.engine import make_engine

READER = """
import sys
from sqlalchemy import text
from paperboard.storage.engine import make_engine
engine = make_engine(sys.argv[1])
for line in sys.stdin:
    with engine.connect() as conn:
        print(conn.execute(text("SELECT count(*) FROM t")).scalar(), flush=True)
"""


def test_a_second_engine_leaves_the_first_ones_writes_visible_to_other_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    first = make_engine(url)
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    held = first.connect()  # a connection of the first engine stays open, as a server's pool keeps one
    held.execute(text("SELECT count(*) FROM t")).scalar()
    second = make_engine(url)  # e.g. a job's own engine in the same process
    with second.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    # a short-lived process (a CLI command) opens the database and closes it: believing itself the last
    # user, SQLite would checkpoint and delete the log the first engine is still writing to
    once = READER.replace("for line in sys.stdin:", "for line in ['once']:")
    assert subprocess.run([sys.executable, "-c", once, url], capture_output=True, text=True,
                          check=True).stdout.strip() == "1"
    reader = subprocess.Popen([sys.executable, "-c", READER, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        def count() -> int:
            assert reader.stdin is not None and reader.stdout is not None
            reader.stdin.write("count\n")
            reader.stdin.flush()
            return int(reader.stdout.readline())

        assert count() == 1
        for value in (2, 3):
            held.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})
            held.commit()
            assert count() == value  # every write the first engine committed is seen by the other process
        with second.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 3
    finally:
        reader.kill()
        reader.wait()
        held.close()
        first.dispose()
        second.dispose()
