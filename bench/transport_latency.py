#!/usr/bin/env python3
"""The two candidate transports for live positions between instances, measured alone on
this machine: PostgreSQL NOTIFY (what Tidewatch uses) and NATS (core publish, and JetStream
publish with its ack). One process, two connections each: a listener and a sender. Sends
--messages payloads of --size bytes one at a time and notes the time from send to receipt.
Prints one JSON line per transport with p50/p99/max in milliseconds.

    pip install psycopg[binary] nats-py
    python3 bench/transport_latency.py --pg postgres://… --nats nats://127.0.0.1:4222"""
import argparse, asyncio, json, time

ap = argparse.ArgumentParser()
ap.add_argument("--pg", required=True)
ap.add_argument("--nats", default="nats://127.0.0.1:4222")
ap.add_argument("--messages", type=int, default=2000)
ap.add_argument("--size", type=int, default=1000)
a = ap.parse_args()
PAYLOAD = "x" * a.size

def report(name, ms):
    ms.sort()
    q = lambda p: round(ms[min(len(ms) - 1, int(p * len(ms)))], 3)
    print(json.dumps({"transport": name, "messages": len(ms), "p50_ms": q(0.5), "p99_ms": q(0.99), "max_ms": round(ms[-1], 3)}))

async def pg():
    import psycopg
    listen = await psycopg.AsyncConnection.connect(a.pg, autocommit=True)
    send = await psycopg.AsyncConnection.connect(a.pg, autocommit=True)
    await listen.execute("LISTEN bench_transport")
    gen = listen.notifies()
    ms = []
    for _ in range(a.messages):
        t0 = time.perf_counter()
        # One transaction per message, as the position writer commits a batch.
        await send.execute("SELECT pg_notify('bench_transport', %s)", (PAYLOAD,))
        await gen.__anext__()
        ms.append((time.perf_counter() - t0) * 1000)
    report("postgresql NOTIFY (autocommit)", ms)

async def nats_core(js):
    import nats
    nc = await nats.connect(a.nats)
    got = asyncio.Queue()
    if js:
        jsc = nc.jetstream()
        try:
            await jsc.delete_stream("BENCH_TRANSPORT")
        except Exception:
            pass
        await jsc.add_stream(name="BENCH_TRANSPORT", subjects=["bench.transport"])
    sub_nc = await nats.connect(a.nats)
    async def on(msg):
        await got.put(time.perf_counter())
    await sub_nc.subscribe("bench.transport", cb=on)
    await sub_nc.flush()
    ms = []
    for _ in range(a.messages):
        t0 = time.perf_counter()
        if js:
            await jsc.publish("bench.transport", PAYLOAD.encode())
        else:
            await nc.publish("bench.transport", PAYLOAD.encode())
            await nc.flush()
        t1 = await got.get()
        ms.append((t1 - t0) * 1000)
    report("NATS JetStream publish+ack" if js else "NATS core publish", ms)
    if js:
        await jsc.delete_stream("BENCH_TRANSPORT")
    await nc.close()
    await sub_nc.close()

async def main():
    await pg()
    await nats_core(False)
    await nats_core(True)

asyncio.run(main())
