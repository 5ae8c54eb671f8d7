"""pyHanko works with asyncio inside; its callers here are synchronous (views, tasks)."""

import asyncio
import concurrent.futures


def run(coroutine):
    """Run `coroutine` to its end, in another thread when this one already runs an event loop
    (Playwright's tests, an ASGI server's thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
