"""An MCP client session through the official Python SDK (`mcp` on PyPI), for the host tests.

    mcp_client.py CALLS_JSON -- COMMAND [ARG...]

Starts COMMAND as an MCP server over stdio, passing it this process's HARVEST_* variables and
nothing else of them, then initializes, lists the tools and makes each call of CALLS_JSON (a
list of {"name", "arguments"}). Prints one JSON document on stdout: what the server answered,
as the SDK parsed it. The server's stderr passes through to this process's stderr.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client

# The whole session; a server that stops answering fails the test rather than hanging it.
TIMEOUT_SECONDS = 120


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def session(calls, command, args):
    env = {key: value for key, value in os.environ.items() if key.startswith("HARVEST_")}
    server = StdioServerParameters(command=command, args=args, env=env)
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as client:
            initialized = await client.initialize()
            listed = await client.list_tools()
            results = []
            for call in calls:
                result = await client.call_tool(call["name"], call.get("arguments", {}))
                results.append({"name": call["name"], "result": dump(result)})
            return {
                "initialize": dump(initialized),
                "tools": [dump(tool) for tool in listed.tools],
                "calls": results,
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
