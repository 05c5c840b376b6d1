#!/usr/bin/env python3
"""The baseline the analytics report is compared with: json.loads per line and counters, for the same
questions as the built-in report (per type, item, guild, user agent, and per type and minute)."""
import collections
import json
import sys

types, items, guilds, agents, minutes = (collections.Counter() for _ in range(5))
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        e = json.loads(line)
        t = e.get("event_type")
        types[t] += 1
        if t == "purchase_item":
            items[e.get("item")] += 1
        elif t == "join_guild":
            guilds[str(e.get("guild_id"))] += 1
        agents[e.get("User-Agent")] += 1
        minutes[(t, str(e.get("timestamp"))[:16])] += 1
print(types.most_common(), items.most_common(), len(guilds), agents.most_common(), len(minutes))
