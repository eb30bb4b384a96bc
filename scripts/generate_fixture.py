"""Generate a folder of fictitious applications and review sheets for tests and benchmarks.

    PYTHONPATH=src python scripts/generate_fixture.py OUT [--count 200] [--seed 7] [--counties 4]
        [--no-reviews] [--broken 1]

Layout written under OUT::

    institutions/inst-0001.yaml …        institution applications (varied, some ineligible)
    institutions/evidence/*.txt          one shared evidence file per evidence type
    regions/county-01.yaml …             counties whose roster lists some institutions
    reviews/inst-0001-r1.yaml …          0–5 review sheets per institution (some stale)

The same seed always gives the same files. Everything is fictitious.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from shifan.load.rubric import load_rubric
from shifan.rules.ids import make_uscc

AS_OF = dt.date(2025, 12, 31)
CATEGORIES = ["nursing_home", "care_with_clinic", "medical_with_care", "transformed", "colocated", "other"]
REGIONS = ["341002", "341003", "341004", "341021", "341022", "340102", "340103", "340104", "340202", "340209"]
NAME_PARTS = "康宁安泰福寿仁和颐乐松鹤长青慈恩瑞祥德善嘉禾惠民永安"
SUFFIXES = ["护理院", "颐养中心", "康养院", "医养中心", "老年公寓"]
REVIEWERS = ["张明", "李华", "王芳", "赵强", "陈静", "刘洋", "周敏"]
SERVICES = [
    "health_assessment", "service_plan", "health_records", "diagnosis_treatment", "rehab_nursing", "hospice",
    "psych_support", "nutrition", "recreation", "daily_care", "health_education", "tcm_constitution",
    "tcm_techniques", "referral", "green_channel", "health_monitoring", "chronic_disease",
]  # fmt: skip
SYSTEMS = [
    "quality_safety", "post_responsibility", "service_management", "medical_records", "pharmacy", "nursing",
    "infection_control", "finance", "logistics", "disease_reporting", "complaints", "disclosure", "privacy",
    "information_system", "staff_training", "tech_archives", "equal_treatment", "work_safety_responsibility",
    "fire_safety_responsibility", "fire_rules", "evacuation_plan", "fire_inspection_rules",
    "safety_training_rules", "emergency_management",
]  # fmt: skip
FACILITIES = [
    "medical_equipment", "care_equipment", "equipment_maintenance", "medical_building_code",
    "care_facility_code", "fire_code", "accessibility_code",
]  # fmt: skip
EVIDENCE = [
    "medical_licence", "care_filing", "compliance_statement", "occupancy_ledger", "ability_assessment",
    "satisfaction_survey", "staff_roster", "equipment_list", "building_acceptance", "service_records",
    "management_rules", "safety_rules", "drill_records", "agreement",
]  # fmt: skip


@dataclass
class Fixture:
    """What was generated."""

    root: Path
    institutions: list[Path] = field(default_factory=list)
    counties: list[Path] = field(default_factory=list)
    reviews: list[Path] = field(default_factory=list)
    broken: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda data: True  # users do not write anchors; neither do we
    return yaml


def _dump(data: Any) -> bytes:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue().encode("utf-8")


def _months(rng: random.Random, operating: int, rate: float) -> list[dict[str, Any]]:
    months = []
    for month in range(1, 13):
        occupied = max(0.0, min(operating, round(operating * (rate + rng.uniform(-0.04, 0.04)), 1)))
        months.append({"month": f"2025-{month:02d}", "occupied": occupied})
    return months


def institution(rng: random.Random, index: int) -> dict[str, Any]:
    region = rng.choice(REGIONS)
    category = rng.choice(CATEGORIES)
    approved = rng.randrange(60, 400, 10)
    operating = approved - rng.randrange(0, 30, 5)
    nursing = int(approved * rng.uniform(0.3, 0.9))
    residents = int(operating * rng.uniform(0.5, 0.95))
    disabled = rng.uniform(0.3, 0.9)
    mild = int(residents * disabled * 0.3)
    moderate = int(residents * disabled * 0.4)
    severe = int(residents * disabled * 0.2)
    total = int(residents * disabled) - mild - moderate - severe
    intact = residents - mild - moderate - severe - total
    issued = dt.date(rng.randrange(2012, 2024), rng.randrange(1, 13), rng.randrange(1, 28))
    name = "".join(rng.choice(NAME_PARTS) for _ in range(2))
    staff: list[dict[str, Any]] = [
        {
            "id": "D01",
            "name": "医生甲",
            "role": "physician",
            "main_practice_site_here": rng.random() > 0.1,
            "certificates": [{"type": "physician_practice", "number": f"1103{index:08d}"}],
        },
        {
            "id": "N01",
            "name": "护士甲",
            "role": "nurse",
            "certificates": [{"type": "nurse_practice", "number": f"2019{index:08d}"}],
        },
    ]
    for k in range(rng.randrange(2, 6)):
        member: dict[str, Any] = {
            "id": f"C{k:02d}",
            "name": f"护理员{k}",
            "role": "caregiver",
            "trained": rng.random() > 0.05,
        }
        staff.append(member)
    incidents = []
    if rng.random() < 0.06:
        incidents.append(
            {
                "date": dt.date(2024, 8, 9),
                "category": "medical_accident",
                "severity": "major",
                "summary": "重大医疗事故（虚构）",
            }
        )
    activities = []
    for half in (3, 9):
        if rng.random() > 0.1:
            activities.append({"date": dt.date(2025, half, 16), "type": "fire_drill", "summary": "消防演练"})
    surveyed = rng.randrange(20, 200)
    attachments = [e for e in EVIDENCE if rng.random() > 0.03]
    return {
        "kind": "institution",
        "name": f"示例市{name}{rng.choice(SUFFIXES)}{index:04d}（虚构）",
        "uscc": make_uscc(f"52{region}MJA{index:06d}"),
        "region_code": region,
        "category": category,
        "founded": dt.date(issued.year - 1, 1, 1),
        "assessment_date": AS_OF,
        "qualifications": {
            "medical_licence": {"number": f"PDY-{index:05d}", "issued": issued, "level": "clinic_room"},
            "elderly_care_filing": {"number": f"养备-{index:05d}", "date": issued},
            "internal_medical_institution": True,
            "operation_start": issued,
        },
        "beds": {"approved": approved, "operating": operating, "nursing_type": nursing},
        "occupancy": _months(rng, operating, rng.uniform(0.45, 0.95)),
        "residents": {
            "total": residents,
            "assessed": dt.date(2025, 12, 1),
            "by_ability": {"intact": intact, "mild": mild, "moderate": moderate, "severe": severe, "total": total},
        },
        "staff": staff,
        "incidents": incidents,
        "activities": activities,
        "agreements": [
            {
                "partner": "示例市人民医院（虚构）",
                "partner_level": "hospital",
                "signed": dt.date(2023, 1, 1),
                "expires": dt.date(2026, 12, 31) if rng.random() > 0.1 else dt.date(2025, 6, 30),
                "visit_frequency": "weekly",
                "green_channel": rng.random() > 0.1,
            }
        ],
        "services": [s for s in SERVICES if rng.random() > 0.1],
        "systems": [s for s in SYSTEMS if rng.random() > 0.05],
        "facilities": [f for f in FACILITIES if rng.random() > 0.1],
        "commitments": ["law_compliance", "policy_implementation", "data_accurate"],
        "satisfaction": {
            "surveyed": surveyed,
            "satisfied": int(surveyed * rng.uniform(0.85, 1.0)),
            "date": dt.date(2025, 11, 30),
        },
        "features": {
            "tcm": rng.random() < 0.4,
            "rural": rng.random() < 0.3,
            "transformed": rng.random() < 0.1,
            "radiating": rng.random() < 0.3,
        },
        "self_scores": {"F3": rng.choice([0, 1, 1.5, 2, 2.5, 3])},
        "attachments": [{"type": e, "path": f"evidence/{e}.txt"} for e in attachments],
    }


def county(rng: random.Random, index: int, roster: list[str]) -> dict[str, Any]:
    institutions = rng.randrange(15, 40)
    data: dict[str, Any] = {
        "kind": "region",
        "name": f"示例省示例市第{index}县（虚构）",
        "region_code": REGIONS[index % len(REGIONS)],
        "level": "county",
        "province": "安徽省",
        "assessment_date": AS_OF,
        "measures": ["in_development_plan", "in_sector_plans", "working_mechanism", "work_plan", "land_policy"],
        "indicators": {
            "level2_general_hospitals": 4,
            "with_geriatrics": rng.randrange(1, 5),
            "population_65": 40000,
            "health_managed_65": rng.randrange(20000, 32000),
        },
        "roster": [{"file": f"../institutions/{name}"} for name in roster],
        "self_scores": {"E2": 4},
    }
    if index % 2:  # every other county states its institution counts; the rest rely on the roster
        data["indicators"].update({"care_institutions": institutions, "care_providing_medical": institutions})
    return data


def review(
    rng: random.Random, app_rel: str, app: dict[str, Any], sha: str, rubric: Any, reviewer: str
) -> dict[str, Any]:
    items: dict[str, Any] = {}
    for _, criterion in rubric.criteria():
        if criterion.gate:
            if rng.random() < 0.02:
                items[criterion.id] = {
                    "override": {"decision": rng.choice(["pass", "fail"]), "reason": "现场核查结果（虚构）"},
                    "verification": "confirmed",
                }
            continue
        if rng.random() < 0.5:
            step = rng.randrange(0, int(criterion.points * 2) + 1)
            items[criterion.id] = {
                "score": step / 2,
                "verification": rng.choice(["confirmed", "not_checked", "contradicts"]),
                "remark": rng.choice(["", "与申报一致", "=SUM(A1:A9)", "资料齐全"]),
            }
    return {
        "kind": "review",
        "application": {"path": app_rel, "sha256": sha, "name": app["name"], "id": app["uscc"]},
        "rubric": {"id": rubric.id, "sha256": rubric.sha256, "version": rubric.version},
        "as_of": AS_OF,
        "reviewer": {"name": reviewer},
        "items": items,
        "final_opinion": {"conclusion": rng.choice(["recommend", "recommend", "not_recommend", "pending"])},
    }


def generate(
    root: Path, count: int = 200, *, seed: int = 7, counties: int = 4, reviews: bool = True, broken: int = 0
) -> Fixture:
    """Write ``count`` institutions (plus counties and reviews) under ``root``."""
    rng = random.Random(seed)
    rubric = load_rubric("national/institution")
    fixture = Fixture(root)
    inst_dir, region_dir, review_dir = root / "institutions", root / "regions", root / "reviews"
    for folder in (inst_dir / "evidence", region_dir / "evidence", review_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for kind in EVIDENCE:
        (inst_dir / "evidence" / f"{kind}.txt").write_text(f"{kind}（虚构佐证材料）\n", encoding="utf-8")
    broken_at = {count * (k + 1) // (broken + 1) for k in range(broken)}
    for index in range(1, count + 1):
        path = inst_dir / f"inst-{index:04d}.yaml"
        if index in broken_at:
            path.write_bytes(b"kind: institution\nname: [\n")  # not YAML
            fixture.broken.append(path)
            continue
        app = institution(rng, index)
        raw = _dump(app)
        path.write_bytes(raw)
        fixture.institutions.append(path)
        if not reviews:
            continue
        panel = rng.choice([0, 1, 2, 2, 3, 3, 5])
        sha = hashlib.sha256(raw).hexdigest()
        stale = panel and rng.random() < 0.05
        for number, reviewer in enumerate(rng.sample(REVIEWERS, panel), start=1):
            review_path = review_dir / f"inst-{index:04d}-r{number}.yaml"
            recorded = hashlib.sha256(b"earlier version").hexdigest() if stale else sha
            data = review(rng, f"../institutions/{path.name}", app, recorded, rubric, reviewer)
            review_path.write_bytes(_dump(data))
            fixture.reviews.append(review_path)
        if stale:
            fixture.stale.append(path)
    names = [p.name for p in fixture.institutions]
    for index in range(1, counties + 1):
        roster = sorted(rng.sample(names, min(len(names), 5)))
        path = region_dir / f"county-{index:02d}.yaml"
        path.write_bytes(_dump(county(rng, index, roster)))
        fixture.counties.append(path)
    return fixture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--broken", type=int, default=0)
    parser.add_argument("--no-reviews", action="store_true")
    args = parser.parse_args()
    fixture = generate(
        args.out, args.count, seed=args.seed, counties=args.counties, reviews=not args.no_reviews, broken=args.broken
    )
    print(
        f"{len(fixture.institutions)} institutions, {len(fixture.counties)} counties, "
        f"{len(fixture.reviews)} reviews, {len(fixture.broken)} broken files in {args.out}"
    )


if __name__ == "__main__":
    main()
