"""gunicorn's configuration for motcua: `gunicorn -c python:motcua.ops.gunicorn_conf motcua.wsgi`.

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metrics to that folder and a scrape
sums them; a worker that exits must be marked dead, or its gauges linger.
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def worker_exit(server, worker):
    # The lookup counts this worker holds (motcua.notify.tally) are written before it goes;
    # atexit would too, unless the worker leaves through os._exit.
    try:
        from motcua.notify import tally

        tally.flush()
    except Exception:  # a worker on its way out must not fail for statistics
        server.log.warning("lookup counts of worker %s not written", worker.pid, exc_info=True)
