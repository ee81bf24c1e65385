"""Score the routing rules against the labelled set: `python bench/routing/evaluate.py [-v]`.

Runs service.routing.rules.decide on in-memory rows built from the shipped directory, with the
same province detection in free text as the routing job, and prints accuracy overall and per
expected agency. -v lists every miss.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from service.directory.loader import SECRETARIAT_CODE, read_directory
from service.directory.models import Category, Province
from service.directory.names import PlaceMatcher, PlaceName
from service.proposals.models import Proposal, ProposalKind
from service.routing.rules import decide

LABELLED = Path(__file__).resolve().parent / "labelled.jsonl"


def main(verbose: bool) -> None:
    data = read_directory()
    ids = {agency.code: number for number, agency in enumerate(data.agencies, start=1)}
    codes = {number: code for code, number in ids.items()}
    categories = {
        c.code: Category(
            code=c.code,
            name_vi=c.name_vi,
            name_en=c.name_en,
            agency_id=ids[c.default_agency] if c.default_agency else None,
        )
        for c in data.categories
    }
    provinces = {
        p.code: Province(
            code=p.code, name_vi=p.name_vi, name_en=p.name_en, agency_id=ids[p.agency_code]
        )
        for p in data.provinces
    }
    matcher = PlaceMatcher(
        [PlaceName(n, p.code) for p in data.provinces for n in (p.name_vi, p.name_en, *p.aliases)]
    )

    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    hits, totals, misses = Counter[str](), Counter[str](), []
    for row in rows:
        proposal = Proposal(
            kind=ProposalKind(row["kind"]), title=row["title"], description=row["description"]
        )
        province = provinces[row["province"]] if row["province"] else None
        named = None
        if province is None and proposal.kind is ProposalKind.OBSTACLE:
            mentioned = matcher.provinces_named(f"{row['title']}\n{row['description']}")
            named = provinces[mentioned[0]] if len(mentioned) == 1 else None
        decision = decide(proposal, categories[row["category"]], province, named)
        chosen = codes[decision.agency_id] if decision.agency_id else SECRETARIAT_CODE
        expected = row["expected_agency"]
        totals[expected] += 1
        if chosen == expected:
            hits[expected] += 1
        else:
            misses.append(f"{row['id']}  expected {expected:18} got {chosen:18} {row['title']}")

    print(
        f"{sum(hits.values())}/{len(rows)} routed as a careful official would "
        f"({sum(hits.values()) / len(rows):.0%})"
    )
    for code in sorted(totals, key=lambda c: (hits[c] / totals[c], c)):
        print(f"  {code:18} {hits[code]:3}/{totals[code]}")
    if verbose:
        print("\n".join(["", *misses]))


if __name__ == "__main__":
    main(verbose="-v" in sys.argv[1:])
