"""Requests per second through a minimal ASGI app behind fastjwt's middleware vs a hand-written PyJWT middleware.

A script, not a pytest benchmark (it starts servers)::

    python benchmarks/bench_middleware.py [--requests 20000] [--connections 8] [--loader wrk|python]

Each variant runs in its own uvicorn process (one worker, h11, asyncio loop) on 127.0.0.1; the same RS256 (2048-bit)
token is sent on every request over keep-alive connections. The load generator is bounded: ``wrk`` (when installed)
for a fixed duration derived from ``--requests``, otherwise a fixed number of requests spread over ``--connections``
``http.client`` connections in threads. The Verifier's token cache is off in the main comparison (every request pays
for a signature check, as PyJWT does); ``fastjwt+cache`` shows what the cache adds for a client that reuses its token.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

VARIANTS = ("pyjwt", "fastjwt", "fastjwt+cache")


# -- the server side (runs in the child process) --------------------------------------------------------------------


def build_app(variant: str, public_pem: bytes) -> Any:
    """The minimal app, protected by the variant's middleware."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b"hello " + str(scope["state"]["jwt"]["sub"]).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

    if variant == "pyjwt":
        import jwt  # PyJWT, the reference

        key = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).prepare_key(public_pem)

        async def pyjwt_middleware(scope: dict[str, Any], receive: Any, send: Any) -> None:
            """What a team writes by hand today: find the header, decode with PyJWT, 401 on failure."""
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            auth = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode("latin-1")
            scheme, _, token = auth.partition(" ")
            try:
                if scheme.lower() != "bearer":
                    raise jwt.InvalidTokenError("no bearer token")
                claims = jwt.decode(token, key, algorithms=["RS256"])
            except jwt.InvalidTokenError:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"www-authenticate", b'Bearer realm="api"'), (b"content-length", b"0")],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
            scope.setdefault("state", {})["jwt"] = claims
            await app(scope, receive, send)

        return pyjwt_middleware

    import fastjwt
    from fastjwt.middleware import ASGIMiddleware

    verifier = fastjwt.Verifier(public_pem, ["RS256"], cache=variant == "fastjwt+cache")
    return ASGIMiddleware(app, verifier)


def serve(variant: str, port: int, public_pem_path: str) -> None:
    """Child process entry: run uvicorn with the variant until terminated."""
    import uvicorn

    app = build_app(variant, Path(public_pem_path).read_bytes())
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        loop="asyncio",
    )


# -- the client side -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/", headers={"Authorization": "Bearer " + token})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def load_python(port: int, token: str, requests: int, connections: int) -> float:
    """Send exactly ``requests`` requests over ``connections`` keep-alive connections; requests per second."""
    per_conn = [requests // connections + (1 if i < requests % connections else 0) for i in range(connections)]
    failures: list[str] = []
    headers = {"Authorization": "Bearer " + token}

    def worker(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for _ in range(count):
                conn.request("GET", "/", headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    failures.append(str(resp.status))
                    return
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in per_conn]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"non-200 responses: {failures[:3]}")
    return requests / elapsed


def load_wrk(port: int, token: str, seconds: float, connections: int) -> float:
    """``wrk`` for ``seconds`` with one thread and ``connections`` connections; requests per second."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError("wrk saw non-2xx responses:\n" + out)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError("could not read wrk's output:\n" + out)
    return float(match.group(1))


def in_process_cost(variant: str, public_pem: bytes, token: str, calls: int = 3000) -> float:
    """Microseconds per request through the variant's middleware and app with no server (the part JWT work owns)."""
    import asyncio

    app = build_app(variant, public_pem)
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer " + token.encode())]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"status {message['status']}")

    async def drive() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            await app({"type": "http", "path": "/", "headers": headers}, receive, send)
        return (time.perf_counter() - start) / calls * 1e6

    return asyncio.run(drive())


def main() -> int:
    """Run every variant and print requests/s and the ratio to PyJWT."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per variant (python loader)")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration per variant (wrk loader)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--loader", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--serve", nargs=3, metavar=("VARIANT", "PORT", "PEM"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return 0

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    import fastjwt

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = fastjwt.encode({"sub": "user-1234", "exp": int(time.time()) + 3600}, private, algorithm="RS256")
    forged = fastjwt.encode({"sub": "user-1234"}, rsa.generate_private_key(65537, 2048), algorithm="RS256")
    load_desc = (f"wrk, {args.seconds:g}s" if args.loader == "wrk" else f"{args.requests} requests") + (
        f" over {args.connections} keep-alive connections"
    )
    print(
        f"minimal ASGI app on uvicorn (h11, asyncio, 1 worker), RS256 2048-bit; {load_desc}; "
        f"fastjwt core: {'compiled' if fastjwt.HAS_EXTENSION else 'pure Python'}"
    )
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pem_path = os.path.join(tmp, "public.pem")
        Path(pem_path).write_bytes(public_pem)
        for variant in VARIANTS:
            port = _free_port()
            proc = subprocess.Popen([sys.executable, __file__, "--serve", variant, str(port), pem_path])
            try:
                _wait_ready(port, proc)
                status, body = _get(port, token)
                assert status == 200 and body == b"hello user-1234", (status, body)
                assert _get(port, forged)[0] == 401, "a forged token must be refused"
                load_python(port, token, 500, args.connections)  # warm-up
                if args.loader == "wrk":
                    rate = load_wrk(port, token, args.seconds, args.connections)
                else:
                    rate = load_python(port, token, args.requests, args.connections)
                results[variant] = rate
                print(f"  {variant:<14} {rate:>9,.0f} req/s", flush=True)
            finally:
                proc.terminate()
                proc.wait(10)
    base = results["pyjwt"]
    for variant in VARIANTS[1:]:
        print(f"{variant} / pyjwt: {results[variant] / base:.2f}x")
    costs = {variant: in_process_cost(variant, public_pem, token) for variant in VARIANTS}
    print(
        "in-process cost per request (middleware + app, no server): "
        + ", ".join(f"{variant} {cost:.1f} us" for variant, cost in costs.items())
        + f"; fastjwt / pyjwt speed-up "
        f"{costs['pyjwt'] / costs['fastjwt']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
