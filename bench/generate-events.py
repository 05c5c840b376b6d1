#!/usr/bin/env python3
"""Writes N game events as JSON Lines, in the shapes the API writes (about 180 bytes each).

Usage: bench/generate-events.py N > events.jsonl
"""
import json
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

random.seed(7)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
start = datetime(2026, 11, 1, tzinfo=timezone.utc)
agents = ["curl/7.88.1", "GameClient/2.3 (Android 14)", "GameClient/2.3 (iOS 18.1)", "python-requests/2.31"]
out = sys.stdout
for i in range(n):
    r = random.random()
    if r < 0.1:
        e = {"event_type": "default"}
    elif r < 0.2:
        e = {"event_type": "purchase_sword"}
    elif r < 0.6:
        e = {"event_type": "purchase_item", "item": random.choice(["sword", "knife", "knife", "missing", "invalid"])}
    else:
        g = random.random()
        e = {"event_type": "join_guild", "guild_id": "missing" if g < 0.05 else "invalid" if g < 0.1 else random.randint(1, 50)}
    e["event_id"] = str(uuid.UUID(int=random.getrandbits(128), version=4))
    e["timestamp"] = (start + timedelta(milliseconds=i * 7)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    e["Host"] = "localhost:5000"
    e["User-Agent"] = random.choice(agents)
    out.write(json.dumps(e, separators=(",", ":")))
    out.write("\n")
