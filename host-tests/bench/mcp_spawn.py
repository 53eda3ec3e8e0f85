"""`make bench`: how long an MCP client waits for `harvest-host mcp`, and its memory.

    mcp_spawn.py CALLS_JSON -- COMMAND [ARG...]

Through the official Python SDK (`mcp` on PyPI, as `make mcp-client` installs it): spawns
COMMAND as an MCP server over stdio (passing this process's HARVEST_* variables), initializes,
lists the tools, then makes each call of CALLS_JSON (a list of {"name", "arguments"}). Prints
one JSON object: `spawn_to_tools_ms` (from just before the spawn to the tool list received,
the SDK already imported), `tools` (how many), `calls_ok`, and `peak_rss_kb`, the server's
VmHWM from /proc after the calls.
"""

import asyncio
import json
import os
import sys
import time

from mcp import ClientSession, StdioServerParameters, stdio_client

TIMEOUT_SECONDS = 300


def children():
    """Our child processes' ids, from /proc (every thread's list)."""
    pids = set()
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as f:
                pids.update(int(p) for p in f.read().split())
        except OSError:
            pass
    return pids


def peak_rss_kb(pids):
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
    return None


async def session(calls, command, args):
    env = {key: value for key, value in os.environ.items() if key.startswith("HARVEST_")}
    server = StdioServerParameters(command=command, args=args, env=env)
    before = children()
    started = time.perf_counter()
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            listed = await client.list_tools()
            listed_at = time.perf_counter()
            ok = 0
            for call in calls:
                result = await client.call_tool(call["name"], call.get("arguments", {}))
                ok += 0 if result.is_error else 1
            peak = peak_rss_kb(children() - before)
            return {
                "spawn_to_tools_ms": (listed_at - started) * 1000.0,
                "tools": len(listed.tools),
                "calls_ok": ok,
                "peak_rss_kb": peak,
            }


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    calls = json.loads(sys.argv[1])
    report = asyncio.run(asyncio.wait_for(session(calls, sys.argv[3], sys.argv[4:]), TIMEOUT_SECONDS))
    json.dump(report, sys.stdout)
    print()


if __name__ == "__main__":
    main()
