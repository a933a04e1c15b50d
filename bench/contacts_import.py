"""How long a 5,000-card contacts file takes to import, against a real `merci serve`.

    .venv/bin/python bench/contacts_import.py [--cards 5000] [--photo-bytes 6000]

Writes a vCard file of `--cards` people as phones export them (every fifth a vCard 2.1 card in
QUOTED-PRINTABLE, the others 3.0 with folded lines; two emails each; a base64 photo of `--photo-bytes` on every
other card; Greek, Japanese and Arabic names among French ones), then, in a fresh server and account, times:

- **preview**: `POST /api/contacts/import?format=vcard&dry_run=1` (read, plan, answer: nothing written);
- **import**: the same without `dry_run` (the same, plus 5,000 `contact_added` events appended);
- **again**: importing the same file a second time (everything matches: nothing stored);
- **floor**: `POST /api/import` of the 5,000 `contact_added` events the import stored, as NDJSON (the log's own
  import: decode and append, no vCard to read), exported from the first account into a second one.

Printed: seconds and cards/s for each, the file's size, and import/floor. Target (issue 14): the import in
seconds (well under 10 s on a loaded 2-CPU machine).
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.server import MerciServer, bearer, sign_up  # noqa: E402

OUT = Path(__file__).parent / "out"
FIRST = ["Hervé", "Zoé", "Anne-Sophie", "Élodie", "François", "Γιώργος", "太郎", "ليلى", "Paul", "Chloé", "Loïc"]
LAST = ["Martin", "Lefèvre", "Dupont", "Marchand", "Nguyễn", "Παπαδόπουλος", "山田", "حداد", "Durand", "Bézier"]


def fold(line: str) -> list[str]:
    out = [line[:75]]
    line = line[75:]
    while line:
        out.append(" " + line[:74])
        line = line[74:]
    return out


def qp(text: str) -> str:
    return "".join(f"={b:02X}" for b in text.encode())


def write_cards(path: Path, cards: int, photo_bytes: int) -> int:
    rng = random.Random(14)
    photo = base64.b64encode(rng.randbytes(photo_bytes)).decode()
    lines: list[str] = []
    for i in range(cards):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last} {i}"
        emails = [f"person{i}@example.org", f"p{i}@work.example"]
        if i % 5 == 0:
            lines += ["BEGIN:VCARD", "VERSION:2.1",
                      f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp(last)};{qp(first)};;;",
                      f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp(name)}"]
            lines += [f"EMAIL;HOME:{emails[0]}", f"EMAIL;WORK:{emails[1]}", f"TEL;CELL:+33 6 {i:08d}"]
        else:
            lines += ["BEGIN:VCARD", "VERSION:3.0", f"N:{last};{first};;;", f"FN:{name}"]
            lines += [f"EMAIL;TYPE=INTERNET;TYPE=HOME:{emails[0]}", f"EMAIL;TYPE=INTERNET;TYPE=WORK:{emails[1]}",
                      f"TEL;TYPE=CELL:+33 6 {i:08d}", "ORG:Société Générale;Direction financière", "TITLE:Analyste"]
            lines += fold("NOTE:Rencontré au salon VivaTech\\, intéressé par la fintech et les paiements instantanés")
        if i % 2 == 0:
            lines += fold("PHOTO;ENCODING=b;TYPE=JPEG:" + photo)
        lines.append("END:VCARD")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path.stat().st_size


def timed(call) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    answer = call()
    took = time.perf_counter() - start
    assert answer.status_code == 200, answer.text[:500]
    return took, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--photo-bytes", type=int, default=6000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    vcf = OUT / f"contacts-{args.cards}.vcf"
    size = write_cards(vcf, args.cards, args.photo_bytes)
    body = vcf.read_bytes()
    print(f"{args.cards} cards, {size / 2**20:.1f} MiB ({vcf})")
    quiet = {"MERCI_LOG_REQUESTS": "false", "MERCI_PUSH_SCHEDULER": "false"}
    with MerciServer(OUT / "contacts-data", env=quiet) as server:
        ana = sign_up(server.url, f"bench-{time.time_ns()}@example.org")
        bob = sign_up(server.url, f"bench-{time.time_ns()}-b@example.org")
        with httpx.Client(base_url=server.url, timeout=600) as client:
            def post(token: str, dry_run: bool):
                params = {"format": "vcard", **({"dry_run": "1"} if dry_run else {})}
                return client.post("/api/contacts/import", params=params, content=body, headers=bearer(token))

            preview, answer = timed(lambda: post(ana["token"], True))
            assert answer.json()["added"] == args.cards
            imported, answer = timed(lambda: post(ana["token"], False))
            assert answer.json()["stored"] == args.cards
            again, answer = timed(lambda: post(ana["token"], False))
            assert answer.json()["stored"] == 0 and answer.json()["added"] == 0
            log = client.get("/api/export", headers=bearer(ana["token"])).content
            floor, answer = timed(lambda: client.post("/api/import", content=log, headers=bearer(bob["token"])))
            assert answer.json()["accepted"] == args.cards
    for label, took in (("preview (dry run)", preview), ("import", imported), ("import again (nothing new)", again),
                        ("floor: NDJSON import of the same events", floor)):
        print(f"{label:42} {took:7.2f} s  {args.cards / took:9.0f} cards/s")
    print(f"import / floor: {imported / floor:.1f}x")


if __name__ == "__main__":
    main()
