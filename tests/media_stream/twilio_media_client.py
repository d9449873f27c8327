#!/usr/bin/python3
"""Plays a call to a Media Streams endpoint as Twilio does: the documented message sequence
(connected, start, media per track every 20 ms, mark, dtmf, stop), the upgrade signed with
X-Twilio-Signature over the wss:// URL. Built on Debian's python3-websockets, so the endpoint
is driven by a client that is not callscribe's own code.

Prints one line at the end: "closed CODE" (the close code the connection ended with) or
"refused STATUS" (the upgrade was answered STATUS).
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json

import websockets

CHUNK = 160  # 20 ms of 8 kHz μ-law


def signature(token: str, url: str) -> str:
    digest = hmac.new(token.encode(), url.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def chunks(path: str):
    data = open(path, "rb").read()
    return [data[i:i + CHUNK] for i in range(0, len(data) - CHUNK + 1, CHUNK)]


async def play(args) -> str:
    headers = {}
    if args.auth_token:
        headers["X-Twilio-Signature"] = signature(args.auth_token, args.signed_url)
    tracks = [("inbound", chunks(args.caller))]
    if args.agent:
        tracks.append(("outbound", chunks(args.agent)))
    dropped = {tuple(item.split(":")) for item in args.drop}
    stream_sid = args.stream
    sequence = 0

    def message(event, **members):
        nonlocal sequence
        sequence += 1
        return json.dumps({"event": event, "sequenceNumber": str(sequence),
                           "streamSid": stream_sid, **members})

    try:
        async with websockets.connect(args.url, extra_headers=headers, max_size=None) as ws:
            try:
                await ws.send(json.dumps({"event": "connected", "protocol": "Call",
                                          "version": "1.0.0"}))
                await ws.send(message("start", start={
                    "accountSid": args.account, "streamSid": stream_sid, "callSid": args.call,
                    "tracks": [name for name, _ in tracks],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                    "channels": 1},
                    "customParameters": {"source": "test"}}))
                frames = max(len(data) for _, data in tracks)
                for i in range(frames):
                    for name, data in tracks:
                        if i >= len(data) or (name, str(i)) in dropped:
                            continue
                        payload = base64.b64encode(data[i]).decode()
                        if args.corrupt_at == i:
                            payload = "%%% not base64 %%%"
                        await ws.send(message("media", media={
                            "track": name, "chunk": str(i + 1), "timestamp": str(i * 20),
                            "payload": payload}))
                    if args.pace:
                        await asyncio.sleep(0.02 / args.pace)
                await ws.send(message("dtmf", dtmf={"track": "inbound_track", "digit": "5"}))
                await ws.send(message("stop", stop={"accountSid": args.account,
                                                    "callSid": args.call}))
                await ws.close()
            except websockets.exceptions.ConnectionClosed:
                pass
            await ws.wait_closed()
            return f"closed {ws.close_code}"
    except websockets.exceptions.InvalidStatusCode as refused:
        return f"refused {refused.status_code}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/twilio/media")
    parser.add_argument("--signed-url", required=True, help="the URL Twilio signs (wss://…)")
    parser.add_argument("--auth-token", default="")
    parser.add_argument("--account", required=True)
    parser.add_argument("--call", required=True)
    parser.add_argument("--stream", default="MZ0123456789abcdef0123456789abcdef")
    parser.add_argument("--caller", required=True, help="raw μ-law bytes of the inbound track")
    parser.add_argument("--agent", help="raw μ-law bytes of the outbound track")
    parser.add_argument("--drop", action="append", default=[], help="TRACK:CHUNK never sent")
    parser.add_argument("--corrupt-at", type=int, default=-1, help="a chunk with bad base64")
    parser.add_argument("--pace", type=float, default=0, help="× real time; 0: at once")
    args = parser.parse_args()
    print(asyncio.run(asyncio.wait_for(play(args), timeout=60)), flush=True)


if __name__ == "__main__":
    main()
