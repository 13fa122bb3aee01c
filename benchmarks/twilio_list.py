"""The baseline as a script would run it: a process that lists a service's bindings with
twilio-python (`bindings.list()`, its default page size) and prints them as JSON lines.

    python -m benchmarks.twilio_list --base-url URL --service IS... [--pages N]

`--pages N` stops after the first N pages (`stream()`, the same requests) so a long list
can be timed on a prefix and scaled (`benchmarks.cli_e2e`). The last line on stderr is
JSON: monotonic times of the listing's start and end, pages and records.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

PAGE_SIZE = 50  # twilio-python sends no PageSize: the server's default


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--pages", type=int, default=None)
    args = parser.parse_args()

    from benchmarks.twilio_redirect import twilio_client

    client = twilio_client(
        args.base_url, os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]
    )
    bindings = client.conversations.v1.services(args.service).bindings
    began = time.monotonic()
    if args.pages is None:
        records = bindings.list()
    else:
        records = list(bindings.stream(limit=args.pages * PAGE_SIZE, page_size=PAGE_SIZE))
    out = sys.stdout
    for b in records:
        row = {
            "sid": b.sid,
            "account_sid": b.account_sid,
            "chat_service_sid": b.chat_service_sid,
            "credential_sid": b.credential_sid,
            "date_created": b.date_created.isoformat() if b.date_created else None,
            "date_updated": b.date_updated.isoformat() if b.date_updated else None,
            "endpoint": b.endpoint,
            "identity": b.identity,
            "binding_type": b.binding_type,
            "message_types": b.message_types,
            "url": b.url,
        }
        out.write(json.dumps(row) + "\n")
    out.flush()
    ended = time.monotonic()
    pages = -(-len(records) // PAGE_SIZE)
    timing = {"list_start": began, "list_end": ended, "pages": pages, "records": len(records)}
    sys.stderr.write(json.dumps(timing) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
