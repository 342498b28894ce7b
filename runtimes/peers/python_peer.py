"""The contract's puppet (contract/puppet.ts) on Python's `websockets`: an independent peer.

    python_peer.py server          puppet server on 127.0.0.1, port 0; `/refuse` is refused with 403
    python_peer.py client PLAN     the puppet of each server scenario in PLAN (runner.ts ClientPlan, JSON)

It echoes every message as it came and obeys {"puppet": [step, ...]} commands. Lines for the driver
go to stdout as `CONTRACT <json>`.
"""
import asyncio
import http
import json
import sys
import time
from urllib.parse import quote, urlsplit

import websockets

DEADLINE = 20  # seconds, as SCENARIO_DEADLINE in contract/settings.ts


def tell_driver(message):
    print("CONTRACT " + json.dumps(message), flush=True)


def flood_frame(index, size):
    head = f"{index}:"
    return head + "." * max(0, size - len(head))


async def obey(ws, scenario, handshake=None):
    """Echoes and obeys until the connection closes; reports a command it cannot obey."""
    started = time.monotonic()
    while True:
        try:
            message = await ws.recv()
        except websockets.ConnectionClosed:  # with any code: how a puppet's life ends
            return
        try:
            steps = parse_command(message)
            if steps is None:
                await ws.send(message)
                continue
            for step in steps:
                await perform(ws, step, handshake)
        except websockets.ConnectionClosed:
            return
        except Exception as err:  # a malformed command: the scenario's failure, not the peer's crash
            tell_driver({"scenario": scenario, "role": "puppet", "ok": False,
                         "error": f"the Python puppet failed: {err!r}", "ms": int((time.monotonic() - started) * 1000)})


def parse_command(message):
    if not isinstance(message, str) or not message.startswith('{"puppet"'):
        return None
    steps = json.loads(message)["puppet"]
    if not isinstance(steps, list):
        raise ValueError(f"a command needs a list of steps: {message[:100]}")
    return steps


async def perform(ws, step, handshake):
    if "send" in step:
        await ws.send(step["send"])
    elif "sendBinary" in step:
        await ws.send(bytes(step["sendBinary"]))
    elif "sendRepeated" in step:
        text, times = step["sendRepeated"]
        await ws.send(text * times)
    elif "close" in step:
        code, reason = step["close"]
        await ws.close(code, reason)
    elif "report" in step:
        if handshake is None:
            raise ValueError("only a server puppet can report its handshake")
        await ws.send(json.dumps(handshake))
    elif "flood" in step:
        count, size = step["flood"]
        asyncio.get_running_loop().create_task(flood(ws, count, size))
    else:
        raise ValueError(f"unknown step {step!r}")


async def flood(ws, count, size):
    try:
        for index in range(count):
            await ws.send(flood_frame(index, size))
    except websockets.ConnectionClosed:
        pass


async def serve():
    def refuse(path, _headers):
        if urlsplit(path).path == "/refuse":
            return http.HTTPStatus.FORBIDDEN, [], b"refused by the contract server\n"
        return None

    async def handler(ws, path=None):
        path = path or ws.path
        query = dict(part.split("=", 1) for part in urlsplit(path).query.split("&") if "=" in part)
        handshake = {"path": path, "headers": [[name, value] for name, value in ws.request_headers.raw_items()]}
        await obey(ws, query.get("scenario", "?"), handshake)

    async with websockets.serve(handler, "127.0.0.1", 0, process_request=refuse, max_size=2**20) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        tell_driver({"listening": f"ws://127.0.0.1:{port}"})
        await asyncio.Future()


async def puppet_client(plan, scenario):
    base = plan["heartbeatBase"] if scenario in plan.get("heartbeat", []) else plan["base"]
    started = time.monotonic()
    try:
        async with websockets.connect(f"{base}/subject/{quote(scenario)}?from=puppet", max_size=2**20) as ws:
            await asyncio.wait_for(obey(ws, scenario), DEADLINE)
    except Exception as err:
        tell_driver({"scenario": scenario, "role": "puppet", "ok": False,
                     "error": f"the Python puppet failed: {err!r}", "ms": int((time.monotonic() - started) * 1000)})


async def run_client(plan):
    concurrent = set(plan.get("concurrent", []))
    alongside = [asyncio.create_task(puppet_client(plan, s)) for s in plan["puppets"] if s in concurrent]
    for scenario in plan["puppets"]:
        if scenario not in concurrent:
            await puppet_client(plan, scenario)
    await asyncio.gather(*alongside)
    tell_driver({"done": True})


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve())
    else:
        asyncio.run(run_client(json.loads(sys.argv[2])))
