"""A Milvus server for the tests: Milvus Lite's gRPC server in a process of its own, on a port, as a
real Milvus runs beside the app (``python -m tests.milvus_server FOLDER PORT``; killed to play an outage)."""

import sys
import threading

from milvus_lite.adapter.grpc.server import start_server_in_thread

if __name__ == "__main__":
    folder, port = sys.argv[1], int(sys.argv[2])
    server, db, bound = start_server_in_thread(folder, port=port)
    print(f"listening {bound}", flush=True)
    threading.Event().wait()
